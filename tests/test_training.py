"""Train / evaluate / predict / models commands on a tiny synthetic corpus (smoke-sized runs only)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from ecgcore.cli import main
from ecgcore.core.settings import resolve
from ecgcore.data import ptbxl
from ecgcore.synth import generate_corpus
import torch  # noqa: E402  (OMP_WAIT_POLICY: conftest.py)

TINY_RESNET = ["--set", "widths=[8,8,8,8]", "--set", "batch_size=32"]
pytestmark = pytest.mark.slow  # trains models on a small synthetic corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "synth-tiny"
    generate_corpus(out, records=100, seed=3, workers=1, progress=False)
    return out


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory) -> Path:
    """models dir with a 2-epoch resnet1d trained by the command line (run folder beside it)."""
    root = tmp_path_factory.mktemp("trained")
    code = main(["train", "--model", "resnet1d", "--data", str(corpus), "--epochs", "2", "--out",
                 str(root / "models" / "resnet1d"), "--run-dir", str(root / "run"), *TINY_RESNET])
    assert code == 0
    return root


def test_training_writes_a_complete_checkpoint(trained, corpus):
    folder = trained / "models" / "resnet1d"
    card = json.loads((folder / "card.json").read_text())
    assert set(card["files"]) == {"weights.pt", "config.json"}
    data = card["training"]["data"]
    assert data["synthetic"] is True and data["path"] == str(corpus) and data["task"] == "superdiagnostic"
    assert card["training"]["epochs"] == 2 and len(card["training"]["history"]) == 2
    config = json.loads((folder / "config.json").read_text())
    assert config["classes"] == ["NORM", "MI", "STTC", "CD", "HYP"] and len(config["thresholds"]) == 5
    assert config["fs"] == 100 and config["window_s"] == 2.5 and len(config["normaliser"]["mean_mV"]) == 12


def test_training_reads_folds_1_to_9_only(corpus, monkeypatch, tmp_path):
    requested: list[int] = []
    real_load = ptbxl.load_signals

    def spy(root, ids, *args, **kwargs):
        requested.extend(int(i) for i in ids)
        return real_load(root, ids, *args, **kwargs)

    monkeypatch.setattr(ptbxl, "load_signals", spy)
    from ecgcore.data.folds import load_training_data

    td = load_training_data(corpus)
    db = ptbxl.load_database(corpus)
    folds = db.loc[requested, "strat_fold"]
    assert len(requested) == len(td.X) + len(td.X_val) > 0
    assert folds.between(1, 9).all() and (folds == 9).sum() == len(td.X_val)


def test_resumed_run_equals_an_uninterrupted_one(trained, corpus, tmp_path):
    run = trained / "run"
    assert sorted(p.name for p in run.glob("epoch_*.pt")) == ["epoch_000.pt", "epoch_001.pt"]
    (run / "epoch_001.pt").unlink()  # as if stopped after the first epoch
    out = tmp_path / "resumed"
    assert main(["train", "--model", "resnet1d", "--data", str(corpus), "--epochs", "2", "--out", str(out),
                 "--run-dir", str(run), "--resume", *TINY_RESNET]) == 0
    a = torch.load(trained / "models" / "resnet1d" / "weights.pt", weights_only=True)
    b = torch.load(out / "weights.pt", weights_only=True)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_evaluate_writes_nothing_without_save(trained, corpus, capsys):
    models = trained / "models"
    before = sorted(p.name for p in (models / "resnet1d").iterdir())
    card = (models / "resnet1d" / "card.json").read_text()
    assert main(["evaluate", "--model", "resnet1d", "--data", str(corpus), "--models-dir", str(models),
                 "--n-boot", "20"]) == 0
    assert sorted(p.name for p in (models / "resnet1d").iterdir()) == before
    assert (models / "resnet1d" / "card.json").read_text() == card
    assert "nothing written" in capsys.readouterr().err


def test_evaluate_writes_every_figure_and_updates_the_card(trained, corpus, capsys):
    models = trained / "models"
    assert main(["evaluate", "--model", "resnet1d", "--data", str(corpus), "--models-dir", str(models),
                 "--n-boot", "50", "--json", "--save"]) == 0
    out = capsys.readouterr().out
    printed = json.loads(out[out.index("{"):])["resnet1d"]["data"]
    results = json.loads((models / "resnet1d" / "results_synthetic_fold10.json").read_text())
    db = ptbxl.load_database(corpus)
    fold10 = db[(db["strat_fold"] == 10) & (db["superclasses"].map(len) > 0)]
    assert results["n_records"] == printed["n_records"] == len(fold10)
    assert results["set"]["synthetic"] is True and results["set"]["name"] == "synthetic_fold10"
    for key in ("auc", "at_thresholds", "confusion_per_class", "confusion_single_label", "roc", "calibration",
                "predictions", "thresholds"):
        assert key in results
    Y, P = np.array(results["predictions"]["y_true"]), np.array(results["predictions"]["y_prob"])
    for i, c in enumerate(results["classes"]):
        if 0 < Y[:, i].sum() < len(Y):
            assert results["auc"]["per_class"][c]["auc"] == pytest.approx(roc_auc_score(Y[:, i], P[:, i]), abs=1e-4)
    card = json.loads((models / "resnet1d" / "card.json").read_text())
    assert card["metrics"]["synthetic_fold10"]["macro_auc"] == printed["macro_auc"]


def test_predict_prints_good_files_and_reports_bad_ones(trained, tmp_path, capsys):
    good = sorted((resolve().require_data_root() / "ptbxl_more").glob("records100/*/*.hea"))[:2]
    bad = tmp_path / "broken.csv"
    bad.write_text("not;an;ecg\n")
    code = main(["predict", str(good[0]), str(bad), str(good[1]), "--models-dir", str(trained / "models"), "--json"])
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 2 and len(lines) == 2 and err.startswith("error: ") and "broken.csv" in err
    assert set(lines[0]["probabilities"]) == {"NORM", "MI", "STTC", "CD", "HYP"}
    assert all(0 <= p <= 1 for p in lines[0]["probabilities"].values())


def test_unknown_model_is_a_clear_error(capsys):
    assert main(["predict", "x.hea", "--model", "resnet99"]) == 2
    err = capsys.readouterr().err
    assert "unknown model 'resnet99'" in err and "inception1d" in err


def test_models_lists_usable_and_broken_checkpoints(trained, tmp_path, capsys):
    import shutil

    models = tmp_path / "models"
    shutil.copytree(trained / "models" / "resnet1d", models / "resnet1d")
    shutil.copytree(trained / "models" / "resnet1d", models / "lstm")  # wrong model in the lstm folder
    assert main(["models", "--models-dir", str(models), "--json"]) == 0
    entries = {e["name"]: e for e in json.loads(capsys.readouterr().out)}
    assert entries["resnet1d"]["status"] == "ok" and entries["resnet1d"]["parameters"] > 0
    assert entries["kernel"]["status"] == "unavailable" and "make train" in entries["kernel"]["reason"]
    from ecgcore.models import CheckpointError, load_model

    with pytest.raises(CheckpointError, match="holds a 'resnet1d' model"):
        load_model("lstm", models)


def test_kernel_model_trains_from_the_command_line(corpus, tmp_path):
    assert main(["train", "--model", "kernel", "--data", str(corpus), "--out", str(tmp_path / "kernel"),
                 "--set", "components=40", "--set", "C_grid=[0.1]"]) == 0
    card = json.loads((tmp_path / "kernel" / "card.json").read_text())
    assert card["files"]["weights.npz"]["bytes"] > 0 and card["training"]["best_C"] == 0.1
