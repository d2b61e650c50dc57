"""Models are shared by every session (st.cache_resource): explanations running at the same time in several
threads (one per user) must give exactly what they give one at a time."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from app.common import loaders
from ecgcore.data.catalogue import load_record

RECORDS = ("ptbxl/00001", "ptbxl/00008", "ptbxl/09739", "ptbxl/06002")


@pytest.fixture
def cnn_model() -> str:
    """A shipped CNN's name; FAILS (never skips) where none is in the models folder."""
    names = loaders.shipped_model_names()
    name = next((n for n in ("resnet1d", "inception1d") if n in names), None)
    if name is None:
        pytest.fail(f"needs a trained CNN (resnet1d or inception1d) in the models folder; found {names or 'none'}: "
                    "restore assets/models from git or run `make train`")
    return name


@pytest.mark.slow
def test_concurrent_explanations_match_sequential_ones(cnn_model):
    name = cnn_model
    ecgs = [load_record(r) for r in RECORDS]
    alone = [loaders._explain(e, name, "MI", "last", None) for e in ecgs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda e: loaders._explain(e, name, "MI", "last", None), ecgs * 2))
    assert loaders.model(name) is loaders.model(name)  # one shared object
    for a, b in zip(alone * 2, together):
        np.testing.assert_allclose(a.probabilities, b.probabilities, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(a.cam, b.cam, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(a.per_lead, b.per_lead, rtol=1e-5, atol=1e-6)
