"""One beat (or the median beat) across the 12 leads, on ECG paper, with saliency and fiducial points."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from ecgcore.core.ecg import ECG
from ecgcore.plot import style
from ecgcore.plot.ecg_figure import draw_paper
from ecgcore.plot.paper import beat_layout

#: fiducial points drawn on the median beat (the boundaries of PR, QRS and QT), with their labels
FIDUCIAL_LABELS = {"P_on": "P on", "QRS_on": "QRS on", "QRS_off": "J", "T_off": "T end"}
_ONSETS = ("P on", "QRS on")  # labelled left of their line; the offsets right of theirs


def beat_figure(
    ecg: ECG,
    start: int,
    stop: int,
    *,
    saliency: np.ndarray | None = None,
    saliency_mode: str = "band",
    opacity: float = 0.7,
    r_index: int | None = None,
    fiducials_ms: Mapping[str, float] | None = None,
    title: str | None = None,
    px_per_mm: float = 5.0,
    legend: str | None = None,
) -> go.Figure:
    """Samples `start:stop` of all 12 leads side by side (limb leads above chest leads), one figure.

    saliency, legend: as in `ecg_figure`, over the whole record (samples,) or (12, samples). r_index: the R-peak
    sample, marked on each lead (unless fiducials are drawn). fiducials_ms: {name: ms relative to R} (e.g. from
    `ecgcore.explain.measure`): P onset, QRS onset/offset and T offset drawn as dotted lines through every
    lead and labelled under lead I.
    """
    paper = beat_layout(ecg, start, stop)
    parts = draw_paper(ecg, paper, saliency, saliency_mode, opacity, legend=legend)
    marks: dict[str, float] = {}
    for name, ms in (fiducials_ms or {}).items():
        if name in FIDUCIAL_LABELS and ms is not None and np.isfinite(ms) and r_index is not None:
            marks[FIDUCIAL_LABELS[name]] = r_index + ms * ecg.fs / 1000.0
    if r_index is not None and start <= r_index < stop and not marks:  # fiducial lines replace the R mark
        xr = [float(paper.paper_x(p, np.array([r_index]))[0]) for p in paper.panels]
        parts.add_trace(go.Scatter(
            x=xr, y=[p.baseline - paper.row_height_mv * 0.42 for p in paper.panels], mode="markers", name="R",
            marker=dict(symbol="triangle-up", size=7, color=style.BEAT_MARK), hoverinfo="skip", showlegend=False))
    if marks:
        xs, ys = [], []
        half = paper.row_height_mv * 0.45
        for panel in paper.panels:
            for k, (label, sample) in enumerate(marks.items()):
                if panel.start <= sample <= panel.stop:
                    x = float(paper.paper_x(panel, np.array([sample]))[0])
                    xs += [x, x, np.nan]
                    ys += [panel.baseline - half, panel.baseline + half * 0.5, np.nan]
                    if panel.lead == "I":  # labels once, staggered so that close points stay readable
                        parts.add_annotation(x=x, y=panel.baseline - half + (k % 2) * 0.45, text=label,
                                             showarrow=False, yanchor="top",
                                             xanchor="right" if label in _ONSETS else "left",
                                             font=dict(size=10, color=style.BEAT_MARK), bgcolor="rgba(255,255,255,0.7)")
        parts.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="fiducial points", hoverinfo="skip",
                                   line=dict(color=style.BEAT_MARK, width=1, dash="dot"), showlegend=False))
    return parts.figure("beat_12lead", title, px_per_mm=px_per_mm)
