"""The shipped checkpoints in assets/models: they load (sha256-checked), say what they were trained on (synthetic
pretraining where used + real PTB-XL folds 1-8), carry their real figures, and reproduce their stored real
predictions."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ecgcore.core.settings import resolve
from ecgcore.metrics.auc import MIN_POSITIVES
from ecgcore.models import load_model, model_names

NAMES = model_names()
REAL_SETS = ("ptbxl_cv", "ptbxl_fold10", "cinc_pooled")


@pytest.fixture(scope="module")
def models() -> dict:
    return {name: load_model(name) for name in NAMES}


def test_every_registered_model_is_shipped_and_small(models):
    total = sum(m.card().checkpoint_bytes for m in models.values())
    assert total < 10e6, f"shipped weights take {total / 1e6:.1f} MB"


@pytest.mark.parametrize("name", NAMES)
def test_card_says_what_the_weights_were_trained_on_and_how_they_score_on_real_records(name, models, real):
    card = models[name].card()
    data = card.trained_on
    assert data["synthetic"] is False and data["task"] == "superdiagnostic"
    twice = data.get("recordings_listed_twice_in_training", {})  # PTB-XL ecg_id pairs of one recording
    assert data["n_train"] - twice.get("train", 0) == int(np.isin(real.folds, range(1, 9)).sum())
    assert data["n_val"] - twice.get("val", 0) == int((real.folds == 9).sum())
    assert "real PTB-XL folds 1-8" in data["description"] and card.training["recipe"]["name"]
    if card.training["recipe"]["init"] == "synthetic":
        assert data["pretraining"]["synthetic"] is True and "synthetic pretraining" in data["description"]
    for set_name in REAL_SETS:
        m = card.metric(set_name)
        n = m["n_records"]
        few = [c for c in m["classes_in_macro"] if min(m["positives"][c], n - m["positives"][c]) < MIN_POSITIVES]
        assert m["synthetic"] is False and n > 50 and m["too_few"] == few
        if few:  # a class with fewer than 10 positives: no interval, "too few" instead
            assert m["macro_auc_ci95"] is None and f"too few positives of {', '.join(few)}" in card.summary
        else:
            lo, hi = m["macro_auc_ci95"]
            assert lo <= m["macro_auc"] <= hi and m["resampled"] == "patients"
    assert card.metric("ptbxl_cv")["n_records"] == len(real)
    assert "do not show" in card.limitations and "make train" in card.retrain


@pytest.mark.parametrize("name", NAMES)
def test_results_files_follow_the_schema(name):
    for set_name in REAL_SETS:
        results = json.loads((resolve().models_dir / name / f"results_{set_name}.json").read_text())
        assert results["set"]["name"] == set_name and results["n_records"] == len(results["predictions"]["y_true"])
        Y = np.array(results["predictions"]["y_true"])
        n = results["n_records"]
        assert results["positives"] == dict(zip(results["classes"], Y.sum(axis=0).tolist()))
        assert set(results["thresholds"]) == set(results["classes"])
        for cls, v in results["auc"]["per_class"].items():  # an interval, or "too few" and none
            assert v is None or (v["ci95"] is None) == v["too_few"] == (results["positives"][cls] < MIN_POSITIVES or
                                                                       n - results["positives"][cls] < MIN_POSITIVES)
            assert v is None or v["too_few"] or len(v["ci95"]) == 2


@pytest.mark.parametrize("name", NAMES)
def test_stored_real_predictions_are_reproduced(name, models, real):
    results = json.loads((resolve().models_dir / name / "results_ptbxl_fold10.json").read_text())
    ids = results["predictions"]["record_ids"][:12]
    stored = np.array(results["predictions"]["y_prob"][:12])
    X = np.stack([real.signals[real.record_ids.index(rid)] for rid in ids])
    np.testing.assert_allclose(models[name].predict_proba(X), stored, atol=2e-4)
    assert results["weights_sha256"] == models[name].card().weights_sha256(models[name].weights_name)
