"""The shipped checkpoints in assets/models: they load (sha256-checked), say what they were trained on, and
predict every real record of the data root, reproducing the stored evaluation predictions."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ecgcore.settings import resolve
from ecgcore.data import catalogue
from ecgcore.models import load_model, model_names

NAMES = model_names()


@pytest.fixture(scope="module")
def models() -> dict:
    return {name: load_model(name) for name in NAMES}


@pytest.fixture(scope="module")
def real_records() -> list:
    frame = catalogue.catalogue()
    return [catalogue.load_record(rid) for rid in frame["record_id"]]


def test_every_registered_model_is_shipped_and_small(models):
    total = sum(m.card().checkpoint_bytes for m in models.values())
    assert total < 10e6, f"shipped weights take {total / 1e6:.1f} MB"


@pytest.mark.parametrize("name", NAMES)
def test_card_says_what_the_weights_were_trained_on_and_how_they_score(name, models):
    card = models[name].card().to_json()
    data = card["training"]["data"]
    assert data["synthetic"] is True and data["n_train"] > 10000 and data["task"] == "superdiagnostic"
    assert "make train" in card["retrain"]
    synth = card["metrics"][data["name"]]
    real = card["metrics"]["real"]
    assert synth["synthetic"] is True and 0.5 < synth["macro_auc"] <= 1 and synth["n_records"] > 1000
    lo, hi = synth["macro_auc_ci95"]
    assert lo <= synth["macro_auc"] <= hi
    assert real["synthetic"] is False and real["n_records"] > 50 and real["macro_auc"] is not None
    assert (resolve().models_dir / name / "results_real.json").is_file()


def test_resnet_predicts_every_shipped_real_record(models, real_records):
    model = models["resnet1d"]
    probs = np.concatenate([model.predict_proba(ecg) for ecg in real_records])
    assert probs.shape == (len(real_records), len(model.classes)) and len(real_records) > 100
    assert np.isfinite(probs).all() and (probs >= 0).all() and (probs <= 1).all()


@pytest.mark.parametrize("name", NAMES)
def test_stored_real_predictions_are_reproduced(name, models):
    results = json.loads((resolve().models_dir / name / "results_real.json").read_text())
    ids = results["predictions"]["record_ids"][:12]
    stored = np.array(results["predictions"]["y_prob"][:12])
    fresh = np.concatenate([models[name].predict_proba(catalogue.load_record(rid)) for rid in ids])
    np.testing.assert_allclose(fresh, stored, atol=2e-4)
    assert results["weights_sha256"] == models[name].card().weights_sha256(models[name].weights_name)
