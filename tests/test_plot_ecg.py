"""The ECG paper figure on a real PTB-XL record (ecg_id 1, 500 Hz)."""
from __future__ import annotations

import numpy as np
import pytest
import wfdb


from tests.bad_inputs.real_records import real_path  # noqa: E402

DEMO_PTBXL = real_path("ptbxl")
from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGError
from ecgcore.plot import ecg_figure
from ecgcore.plot.paper import GRID_3X4, minmax_decimate, paper_layout


@pytest.fixture(scope="module")
def ecg() -> ECG:
    signal, fields = wfdb.rdsamp(str(DEMO_PTBXL / "records500/00000/00001_hr"))
    return ECG(signal.T.astype(np.float32), float(fields["fs"]), "ptbxl/1", "ptbxl")


def _lead_traces(fig):
    return [t for t in fig.data if t.type == "scatter" and t.name and t.name.split(" ")[0] in
            ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")]


def test_3x4_layout_places_each_lead_in_its_quarter_plus_rhythm_strip(ecg):
    fig = ecg_figure(ecg, "3x4")
    traces = _lead_traces(fig)
    assert len(traces) == 13  # 12 panels + the 10 s lead-II rhythm strip
    labels = [a.text.replace("<b>", "").replace("</b>", "") for a in fig.layout.annotations][:13]
    assert labels == [lead for row in GRID_3X4 for lead in row] + ["II"]
    by_name = {}
    for t in traces:
        by_name.setdefault(t.name, []).append(t)
    v4 = by_name["V4"][0]  # 4th column: 7.5 s to 10 s
    assert v4.x0 == pytest.approx(7.5) and v4.dx == pytest.approx(1 / 500) and len(v4.y) == 1250
    rhythm = by_name["II"][1]
    assert len(rhythm.y) == 5000 and rhythm.x0 == 0.0
    baseline = -3 * 4.0  # fourth row, 4 mV (40 mm) rows
    np.testing.assert_allclose(rhythm.y, ecg.lead("II") + baseline, atol=1e-5)


def test_paper_is_standard_grid_with_square_millimetres(ecg):
    fig = ecg_figure(ecg, "12x1")
    x, y = fig.layout.xaxis, fig.layout.yaxis
    assert x.dtick == pytest.approx(0.2) and x.minor.dtick == pytest.approx(0.04)  # 5 mm / 1 mm at 25 mm/s
    assert y.dtick == pytest.approx(0.5) and y.minor.dtick == pytest.approx(0.1)  # 5 mm / 1 mm at 10 mm/mV
    assert y.scaleanchor == "x" and y.scaleratio == pytest.approx(10 / 25)
    assert len(_lead_traces(fig)) == 12 and all(len(t.y) == 5000 for t in _lead_traces(fig))
    cal = next(t for t in fig.data if t.name == "1 mV calibration")
    pulses = np.split(np.asarray(cal.y, dtype=float), np.flatnonzero(np.isnan(np.asarray(cal.y, dtype=float))))
    pulses = [p[~np.isnan(p)] for p in pulses if np.isfinite(p).any()]
    assert len(pulses) == 12  # one per row
    assert all(np.isclose(p.max() - p.min(), 1.0) for p in pulses)  # 1 mV high


def test_grad_cam_band_is_hot_where_the_map_is(ecg):
    sal = np.zeros(ecg.n_samples)
    sal[2000:2500] = 1.0  # 4.0 s to 5.0 s
    fig = ecg_figure(ecg, "3x4", saliency=sal, saliency_mode="band", opacity=0.4)
    band = next(t for t in fig.data if t.type == "heatmap")
    z = np.asarray(band.z, dtype=float)
    assert z.shape == (4, 250)  # 4 rows x 1 mm (40 ms) bins over 10 s
    hot = np.asarray(band.x)[np.nanmax(z, axis=0) > 0.5]
    assert hot.min() >= 4.0 and hot.max() <= 5.0
    assert band.opacity == pytest.approx(0.4)


def test_per_lead_saliency_colours_only_salient_samples(ecg):
    sal = np.zeros((12, ecg.n_samples))
    sal[7, 1000:1100] = 0.9  # V2 at 2.0-2.2 s: V2's column shows 5-7.5 s, so nothing of it is drawn
    sal[1, 1000:1100] = 0.9  # II at 2.0-2.2 s: drawn in II's column (0-2.5 s) and in the rhythm strip
    fig = ecg_figure(ecg, "3x4", saliency=sal, saliency_mode="trace")
    levels = {t.name: np.asarray(t.x, dtype=float) for t in fig.data if t.name and t.name.startswith("evidence")}
    top = levels["evidence: strongest"]
    top = top[~np.isnan(top)]
    # lead II twice (its column and the rhythm strip), not V2 (its column shows 5-7.5 s); the colour follows
    # the map averaged over 40 ms, so the run's edges fade through the lower levels within 20 ms
    assert 2 * 70 <= len(top) <= 2 * 102
    assert top.min() >= 2.0 - 0.002 and top.max() <= 2.2 + 0.002
    every = np.concatenate([x[~np.isnan(x)] for x in levels.values()])
    assert every.min() >= 2.0 - 0.022 and every.max() <= 2.2 + 0.022


def test_bad_saliency_shape_and_layout_give_clear_errors(ecg):
    with pytest.raises(ECGError, match="does not fit"):
        ecg_figure(ecg, saliency=np.zeros(10))
    with pytest.raises(ECGError, match="unknown ECG layout"):
        ecg_figure(ecg, "4x3")


def test_window_of_a_long_record_and_rpeaks(ecg):
    long = ecg.with_signal(np.tile(ecg.signal, (1, 3)))  # 30 s
    lay = paper_layout(long, "3x4", start_s=12.0)
    assert lay.x_range == pytest.approx((11.6, 22.0))
    fig = ecg_figure(long, "3x4", start_s=12.0, rpeaks=[100, 6500, 7000, 14000], highlight=(6400, 6700))
    marks = next(t for t in fig.data if t.name == "R peaks")
    assert list(marks.customdata) == [2, 3]  # beat numbers (from 1) of the peaks inside 12 s to 22 s
    assert fig.layout.shapes[0].x0 == pytest.approx(12.8)


def test_minmax_decimation_keeps_every_peak():
    rng = np.random.default_rng(0)
    y = rng.normal(size=5000)
    y[1234] = 9.0
    y[4321] = -9.0
    x = np.arange(5000)
    xd, yd = minmax_decimate(x, y, 500)
    assert len(yd) == 1000 and yd.max() == 9.0 and yd.min() == -9.0
    assert np.all(np.diff(xd) > 0)
