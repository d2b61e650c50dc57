"""An offline report of one record: the 12-lead tracing on ECG paper at true scale (25 mm/s, 10 mm/mV),
a model's predictions against its thresholds, its saliency, the measurements and a model-card summary.

Drawn with matplotlib's own PDF and Agg back ends (no browser, no network, no kaleido/Chrome), using the
same paper layout as the dashboard's plotly figures (`ecgcore.plot.paper`). A4 landscape.
"""
from __future__ import annotations

import io
import math
import textwrap
from datetime import datetime, timezone
from typing import Any, Mapping, Sequence

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGError
from ecgcore.signal.analysis import RecordAnalysis
from ecgcore.plot.paper import (MM_PER_MV, MM_PER_S, MV_PER_MM, S_PER_MM, PaperLayout, beat_layout, calibration_pulse,
                                paper_layout)

FORMATS = ("pdf", "png")
PAGE_MM = (297.0, 210.0)  # A4 landscape
MM_PER_INCH = 25.4
PNG_DPI = 150
DISCLAIMER = "Research and teaching aid, not a diagnostic device. Do not use for clinical decisions."
_MINOR, _MAJOR = "#f4b8b0", "#e0675c"


def _paper_axes(fig: Figure, paper: PaperLayout, left_mm: float, bottom_mm: float):
    """Axes placed so that 1 s = 25 mm and 1 mV = 10 mm on the printed page, with the ECG grid."""
    width_mm = (paper.x_range[1] - paper.x_range[0]) * MM_PER_S
    height_mm = (paper.y_range[1] - paper.y_range[0]) * MM_PER_MV
    w, h = PAGE_MM
    ax = fig.add_axes((left_mm / w, bottom_mm / h, width_mm / w, height_mm / h))
    ax.set_xlim(*paper.x_range)
    ax.set_ylim(*paper.y_range)
    xs = np.arange(math.ceil(paper.x_range[0] / S_PER_MM - 1e-6), math.floor(paper.x_range[1] / S_PER_MM + 1e-6) + 1)
    ys = np.arange(math.ceil(paper.y_range[0] / MV_PER_MM - 1e-6), math.floor(paper.y_range[1] / MV_PER_MM + 1e-6) + 1)
    for step, colour, width in ((1, _MINOR, 0.25), (5, _MAJOR, 0.5)):  # grid as two line collections per axis:
        xv, yv = xs[xs % step == 0] * S_PER_MM, ys[ys % step == 0] * MV_PER_MM  # ticks would be ~50x slower
        ax.vlines(xv, *paper.y_range, colors=colour, linewidth=width, zorder=0)
        ax.hlines(yv, *paper.x_range, colors=colour, linewidth=width, zorder=0)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_facecolor("#fffaf8")
    return ax


def _draw(ax, ecg: ECG, paper: PaperLayout, saliency: np.ndarray | None) -> None:
    """Traces, calibration pulses, lead labels, and saliency (a display map on [0, 1], shared or per lead)
    drawn ON the trace: above each level the trace is thicker and a darker blue (`ecgcore.plot.style`), so
    the evidence stays legible when the page is printed in grey."""
    from ecgcore.plot.saliency import LEVEL_EDGES
    from ecgcore.plot.style import TRACE_LEVELS

    for panel in paper.panels:
        t = panel.x0 + np.arange(panel.stop - panel.start) / ecg.fs
        y = ecg.lead(panel.lead)[panel.start:panel.stop] + panel.baseline
        ax.plot(t, y, color="#111111", linewidth=0.55, zorder=3)
        if saliency is not None:
            row = saliency if saliency.ndim == 1 else saliency[ecg.leads.index(panel.lead)]
            width = max(1, int(round(0.04 * ecg.fs)))  # the level follows the map averaged over 40 ms
            values = np.convolve(row[panel.start:panel.stop], np.ones(width) / width, mode="same")
            for k, (edge, colour) in enumerate(zip(LEVEL_EDGES, TRACE_LEVELS)):
                ax.plot(t, np.where(values >= edge, y, np.nan), color=colour, linewidth=1.0 + 0.6 * k,
                        zorder=3.1 + 0.1 * k, solid_capstyle="round")
        label = panel.lead + ("*" if panel.lead in ecg.derived else "")
        ax.text(panel.x0 + 0.04, panel.baseline + paper.row_height_mv * 0.38, label, fontsize=8,
                fontweight="bold", zorder=4)
    for baseline in paper.row_baselines():
        x, y = calibration_pulse(baseline, min(p.x0 for p in paper.panels))
        ax.plot(x, y, color="#111111", linewidth=0.7, zorder=3)


def _header(fig: Figure, ecg: ECG, subtitle: str) -> None:
    sex = {"M": "male", "F": "female"}.get(ecg.sex or "", "sex unknown")
    age = f"{ecg.age:g} y" if ecg.age is not None else "age unknown"
    truth = ", ".join(ecg.labels) if ecg.labels else "unlabelled"
    fig.text(0.03, 0.965, f"ECG report · {ecg.record_id}", fontsize=13, fontweight="bold", va="top")
    fig.text(0.03, 0.93, f"{ecg.source} · {age} · {sex} · ground truth: {truth} · {ecg.fs:g} Hz · "
                         f"{ecg.duration:.1f} s" + (f" · derived leads*: {', '.join(ecg.derived)}" if ecg.derived else ""),
             fontsize=8.5, va="top")
    fig.text(0.03, 0.905, subtitle, fontsize=8.5, va="top")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    fig.text(0.97, 0.965, stamp, fontsize=7.5, ha="right", va="top", color="#555555")
    fig.text(0.5, 0.012, DISCLAIMER, fontsize=7.5, ha="center", color="#8a1c1c")


def _page_tracing(ecg: ECG, start_s: float, saliency: np.ndarray | None, subtitle: str) -> Figure:
    fig = Figure(figsize=(PAGE_MM[0] / MM_PER_INCH, PAGE_MM[1] / MM_PER_INCH))
    paper = paper_layout(ecg, "3x4", start_s=start_s, row_height_mv=4.0)
    width_mm = (paper.x_range[1] - paper.x_range[0]) * MM_PER_S
    ax = _paper_axes(fig, paper, (PAGE_MM[0] - width_mm) / 2, 14.0)
    _draw(ax, ecg, paper, saliency)
    _header(fig, ecg, subtitle)
    fig.text(0.97, 0.055, "25 mm/s · 10 mm/mV · grid 1 mm / 5 mm · printed at true scale on A4",
             fontsize=7, ha="right", color="#555555")
    return fig


def _evidence_section(fig: Figure, explanation: Any) -> None:
    """Lead evidence of the target class: the leads named, then every lead's and group's change in points (for
    the lead-wise model, its own lead contributions in logit units instead)."""
    con = getattr(explanation, "contributions", None)
    cls = explanation.target
    if con is not None:  # the lead-wise model: its own lead contributions (ecgcore.models.leadwise)
        k = con.classes.index(cls)
        fig.text(0.07, 0.455, con.summary(cls), fontsize=8.5, fontweight="bold", va="top")
        leads = "  ".join(f"{lead} {v:+.2f}" for lead, v in con.lead_changes(cls).items())
        fig.text(0.07, 0.43, f"What each lead adds to the {cls} logit beyond a normal lead (lead weight x lead score, "
                             f"mean over the scoring windows, minus the training records' NORM average; the model adds "
                             f"the leads up): {leads}; baseline {con.baseline_logit[k]:+.2f}, mean window logit "
                             f"{con.mean_logit[k]:+.2f}.", fontsize=7, va="top", wrap=True)
        return
    ev = getattr(explanation, "evidence", None)
    if ev is None:
        return
    fig.text(0.07, 0.455, ev.summary(cls), fontsize=8.5, fontweight="bold", va="top")
    leads = "  ".join(f"{lead} {100 * v:+.0f}" for lead, v in ev.lead_changes(cls).items())
    groups = "  ".join(f"{g} {100 * v:+.0f}" for g, v in ev.group_changes(cls).items())
    fig.text(0.07, 0.43, f"Points p({cls}) falls when the lead is replaced by a normal beat (NORM population, at "
                         f"this record's beats): {leads}. Lead groups replaced together: {groups}.",
             fontsize=7, va="top", wrap=True)


#: characters of 6.5 pt text that fit the measurement column (0.52-0.75 of the A4 width)
MEASUREMENT_COLUMN_CHARS = 40


def _input_line(card_input: Mapping[str, Any]) -> str:
    """The model card's input in a line: rate, training crops and scoring windows."""
    line = f"input {card_input.get('fs_hz')} Hz, trained on {card_input.get('window_s')} s crops"
    if card_input.get("score_window_s") is not None:
        line += (f", scored on {card_input['score_window_s']:g} s windows <= {card_input.get('score_stride_s'):g} s "
                 "apart")
    return line


def _page_details(ecg: ECG, explanation: Any | None, card: Mapping[str, Any] | None,
                  analysis: RecordAnalysis | None, saliency_method: str | None = None) -> Figure:
    fig = Figure(figsize=(PAGE_MM[0] / MM_PER_INCH, PAGE_MM[1] / MM_PER_INCH))
    _header(fig, ecg, "Predictions, measurements and model")
    # predictions against thresholds
    if explanation is not None:
        ax = fig.add_axes((0.07, 0.56, 0.38, 0.3))
        classes = list(explanation.classes)
        probs, thr = np.asarray(explanation.probabilities), np.asarray(explanation.thresholds)
        y = np.arange(len(classes))[::-1]
        ax.barh(y, probs, color=["#c0392b" if p >= t else "#7f8c8d" for p, t in zip(probs, thr)], height=0.6)
        ax.scatter(thr, y, marker="|", s=300, color="#111111", zorder=3, label="threshold")
        truth = set(ecg.labels or ())
        ax.set_yticks(y, [f"{c} (true)" if c in truth else c for c in classes], fontsize=8)
        ax.set_xlim(0, 1.25)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.tick_params(labelsize=7)
        for yi, p, t in zip(y, probs, thr):
            ax.text(min(p, 1.0) + 0.02, yi, f"{p:.2f} {'≥' if p >= t else '<'} {t:.2f}", va="center", fontsize=7)
        ax.set_title(f"{explanation.model}: probability per class (red: above threshold)", fontsize=9, loc="left")
        ax.spines[["top", "right"]].set_visible(False)
    else:
        fig.text(0.07, 0.8, "No model was run for this report.", fontsize=9)
    # measurements
    y0 = 0.86
    fig.text(0.52, y0, "Measurements (median beat)", fontsize=9, fontweight="bold", va="top")
    rows = analysis.rows() if analysis is not None else []
    if analysis is not None:
        fig.text(0.52, y0 - 0.035, f"Rhythm: {analysis.rhythm.name}", fontsize=8, va="top")
    # the column ends where the model's begins (0.75): a reason or flag goes under its value, wrapped to the column
    y = y0 - 0.035
    for row in rows or [{"label": "", "text": "not available", "reason": None, "flags": None}]:
        y -= 0.035
        fig.text(0.52, y, row["label"], fontsize=8, va="top")
        fig.text(0.61, y, row["text"], fontsize=8, va="top", color="#b03a2e" if row["flags"] else "#111111")
        side = row["reason"] or (f"⚑ {row['flags']}" if row["flags"] else "")
        if side:
            lines = textwrap.wrap(side, MEASUREMENT_COLUMN_CHARS)
            fig.text(0.53, y - 0.014, "\n".join(lines), fontsize=6.5, va="top",
                     color="#555555" if row["reason"] else "#b03a2e")
            y -= 0.011 * len(lines)
    if analysis is not None and analysis.notes:
        fig.text(0.52, y - 0.035, "\n".join(textwrap.wrap("Notes: " + "; ".join(analysis.notes),
                                                          MEASUREMENT_COLUMN_CHARS)), fontsize=6.5, va="top")
    # model card
    if card:
        data = (card.get("training") or {}).get("data") or {}
        real = (card.get("metrics") or {}).get("ptbxl_cv") or {}
        fig.text(0.75, y0, "Model", fontsize=9, fontweight="bold", va="top")
        text = [f"{card.get('name', '')}: {card.get('parameters', 0):,} parameters",
                f"trained on {data.get('name', '?')}" + (" (synthetic)" if data.get("synthetic") else ""),
                _input_line(card.get("input") or {})]
        if real.get("macro_auc") is not None:
            ci = real.get("macro_auc_ci95") or [float("nan")] * 2
            text.append(f"real records: macro AUC {real['macro_auc']:.3f} ({ci[0]:.3f}-{ci[1]:.3f}), "
                        f"N={real.get('n_records')}")
        if real.get("at_thresholds"):  # the operating point of each class at the thresholds in use, out of fold
            from ecgcore.metrics.clinical import OperatingPoint, short_operating_text

            text.append("out of fold, at its thresholds:")
            text += [short_operating_text(c, OperatingPoint(**v)) for c, v in real["at_thresholds"].items()]
        for i, line in enumerate(text):
            fig.text(0.75, y0 - 0.035 * (i + 1), line, fontsize=7.5, va="top", wrap=True)
    if explanation is not None:
        shown = (f"Drawn on page 1: {saliency_method} (evidence for {explanation.target}: the trace thicker and a "
                 "darker blue)." if saliency_method else "No saliency is drawn on page 1.")
        fig.text(0.07, 0.5, shown + " " + " ".join(explanation.notes), fontsize=7.5, va="top", wrap=True)
        _evidence_section(fig, explanation)
    # median beat with its fiducial points
    if analysis is not None and np.isfinite(analysis.median).all() and analysis.median.shape[1] > 1:
        fs = analysis.analysis_fs
        med, before = analysis.median, analysis.median_r
        lo = max(0, before - int(0.45 * fs))  # at most 0.45 s before R and 0.65 s after: the row fits A4
        med, before = med[:, lo:before + int(0.65 * fs)], before - lo
        med_ecg = ecg.with_signal(med, fs=fs)
        paper = beat_layout(med_ecg, 0, med.shape[1], row_height_mv=3.0)
        ax = _paper_axes(fig, paper, 20.0, 14.0)
        _draw(ax, med_ecg, paper, None)
        for name in ("P_on", "QRS_on", "QRS_off", "T_off"):
            ms = analysis.fiducials_ms.get(name)
            if ms is None or not math.isfinite(ms):
                continue
            for panel in paper.panels:
                x = panel.x0 + (before + ms * fs / 1000.0) / fs
                ax.plot([x, x], [panel.baseline - 1.2, panel.baseline + 1.2], color="#1f5fbf", linewidth=0.5,
                        linestyle=":", zorder=4)
        fig.text(20.0 / PAGE_MM[0], (14.0 + (paper.y_range[1] - paper.y_range[0]) * MM_PER_MV + 2) / PAGE_MM[1],
                 "Median beat (dotted: P on, QRS on, J, T end)", fontsize=8)
    return fig


def _page_statements(ecg: ECG, statements: Sequence[Any]) -> Figure:
    """The interpretation: our statements (urgent first, marked ‼), each with its leads, values, criterion and
    source; the cart's own statements from the file beside them."""
    from ecgcore.plot.statements import ordered, report_lines

    fig = Figure(figsize=(PAGE_MM[0] / MM_PER_INCH, PAGE_MM[1] / MM_PER_INCH))
    _header(fig, ecg, "Interpretation: statements from published criteria (ecgcore.interpret), not a diagnosis")
    cart = list(ecg.meta.get("cart_statements") or [])
    right = 0.62 if cart else 0.97
    fig.text(0.03, 0.86, "Statements (‼ urgent, ? not assessable)", fontsize=9, fontweight="bold", va="top")
    y = 0.82
    for s, line in zip(ordered(statements), report_lines(statements)):
        if y < 0.06:
            fig.text(0.03, y, "… more statements than fit this page (see the app or `interpret --json`)", fontsize=7)
            break
        colour = "#b03a2e" if s.severity == "urgent" else ("#555555" if s.severity == "not assessable" else "#111111")
        fig.text(0.03, y, textwrap.shorten(line, width=int(150 * (right - 0.03))), fontsize=8, va="top",
                 color=colour, fontweight="bold" if s.severity == "urgent" else "normal")
        source = f"{s.criterion} · {s.source}" + (f" · SCP {s.scp}" if s.scp else "") + (
            f" · SNOMED-CT {s.snomed}" if s.snomed else "")
        fig.text(0.045, y - 0.025, textwrap.shorten(source, width=int(175 * (right - 0.045))), fontsize=6.5,
                 va="top", color="#555555")
        y -= 0.062
    if not statements:
        fig.text(0.03, 0.82, "No statement could be made for this record.", fontsize=8, va="top")
    if cart:
        fig.text(0.65, 0.86, "The cart's statements (from the file, not ours)", fontsize=9, fontweight="bold", va="top")
        for i, line in enumerate(cart[:30]):
            fig.text(0.65, 0.82 - 0.028 * i, textwrap.shorten(line, width=75), fontsize=7.5, va="top")
    return fig


def build_report(
    ecg: ECG,
    *,
    explanation: Any | None = None,
    saliency: np.ndarray | None = None,
    card: Mapping[str, Any] | None = None,
    analysis: RecordAnalysis | None = None,
    start_s: float = 0.0,
    fmt: str = "pdf",
    interpretation: Any | None = None,
    saliency_method: str | None = None,
) -> bytes:
    """The report as PDF (2 pages, 3 with an interpretation) or PNG (the pages one above the other) bytes.

    explanation: an `ecgcore.explain.Explanation` (predictions, target, notes) or None; saliency: a map on
    [0, 1], (samples,) or (12, samples), drawn behind the tracing; card: the model card; analysis:
    `ecgcore.signal.analyse_record(ecg)`: measurements ("—" with the reason where not measurable), flags,
    rhythm, notes, and its median beat with the fiducial points; interpretation: an
    `ecgcore.interpret.Interpretation`, whose statements are summed up under the tracing's header and listed on
    their own page (urgent first, with leads, values, criterion and source, the cart's statements beside);
    saliency_method: what `saliency` is, named for a reader (e.g. "which leads, and when, carried evidence for MI
    (Integrated Gradients)"), printed with it. The explanation's lead evidence (`Explanation.evidence`) gets its
    own section.
    """
    if fmt not in FORMATS:
        raise ECGError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    # Every string is drawn as typed: a record id or note from a file holding `$...$` must not become
    # mathtext (or fail to parse as it), nor go through TeX.
    with rc_context({"text.parse_math": False, "text.usetex": False}):
        return _build(ecg, explanation, saliency, card, analysis, start_s, fmt, interpretation, saliency_method)


def _build(ecg: ECG, explanation: Any | None, saliency: np.ndarray | None, card: Mapping[str, Any] | None,
           analysis: RecordAnalysis | None, start_s: float, fmt: str, interpretation: Any | None,
           saliency_method: str | None = None) -> bytes:
    if saliency is not None and np.asarray(saliency).shape[-1] != ecg.n_samples:
        raise ECGError("the saliency map does not fit the record; give one value per sample")
    subtitle = "12-lead ECG, 3x4 with a lead-II rhythm strip"
    if explanation is not None:
        subtitle += (f" · model {explanation.model}: " + ", ".join(
            f"{c} {p:.2f}" for c, p in zip(explanation.classes, explanation.probabilities)))
    if saliency is not None and explanation is not None:
        subtitle += (f"\nEvidence for {explanation.target}: the trace is drawn thicker and darker where the model "
                     f"found evidence; thickest = strongest evidence for {explanation.target} in this record")
    if interpretation is not None and interpretation.statements:
        from ecgcore.plot.statements import ordered

        said = [s.text for s in ordered(interpretation.statements) if s.severity != "not assessable"]
        subtitle += "\nInterpretation: " + textwrap.shorten("; ".join(said) or "none", width=150)  # fits A4 at 8.5 pt
    pages = [_page_tracing(ecg, start_s, None if saliency is None else np.asarray(saliency, float), subtitle)]
    if interpretation is not None:
        pages.append(_page_statements(ecg, interpretation.statements))
    pages.append(_page_details(ecg, explanation, card, analysis, saliency_method if saliency is not None else None))
    out = io.BytesIO()
    if fmt == "pdf":
        with PdfPages(out, metadata={"Title": f"ECG report {ecg.record_id}", "Creator": "ecgcore"}) as pdf:
            for page in pages:
                pdf.savefig(page)
        return out.getvalue()
    images = []
    for page in pages:
        canvas = FigureCanvasAgg(page)
        page.set_dpi(PNG_DPI)
        canvas.draw()
        images.append(np.asarray(canvas.buffer_rgba())[..., :3])
    from matplotlib.image import imsave

    imsave(out, np.concatenate(images, axis=0), format="png")
    return out.getvalue()


