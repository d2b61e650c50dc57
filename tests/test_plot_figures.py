"""Model-comparison figures, beat views and the offline report, on the real records' labels and signals.

The evaluation results fed to the figures are built with `ecgcore.metrics.summary.evaluation_report` from
the real labelled records' ground truth and two transparent scorers: one that knows the labels (perfect)
and one that inverts them; their figures have known shapes (AUC 1 and 0, diagonal confusion, ...).
"""
from __future__ import annotations

import io

import numpy as np
import pytest

from ecgcore.core.labels import SUPERCLASSES
from ecgcore.data.catalogue import catalogue, load_record
from ecgcore.metrics.clinical import MIN_POSITIVES
from ecgcore.metrics.summary import evaluation_report
from ecgcore.plot import beat_figure
from ecgcore.metrics.disagreements import disagreements
from ecgcore.plot.compare import saliency_strips_figure
from ecgcore.plot.metrics import (calibration_figure, confusion_figure, metrics_table, probability_figure,
                                  roc_figure)
from ecgcore.plot.report import build_report


@pytest.fixture(scope="module")
def results() -> dict:
    cat = catalogue()
    real = cat[cat["in_real_set"]]
    Y = np.array([[int(c in labels) for c in SUPERCLASSES] for labels in real["superclasses"]], dtype=np.uint8)
    ids = list(real["record_id"])
    perfect = np.where(Y == 1, 0.9, 0.1)
    inverted = 1.0 - perfect
    thr = [0.5] * 5
    return {"perfect": evaluation_report(Y, perfect, SUPERCLASSES, thr, ids, n_boot=20),
            "inverted": evaluation_report(Y, inverted, SUPERCLASSES, thr, ids, n_boot=20)}


def test_roc_has_one_line_per_model_in_each_class_panel(results):
    fig = roc_figure(results)
    lines = [t for t in fig.data if t.name in results]
    scored = [c for c in SUPERCLASSES if results["perfect"]["roc"][c] is not None]
    assert len(lines) == 2 * len(scored)
    perfect = [t for t in lines if t.name == "perfect"]
    assert all(max(t.y[i] for i in range(len(t.x)) if t.x[i] == 0.0) == 1.0 for t in perfect)  # TPR 1 at FPR 0
    titles = [a.text for a in fig.layout.annotations][:5]
    assert [t.split("</b>")[0].removeprefix("<b>") for t in titles] == list(SUPERCLASSES)
    for cls, title in zip(SUPERCLASSES, titles):
        n = results["perfect"]["positives"][cls]
        assert (f"only {n}" in title) if n < MIN_POSITIVES else (f"N+ = {n}" in title)  # few positives flagged
    ops = [t for t in fig.data if (t.meta or {}).get("kind") == "operating_point" and t.meta["model"] == "perfect"]
    assert len(ops) == len(scored) and all(t.x[0] == 0.0 and t.y[0] == 1.0 for t in ops)  # perfect at its threshold


def test_confusion_matrices_show_the_counts_and_the_5x5(results):
    fig = confusion_figure(results)
    heat = [t for t in fig.data if t.type == "heatmap"]
    assert len(heat) == 2 * 6  # 5 per-class 2x2 + the single-label 5x5, per model
    m = results["perfect"]["confusion_per_class"]["NORM"]
    assert np.array_equal(np.asarray(heat[0].text), [[m["tn"], m["fp"]], [m["fn"], m["tp"]]])
    single = np.asarray(heat[5].text)
    assert single.shape == (5, 5) and np.array_equal(single, np.diag(np.diag(single)))  # perfect: diagonal only
    assert m["fp"] == 0 and m["fn"] == 0


def test_calibration_metrics_table_and_probability_bars(results):
    cal = calibration_figure(results)
    assert sum(1 for t in cal.data if t.name == "perfect") == 6  # 5 classes + pooled
    table = metrics_table(results).set_index("model")
    assert table.loc["perfect", "macro AUC (95% CI)"].startswith("1.000")
    assert table.loc["inverted", "macro AUC (95% CI)"].startswith("0.000")
    fig = probability_figure(SUPERCLASSES, {"perfect": ([0.9, 0.1, 0.2, 0.1, 0.1], [0.5, 0.4, 0.3, 0.6, 0.5])},
                             truth=("NORM",))
    bar = next(t for t in fig.data if t.type == "bar")
    ticks = [s for s in fig.layout.shapes if s.type == "line"]
    assert [s.x0 for s in ticks] == [0.5, 0.4, 0.3, 0.6, 0.5]
    assert all(s.y0 < y < s.y1 for s, y in zip(ticks, bar.y))  # each tick spans its own bar
    assert bar.meta["outcome"] == ["TP", "TN", "TN", "TN", "TN"]
    assert "✔" in fig.layout.yaxis.ticktext[0] and "✔" not in fig.layout.yaxis.ticktext[1]
    two = probability_figure(SUPERCLASSES, {"a": ([0.9, 0.6, 0, 0, 0], [0.5] * 5), "b": ([0.1] * 5, [0.5] * 5)})
    assert two.layout.meta["contradiction"] and "NORM" in two.layout.meta["contradiction"][0]
    assert len([s for s in two.layout.shapes if s.type == "line"]) == 10


def test_disagreement_finder_ranks_the_records_models_dispute(results):
    found = disagreements(results, top=None)
    n_classes_true = found["truth"].map(lambda t: 0 if t == "—" else len(t.split()))
    assert (found["n_conflicts"] == 5).all()  # perfect vs inverted differ on every class of every record
    assert len(found) == results["perfect"]["n_records"] and n_classes_true.min() >= 1
    one_model = disagreements({"perfect": results["perfect"]})
    assert one_model.empty


def test_beat_and_strip_figures_on_a_real_record():
    ecg = load_record("ptbxl/00008")
    fig = beat_figure(ecg, 2000, 2325, r_index=2125, fiducials_ms={"QRS_on": -40.0, "QRS_off": 50.0, "T_off": 300.0})
    panels = [t for t in fig.data if t.type == "scatter" and "x0" in t and t.x0 is not None]
    assert [t.name for t in panels] == list(ecg.leads) and all(len(t.y) == 325 for t in panels)
    xs = np.asarray(next(t for t in fig.data if t.name == "fiducial points").x, dtype=float)
    assert np.isfinite(xs).sum() == 12 * 3 * 2  # QRS on, J and T end: a vertical line in every lead
    lead_i = next(t for t in panels if t.name == "I")
    j_line = lead_i.x0 + (2125 + 25 - 2000) / 500  # J = R + 50 ms, in the first column (leads I and V1)
    assert np.isclose(xs, j_line).sum() == 4
    maps = {"a": np.linspace(0, 1, ecg.n_samples), "b": None}
    strips = saliency_strips_figure(ecg, "II", maps)
    band = next(t for t in strips.data if t.type == "heatmap")
    z = np.asarray(band.z, dtype=float)
    assert z.shape[0] == 2 and z[0, -1] > 0.9 and np.nanmax(z[1]) == 0.0


def test_report_is_a_two_page_pdf_or_a_png_made_offline():
    from matplotlib.image import imread

    ecg = load_record("ptbxl/00008")
    sal = np.zeros(ecg.n_samples)
    sal[2000:2500] = 1.0
    pdf = build_report(ecg, saliency=sal, fmt="pdf")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 2
    png = build_report(ecg, fmt="png")
    image = imread(io.BytesIO(png))
    assert image.shape[0] > image.shape[1] > 1000  # two A4 landscape pages one above the other


def test_report_draws_a_hostile_record_name_as_typed():
    """A file name is drawn as text: `$...$` is not mathtext (an unknown command would fail to parse and
    break the report), and the PDF title carries the name as typed, never a link."""
    from dataclasses import replace

    ecg = replace(load_record("ptbxl/00008"),
                  record_id=r"[Open the secure viewer](https:example.org) $\notacommand{x}$ <b>x</b>")
    pdf = build_report(ecg, fmt="pdf")
    assert b"Open the secure viewer" in pdf and b"/URI" not in pdf and b"/Link" not in pdf
    png = build_report(ecg, fmt="png")
    assert png.startswith(b"\x89PNG")
