"""What every ECG reader offers, on real records: paper speed and gain, the 6x2 layout, calipers, pacing spikes
kept by the display filter, and a statement's leads and points marked on the tracing (ecgcore.plot)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import wfdb

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGError
from ecgcore.data import ludb
from ecgcore.interpret import Mark, Statement, interpret
from ecgcore.plot import ecg_figure
from ecgcore.plot.calipers import caliper, caliper_point, default_legs, legs_from_box, point_from_paper
from ecgcore.plot.marks import hidden_marks
from ecgcore.plot.paper import GRID_6X2, STANDARD, Scale, calibration_pulse, paper_layout
from ecgcore.plot.statements import format_value, ordered, overlay, report_lines, statement_rows, validation_rows
from ecgcore.signal.display import display_filter
from ecgcore.signal.pacing import spike_samples

from tests.bad_inputs.real_records import real_path

ROOT = Path(__file__).resolve().parent.parent
LEADS = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")


@pytest.fixture(scope="module")
def ecg() -> ECG:
    signal, fields = wfdb.rdsamp(str(real_path("ptbxl") / "records500/00000/00001_hr"))
    return ECG(signal.T.astype(np.float32), float(fields["fs"]), "ptbxl/1", "ptbxl")


@pytest.fixture(scope="module")
def paced() -> ECG:
    """PTB-XL ecg_id 385 (scp_codes PACE), 500 Hz: pacing spikes before the QRS complexes."""
    signal, fields = wfdb.rdsamp(str(real_path("ptbxl_more") / "records500/00000/00385_hr"))
    return ECG(signal.T.astype(np.float32), float(fields["fs"]), "ptbxl/385", "ptbxl")


# ------------------------------------------------------------------------------------------- speed and gain
def test_scale_offers_the_cart_speeds_and_gains_and_refuses_others():
    assert STANDARD.label() == "25 mm/s · 10 mm/mV" and STANDARD.s_per_mm == pytest.approx(0.04)
    fast = Scale(50, 20)
    assert fast.s_per_mm == pytest.approx(0.02) and fast.mv_per_mm == pytest.approx(0.05)
    assert fast.window_s == pytest.approx(5.0) and STANDARD.window_s == pytest.approx(10.0)
    with pytest.raises(ECGError, match="paper speed 30 mm/s is not offered; use 25 or 50"):
        Scale(30, 10)
    with pytest.raises(ECGError, match="gain 15 mm/mV is not offered"):
        Scale(25, 15)


@pytest.mark.parametrize("speed,gain", [(25, 5), (25, 10), (25, 20), (50, 10)])
def test_figure_keeps_square_millimetres_at_every_speed_and_gain(ecg, speed, gain):
    scale = Scale(speed, gain)
    fig = ecg_figure(ecg, "3x4", window_s=scale.window_s, scale=scale)
    x, y = fig.layout.xaxis, fig.layout.yaxis
    assert x.minor.dtick == pytest.approx(1 / speed) and x.dtick == pytest.approx(5 / speed)  # 1 mm and 5 mm
    assert y.minor.dtick == pytest.approx(1 / gain) and y.dtick == pytest.approx(5 / gain)
    assert y.scaleratio == pytest.approx(gain / speed)
    meta = fig.layout.meta
    assert meta["mm_per_s"] == speed and meta["mm_per_mv"] == gain
    assert meta["height_mm"] == pytest.approx(160.0)  # four 40 mm rows whatever the gain
    assert meta["width_mm"] == pytest.approx(260.0)  # 10 mm margin + 250 mm: 10 s at 25 mm/s, 5 s at 50 mm/s
    assert f"{speed} mm/s · {gain} mm/mV" in fig.layout.annotations[-1].text
    strip = [t for t in fig.data if t.name == "II"][-1]
    assert len(strip.y) == int(round(scale.window_s * ecg.fs))


def test_calibration_pulse_is_one_millivolt_and_five_millimetres_wide_at_any_speed():
    for scale in (STANDARD, Scale(50, 20)):
        x, y = calibration_pulse(-4.0, 0.0, scale)
        assert y.max() - y.min() == pytest.approx(1.0)  # 1 mV: 10 mm at 10 mm/mV, 20 mm at 20 mm/mV
        assert (x[3] - x[2]) * scale.mm_per_s == pytest.approx(5.0)
        assert x[0] >= -10.0 * scale.s_per_mm - 1e-9 and x[-1] <= 0.0  # inside the 10 mm margin


# ----------------------------------------------------------------------------------------------------- 6x2
def test_6x2_puts_limb_leads_over_the_first_half_and_chest_leads_over_the_second(ecg):
    paper = paper_layout(ecg, "6x2")
    assert paper.n_rows == 7 and paper.row_height_mv == pytest.approx(3.0)
    by_lead = {(p.lead, p.row): p for p in paper.panels}
    for r, (limb, chest) in enumerate(GRID_6X2):
        assert by_lead[(limb, r)].start == 0 and by_lead[(limb, r)].stop == 2500  # 0-5 s
        assert by_lead[(chest, r)].start == 2500 and by_lead[(chest, r)].x0 == pytest.approx(5.0)
    strip = by_lead[("II", 6)]
    assert (strip.start, strip.stop) == (0, 5000)
    fig = ecg_figure(ecg, "6x2")
    labels = [a.text.replace("<b>", "").replace("</b>", "") for a in fig.layout.annotations][:13]
    assert labels == [lead for row in GRID_6X2 for lead in row] + ["II"]
    assert paper_layout(ecg, "6x2", scale=Scale(25, 20)).row_height_mv == pytest.approx(1.5)  # 30 mm at 20 mm/mV


# ------------------------------------------------------------------------------------------------ calipers
def test_caliper_reads_time_rate_and_amplitude_on_the_samples(ecg):
    cal = caliper(ecg, ("II", 1.0), ("II", 1.8))
    assert cal.dt_ms == pytest.approx(800.0) and cal.rate_per_min == pytest.approx(75.0)
    ii = ecg.lead("II")
    assert cal.dv_mv == pytest.approx(float(ii[900]) - float(ii[500]))
    assert caliper_point(ecg, "V2", 1.0011).t_s == pytest.approx(1.002)  # to the nearest sample (500 Hz)
    same = caliper(ecg, ("I", 2.0), ("V1", 2.0))
    assert same.rate_per_min is None and "Δt 0 ms · ΔV" in same.short()
    assert cal.text().endswith("(II at 1.000 s → II at 1.800 s)")


def test_caliper_refuses_what_cannot_be_measured(ecg):
    with pytest.raises(ECGError, match="no lead 'V7'"):
        caliper_point(ecg, "V7", 1.0)
    with pytest.raises(ECGError, match="outside the record"):
        caliper_point(ecg, "II", 12.0)
    gap = ecg.with_signal(np.where(np.arange(ecg.n_samples) < 600, np.nan, ecg.signal).astype(np.float32))
    with pytest.raises(ECGError, match="lead off"):
        caliper_point(gap, "II", 1.0)


def test_a_click_on_the_paper_finds_its_lead_and_time(ecg):
    paper = paper_layout(ecg, "3x4")
    # row 1 (II, aVL, V2, V5; baseline -4 mV), 6.0 s: V2's quarter (5-7.5 s)
    assert point_from_paper(paper, 6.0, -4.0 + 0.7) == ("V2", pytest.approx(6.0))
    assert point_from_paper(paper, 1.0, -12.2)[0] == "II"  # the rhythm strip
    assert point_from_paper(paper_layout(ecg, "6x2"), 7.0, -9.0)[0] == "V4"
    with pytest.raises(ECGError, match="no lead is drawn"):
        point_from_paper(paper, -0.3, 0.0)  # the calibration margin


def test_caliper_legs_start_on_two_r_peaks():
    assert default_legs(np.array([100, 500, 900]), 500.0, 0.5, 10.0) == (1.0, 1.8)
    assert default_legs(np.array([100]), 500.0, 0.0, 10.0) == (1.0, 2.0)


def test_caliper_drawn_on_every_panel_of_its_lead(ecg):
    fig = ecg_figure(ecg, "3x4", caliper=caliper(ecg, ("II", 1.0), ("II", 1.8)))
    legs = [s for s in fig.layout.shapes if s.line.dash == "dash"]
    assert len(legs) == 4  # II in its column and on the rhythm strip, both legs
    readout = [a for a in fig.layout.annotations if a.text and a.text.startswith("Δt")]
    assert [a.text for a in readout] == [caliper(ecg, ("II", 1.0), ("II", 1.8)).short()]
    across = ecg_figure(ecg, "3x4", caliper=caliper(ecg, ("II", 2.0), ("II", 2.8)))  # leg 2 is past II's column
    bracket = [s for s in across.layout.shapes if s.line.dash is None and s.type == "line"][0]
    assert (bracket.x0, bracket.x1) == (pytest.approx(2.0), pytest.approx(2.8))
    assert bracket.y0 == pytest.approx(-12.0 + 1.6)  # on the rhythm strip, the row that holds both legs


def test_a_stretch_dragged_on_the_paper_gives_both_legs(ecg):
    paper = paper_layout(ecg, "3x4")
    assert legs_from_box(paper, (2.8, 2.0), (-11.0, -13.5)) == (("II", pytest.approx(2.0)), ("II", pytest.approx(2.8)))
    # across the column border of row 0 (I: 0-2.5 s, aVR: 2.5-5 s): each edge takes its own lead
    assert [lead for lead, _ in legs_from_box(paper, (2.0, 3.0), (0.5, -0.5))] == ["I", "aVR"]
    with pytest.raises(ECGError, match="no lead is drawn"):
        legs_from_box(paper, (-0.3, 1.0), (0.0, 0.0))
    assert ecg_figure(ecg, "3x4", caliper_drag=True).layout.dragmode == "select"
    assert ecg_figure(ecg, "3x4").layout.dragmode == "zoom"


# ----------------------------------------------------------------------------------------- pacing spikes
def test_display_filter_keeps_pacing_spikes_that_the_low_pass_would_shrink(paced):
    found, _ = spike_samples(paced.signal, paced.fs)
    spikes = np.asarray(found) / paced.fs
    assert len(spikes) >= 5, "PTB-XL 385 is paced: spikes are expected on its unfiltered signal"
    plain = display_filter(paced.signal, paced.fs)
    kept = display_filter(paced.signal, paced.fs, spikes_s=tuple(spikes))
    high = display_filter(paced.signal, paced.fs, lowpass_hz=None)  # the high-pass alone keeps the spikes
    idx = np.round(spikes * paced.fs).astype(int)
    lead = int(np.argmax(np.abs(high[:, idx]).mean(axis=1)))
    assert np.abs(kept[lead, idx]).mean() == pytest.approx(np.abs(high[lead, idx]).mean(), rel=0.05)
    assert np.abs(plain[lead, idx]).mean() < 0.8 * np.abs(kept[lead, idx]).mean()
    far = np.ones(paced.n_samples, bool)
    for i in idx:
        far[max(0, i - 10):i + 11] = False  # 20 ms from any spike the signal is the usual display
    assert np.allclose(kept[:, far], plain[:, far])


def test_spikes_are_marked_on_every_panel(paced):
    fig = ecg_figure(paced, "3x4", spikes_s=(0.5, 1.3, 7.9))
    bars = [t for t in fig.data if t.name == "pacing spikes"][0]
    n_bars = sum(1 for v in bars.x if v is None)
    assert n_bars == 3 * 3 + 3  # 3 rows of the column holding each spike (0.5 and 1.3 s: I, II, III;
    # 7.9 s: V4, V5, V6) and the rhythm strip, which holds all three


# ------------------------------------------------------------------------------------------------ statements
def _statement(key, severity, leads=("II",), values=None, marks=(), reason=None):
    return Statement(key, f"text of {key}", "infarct", severity, tuple(leads), dict(values or {}), f"rule {key}",
                     f"source {key}", key if severity != "not assessable" else None, None, reason, tuple(marks))


def test_urgent_statements_come_first_the_unassessable_last_the_rest_in_order():
    items = [_statement("SR", "normal"), _statement("NA", "not assessable", (), reason="lead V1 is off"),
             _statement("1AVB", "abnormal"), _statement("STEMI", "urgent")]
    assert [s.key for s in ordered(items)] == ["STEMI", "SR", "1AVB", "NA"]
    rows = statement_rows(items)
    assert rows[0]["severity"].startswith("‼") and rows[0]["SCP"] == "STEMI"
    assert rows[3]["criterion"] == "not assessable: lead V1 is off"
    lines = report_lines(items)
    assert lines[0] == "‼ text of STEMI (leads II)" and lines[3].startswith("? text of NA")


def test_values_are_written_with_their_units():
    assert format_value("PR_ms", 248.4) == "PR 248 ms"
    assert format_value("ST_J60_V2_mV", 0.25) == "ST J60 V2 0.25 mV"
    assert format_value("QRS_axis_deg", -73.0) == "QRS axis -73°"
    assert format_value("HR_per_min", 83.2) == "HR 83 /min" and format_value("PTF_V1_mVs", 0.04) == "PTF V1 0.04 mV·s"
    assert format_value("PR_ms", None) == "PR not measurable" and format_value("QT_ms", float("nan")).endswith(
        "not measurable")


def test_a_selected_statement_shades_its_leads_and_circles_its_points(ecg):
    st = _statement("IMI", "abnormal", ("II", "III", "aVF"),
                    marks=(Mark("III", 1.234, "Q 40 ms"), Mark("II", 2.0, "Q 32 ms"), Mark("V9", 1.0, "x")))
    leads, marks = overlay(st)
    assert overlay(None) == ((), ())
    fig = ecg_figure(ecg, "3x4", statement_leads=leads, marks=marks)
    shaded = [s for s in fig.layout.shapes if s.type == "rect" and s.layer == "below"]
    assert len(shaded) == 4  # II, III, aVF and the lead-II rhythm strip
    circles = [t for t in fig.data if t.name == "statement marks"][0]
    assert list(circles.customdata) == ["III: Q 40 ms", "II: Q 32 ms", "II: Q 32 ms"]  # II: column + strip
    assert hidden_marks(paper_layout(ecg, "3x4"), marks) == [marks[2]]  # V9 is drawn nowhere
    assert hidden_marks(paper_layout(ecg, "3x4"), (Mark("V1", 1.0, "QRS onset"),)) != []  # V1: 5-7.5 s only
    assert hidden_marks(paper_layout(ecg, "12x1"), (Mark("V1", 1.0, "QRS onset"),)) == []
    assert circles.x[0] == pytest.approx(1.234) and circles.y[0] == pytest.approx(
        float(ecg.lead("III")[617]) - 8.0, abs=1e-5)  # on the trace, in row 3 (baseline -8 mV)


def test_labels_of_close_marks_stand_apart(ecg):
    fig = ecg_figure(ecg, "12x1", marks=(Mark("II", 3.0, "P onset"), Mark("II", 3.215, "QRS onset"),
                                         Mark("V1", 6.0, "J+60")))
    circles = [t for t in fig.data if t.name == "statement marks"][0]
    assert list(circles.textposition) == ["top left", "top right", "top center"]


def test_real_interpretation_marks_land_on_the_tracing():
    """Every mark the interpretation gives for a real LUDB record lies on a drawn lead at a time in the record."""
    rec = ludb.load_ecg(real_path("ludb"), 8)
    found = interpret(rec)
    marks = [m for s in found.statements for m in s.marks]
    fig = ecg_figure(rec, "12x1", marks=marks)
    drawn = [t for t in fig.data if t.name == "statement marks"]
    assert len(drawn[0].x) == len(marks) if marks else not drawn
    for m in marks:
        assert m.lead in LEADS and 0.0 <= m.t_s <= rec.duration


def test_the_report_carries_the_statements():
    from ecgcore.plot.report import _page_statements, build_report

    ecg = ludb.load_ecg(real_path("ludb"), 8)
    found = interpret(ecg)
    pdf = build_report(ecg, interpretation=found, fmt="pdf")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 3  # tracing, statements, details
    assert len(re.findall(rb"/Type\s*/Page(?!s)", build_report(ecg, fmt="pdf"))) == 2
    page = _page_statements(ecg, found.statements)
    texts = " ".join(t.get_text() for t in page.texts)
    made = [s for s in found.statements if s.severity != "not assessable"]
    assert made and all(s.text[:40] in texts for s in made[:5])


def test_validation_rows_give_wilson_intervals_with_their_counts_and_say_when_they_are_few():
    rows = [{"source": "ptbxl", "statement": "1AVB", "tp": 12, "fp": 10, "fn": 9, "tn": 490},
            {"source": "ludb", "statement": "1AVB", "tp": 3, "fp": 0, "fn": 1, "tn": 96},
            {"source": "cinc/georgia", "statement": "1AVB", "tp": 0, "fp": 1, "fn": 0, "tn": 40},
            {"source": "cinc/ningbo", "statement": "1AVB", "tp": 0, "fp": 0, "fn": 0, "tn": 0},
            {"source": "ptbxl", "statement": "SR", "tp": 400, "fp": 20, "fn": 28, "tn": 77}]
    out = validation_rows(rows, ["1AVB"])
    assert [r["source"] for r in out] == ["cinc/georgia", "ludb", "ptbxl"]  # ningbo judged nothing: left out
    ptbxl = out[2]
    assert ptbxl["positives"] == 21 and ptbxl["sensitivity"] == "0.57 [0.37-0.76] (12/21)"
    assert ptbxl["specificity"].endswith("(490/500)") and ptbxl["PPV"].startswith("0.55 [") and ptbxl["note"] == ""
    assert out[1]["note"] == "fewer than 10 positives: read the interval"
    assert out[0]["sensitivity"] == "—" and out[0]["note"].startswith("no positives")


def test_the_shipped_validation_file_covers_statements_the_interpretation_makes():
    rows = json.loads((ROOT / "assets" / "interpretation_validation.json").read_text())["rows"]
    keys = {r["statement"] for r in rows}
    assert {"SR", "AFIB", "1AVB", "CLBBB", "CRBBB", "PACE", "QMI_INFERIOR"} <= keys
    assert validation_rows(rows, ["1AVB"])
