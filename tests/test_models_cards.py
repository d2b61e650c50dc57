"""One writer of model cards (ecgcore.models.card.write_card) and the ensemble model: registered, loadable,
the mean of its members, its figures the mean of the members' stored predictions."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from ecgcore.core.settings import resolve
from ecgcore.learn.ensemble import mean_predictions, member_results
from ecgcore.learn.evaluation import results_document, save_results
from ecgcore.learn.refresh import load_checked
from ecgcore.models import CheckpointError, create, load_model, model_names
from ecgcore.models.card import write_card
from ecgcore.models.ensemble import MEMBERS

ROOT = Path(__file__).resolve().parent.parent


def test_only_the_card_module_writes_card_json():
    """Every other module reaches card.json through write_card (grep of the package's source)."""
    writers = []
    for path in (ROOT / "ecgcore").rglob("*.py"):
        text = path.read_text()
        if re.search(r"write_json\([^)]*CARD|card\.json[\"']\)?\.write_text|open\([^)]*card\.json[^)]*[\"']w", text):
            writers.append(path.relative_to(ROOT).as_posix())
    assert writers == ["ecgcore/models/card.py"]


def test_card_is_written_by_save_and_rewritten_from_fresh_results_only(tmp_path):
    model = create("resnet1d", widths=[8, 8, 8, 8])
    model.record_training({"recipe": {"name": "r", "init": "synthetic", "epochs": 3, "lr": 1e-3, "batch_size": 16,
                                      "weight_decay": 0.01, "augmentations": [], "refit_normaliser": False},
                           "data": {"name": "toy", "n_train": 10, "pretraining": {"name": "synth", "n_train": 99}}})
    card = model.save(tmp_path)
    stored = json.loads((tmp_path / "card.json").read_text())
    assert stored["files"]["weights.pt"]["sha256"] == card.weights_sha256("weights.pt") and stored["metrics"] == {}
    # the recipe that ran, not the constructor's defaults; the normaliser's true source
    assert stored["training"]["recipe"]["epochs"] == 3 and "epochs" not in stored["hyper"] and "lr" not in stored["hyper"]
    assert "SYNTHETIC pretraining corpus (synth, 99" in stored["input"]["normaliser"]
    assert "3 epochs, lr 0.001, batch 16" in stored["summary"]
    rng = np.random.default_rng(0)
    Y = (rng.random((60, 5)) < 0.3).astype(int)
    doc = results_document(model, "ptbxl_fold10", [f"ptbxl/{i:05d}" for i in range(60)], Y, rng.random((60, 5)),
                           n_boot=50)
    stale = {**doc, "set": {**doc["set"], "name": "cinc_georgia"}, "weights_sha256": "0" * 64}
    (tmp_path / "results_cinc_georgia.json").write_text(json.dumps(stale))  # computed with other weights
    card = save_results(tmp_path, doc)
    assert list(card.metrics) == ["ptbxl_fold10"]  # the stale file is left out
    again = write_card(tmp_path, load_checked(tmp_path))  # from the folder alone (loads and sha-checks it)
    assert again.to_json() == json.loads((tmp_path / "card.json").read_text()) == card.to_json()


def test_ensemble_is_registered_and_loads_its_members():
    assert "ensemble" in model_names()
    ens = load_model("ensemble")
    assert sorted(ens.members_) == sorted(MEMBERS) and ens.classes == load_model("resnet1d").classes
    card = ens.card()
    assert card.metric("ptbxl_cv")["n_records"] == 513 and card.training["recipe"]["members"] == sorted(MEMBERS)
    assert card.parameters == sum(m.parameter_count() for m in ens.members_.values())


@pytest.mark.slow  # reads the real PTB-XL set and runs the kernel model's signal analysis (about 15 s)
def test_ensemble_predicts_the_mean_of_its_members(real_fold10_array):
    ens = load_model("ensemble")
    P = ens.predict_proba(real_fold10_array)
    members = np.mean([m.predict_proba(real_fold10_array) for m in ens.members_.values()], axis=0)
    np.testing.assert_allclose(P, members, atol=1e-6)


def test_ensemble_figures_are_the_mean_of_the_members_stored_predictions():
    folder = resolve().models_dir
    for set_name, stored in member_results(folder, sorted(MEMBERS)).items():
        ids, Y, P = mean_predictions(stored)
        mine = json.loads((folder / "ensemble" / f"results_{set_name}.json").read_text())
        assert mine["predictions"]["record_ids"] == ids
        np.testing.assert_allclose(mine["predictions"]["y_prob"], P, atol=1e-5)


def test_ensemble_refuses_a_member_whose_weights_changed(tmp_path):
    folder = resolve().models_dir
    for name in ["ensemble", *MEMBERS]:
        shutil.copytree(folder / name, tmp_path / name)
    load_model("ensemble", tmp_path)  # the copy loads
    weights = tmp_path / "lstm" / "weights.pt"
    weights.write_bytes(weights.read_bytes()[:-8] + b"\0" * 8)
    with pytest.raises(CheckpointError, match="lstm"):
        load_model("ensemble", tmp_path)


@pytest.fixture(scope="module")
def real_fold10_array() -> np.ndarray:
    from ecgcore.data.evalsets import ptbxl_set

    real = ptbxl_set()
    rows = np.flatnonzero(real.folds == 10)[:6]
    return np.stack([real.signals[i] for i in rows])


@pytest.mark.slow  # reads the real PTB-XL set and predicts it with resnet1d (about 20 s)
def test_protocol_evaluation_writes_results_and_the_card_through_the_one_writer(tmp_path, monkeypatch):
    """evaluate_real's plumbing, with the nine CV trainings replaced by the shipped weights (training is tested
    in test_training.py): patient ids, the figure without fold 9, one threshold, and the card via write_card."""
    from ecgcore.data import evalsets
    from ecgcore.learn import figures, protocol

    shutil.copytree(resolve().models_dir / "resnet1d", tmp_path / "resnet1d")
    shipped = load_model("resnet1d", tmp_path)

    def no_training(name, recipe, real, k, models_dir, progress=False):
        rows = np.flatnonzero(real.folds == k)
        val = np.flatnonzero(real.folds == protocol.split_for(k)[1])
        return protocol.Run(shipped, None, rows, shipped.predict_proba(real.array()[rows]), float("nan"), val,
                            shipped.predict_proba(real.array()[val]))

    monkeypatch.setattr(figures, "train_split", no_training)
    monkeypatch.setattr(evalsets, "external_sets", lambda settings=None: {})
    out = figures.evaluate_real("resnet1d", tmp_path, save=True, n_boot=50, log=lambda s: None)
    cv = json.loads((tmp_path / "resnet1d" / "results_ptbxl_cv.json").read_text())
    assert cv["auc"]["bootstrap"]["resampled"] == "patients" and len(set(cv["predictions"]["patient_ids"])) < 513
    assert cv["without_selection_fold"]["n_records"] == sum(f != 9 for f in cv["folds"])
    assert cv["thresholds"] == out["ptbxl_cv"]["thresholds"] and set(cv["thresholds_per_fold"]) == {str(k) for k in range(1, 11)}
    card = json.loads((tmp_path / "resnet1d" / "card.json").read_text())
    assert card["metrics"]["ptbxl_cv"]["without_selection_fold"]["macro_auc"] == cv["without_selection_fold"]["macro_auc"]
    assert cv["nested"] is False and "do not show" in card["limitations"] and "NOT nested" in card["summary"]
    load_model("resnet1d", tmp_path)  # still loads: weights and config untouched
