"""`python -m ecgcore measure`, the display filter and the report's measurement block, on real files."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ecgcore.cli import main
from ecgcore.data.catalogue import load_record
from ecgcore.plot.report import _page_details
from ecgcore.core.settings import resolve
from ecgcore.signal import analyse_record
from ecgcore.signal.display import display_band, display_filter
from ecgcore.signal.measure import NO_P_AF


@pytest.fixture(scope="module")
def af_file() -> str:
    return str(resolve().require_data_root() / "cases" / "af-no-p-waves" / "af105.hea")


def test_measure_json_gives_null_pr_with_the_af_reason_and_flags(af_file, capsys):
    assert main(["measure", af_file, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rhythm"] == "atrial fibrillation"
    m = out["measurements"]
    assert m["PR"] == {"value": None, "unit": "ms", "reason": NO_P_AF}
    assert 105 <= m["HR"]["value"] <= 120 and m["QTc_Fridericia"]["value"] is not None
    assert "HR_high" in {f["id"] for f in out["flags"]}


def test_measure_text_and_a_bad_file(af_file, tmp_path, capsys):
    bad = tmp_path / "broken.hea"
    bad.write_text("not a header\n")
    assert main(["measure", af_file, str(bad)]) == 2
    captured = capsys.readouterr()
    assert "PR" in captured.out and "—" in captured.out and NO_P_AF in captured.out
    assert captured.err.startswith("error: ") and "broken.hea" in captured.err and "Traceback" not in captured.err


def test_display_filter_removes_baseline_wander_and_keeps_the_qrs():
    ecg = load_record("ptbdb/patient096/s0379lre")
    x = ecg.signal[:, : int(20 * ecg.fs)]
    y = display_filter(x, ecg.fs)
    assert display_band() == "0.5-40 Hz" and display_band(None, None) == "unfiltered"
    # the per-second median (baseline) of every lead stays near 0 after the high-pass
    sec = int(ecg.fs)
    base = np.median(y[:, : (y.shape[1] // sec) * sec].reshape(12, -1, sec), axis=2)
    assert np.abs(base).max() < 0.25 < np.abs(np.median(x[:, : (x.shape[1] // sec) * sec].reshape(12, -1, sec),
                                                           axis=2)).max()
    per_second_ptp = lambda s: np.median(np.ptp(s[:, : (s.shape[1] // sec) * sec].reshape(12, -1, sec), axis=2))  # noqa: E731
    assert per_second_ptp(y) > 0.8 * per_second_ptp(x)  # the QRS amplitude is kept


def test_report_lists_not_measurable_values_with_their_reason(af_file):
    from ecgcore.io import read_path

    ecg = read_path(af_file)
    fig = _page_details(ecg, None, None, analyse_record(ecg))
    texts = [t.get_text().replace("\n", " ") for t in fig.texts]  # a reason is wrapped to its column
    assert "—" in texts and NO_P_AF in texts and any("atrial fibrillation" in t for t in texts)
