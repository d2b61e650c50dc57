"""The synthetic demo: a small corpus the app generates on first start when there is no data root.

It is written once by `ecgcore.synth` into `settings.demo_dir` (`data/demo`, git-ignored) in PTB-XL's layout;
every row has device SYNTHETIC (`ecgcore.data.ptbxl.is_synthetic`) and its record ids are "synthetic/NNNNN".
Written to a private folder first and moved into place, so two sessions starting together never see half a corpus.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ecgcore.data.ptbxl import DATABASE_CSV
from ecgcore.core.settings import Settings, resolve

#: Records in the demo (10 s each, 100 and 500 Hz): enough for every page, written in seconds.
DEMO_RECORDS = 30
DEMO_SEED = 0


def ensure_demo(settings: Settings | None = None) -> Path:
    """The demo corpus folder, generating it first if it is not there yet (about 5-10 s)."""
    from ecgcore.synth.corpus import generate_corpus

    settings = settings or resolve()
    target = settings.demo_dir
    if (target / DATABASE_CSV).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".demo-", dir=target.parent))
    try:
        generate_corpus(work / "corpus", records=DEMO_RECORDS, seed=DEMO_SEED, rates=(100, 500), workers=1,
                        progress=False)
        try:
            os.replace(work / "corpus", target)
        except OSError:
            if not (target / DATABASE_CSV).is_file():  # not another session's finished demo: a real failure
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target
