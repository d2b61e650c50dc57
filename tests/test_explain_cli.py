"""`python -m ecgcore explain FILE --model NAME [--target CLASS] --json [--out FILE.npz]` on a real record."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ecgcore.cli import main
from ecgcore.core.leads import LEADS

from tests.bad_inputs.real_records import real_path  # noqa: E402

DEMO_CINC = real_path("cinc")
DEMO_PTBXL = real_path("ptbxl")
from ecgcore.models import create

RECORD = str(DEMO_PTBXL / "records500/00000/00008_hr.hea")  # real PTB-XL, MI, 500 Hz, 10 s


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory):
    """A checkpoint folder with a resnet1d (real architecture and code; weights from its seeded init)."""
    folder = tmp_path_factory.mktemp("models")
    create("resnet1d", seed=2).save(folder / "resnet1d")
    return folder


def test_json_has_predictions_rpeaks_beats_and_measurements(models_dir, tmp_path, capsys):
    out = tmp_path / "maps.npz"
    code = main(["explain", RECORD, "--model", "resnet1d", "--models-dir", str(models_dir), "--target", "MI",
                 "--attribution", "saliency", "--json", "--out", str(out)])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["target"] == "MI" and list(summary["predictions"]) == ["NORM", "MI", "STTC", "CD", "HYP"]
    assert all(0 <= p["probability"] <= 1 for p in summary["predictions"].values())
    rpeaks = summary["rpeaks"]
    assert 8 <= len(rpeaks) <= 16 and rpeaks == sorted(rpeaks) and 0 <= rpeaks[0] and rpeaks[-1] < 5000
    assert len(summary["beats"]) == len(rpeaks) and summary["top_beats"][0] in range(len(rpeaks))
    ranks = sorted(b["rank"] for b in summary["beats"])
    assert ranks == list(range(1, len(rpeaks) + 1))
    assert summary["beats"][summary["top_beats"][0]]["rank"] == 1
    m = summary["analysis"]["measurements"]
    assert 40 < m["HR"]["value"] < 150 and m["QRS"]["value"] is not None and -180 <= m["axis"]["value"] <= 180
    maps = np.load(out)
    assert maps["cam"].shape == (5, 5000) and maps["per_lead"].shape == (12, 5000)
    assert maps["rpeaks"].tolist() == rpeaks and str(maps["target"]) == "MI"
    # the median beat the app draws: the analysis's window (MEDIAN_BEFORE_S + MEDIAN_AFTER_S) at 500 Hz
    assert maps["median_beat"].shape == maps["mean_beat_per_lead"].shape == (12, 600) and int(maps["median_r"]) == 250
    assert summary["lead_evidence"]["summary"].startswith("MI evidence: ")
    assert set(summary["lead_evidence"]["per_lead"]["MI"]) == set(LEADS)


def test_text_summary_and_bad_inputs(models_dir, tmp_path, capsys):
    assert main(["explain", RECORD, "--model", "resnet1d", "--models-dir", str(models_dir),
                 "--attribution", "saliency"]) == 0
    text = capsys.readouterr().out
    assert "HR" in text and "QTc" in text and "beats (R-peaks by" in text
    broken = tmp_path / "broken.hea"
    broken.write_text("this is not a header\n")
    assert main(["explain", str(broken), "--model", "resnet1d", "--models-dir", str(models_dir)]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert main(["explain", RECORD, "--model", "nope", "--models-dir", str(models_dir)]) == 2
    assert "valid models" in capsys.readouterr().err
    assert main(["explain", RECORD, "--model", "resnet1d", "--models-dir", str(models_dir), "--target", "AFIB"]) == 2
    assert "NORM, MI, STTC, CD, HYP" in capsys.readouterr().err


def test_a_challenge_record_with_a_quirky_header_is_explained(models_dir, capsys):
    code = main(["explain", str(DEMO_CINC / "georgia/E07500.hea"), "--model", "resnet1d", "--models-dir",
                 str(models_dir), "--attribution", "saliency", "--json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["beats_reason"] is None
