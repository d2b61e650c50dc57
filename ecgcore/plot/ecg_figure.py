"""The 12-lead ECG on standard paper as ONE plotly figure (SVG traces: no WebGL context is used)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ecgcore.ecg import ECG
from ecgcore.errors import ECGError
from ecgcore.plot import style
from ecgcore.plot.paper import PaperLayout, calibration_pulse, panel_trace, paper_layout
from ecgcore.plot.saliency import SALIENCY_MODES, heat_band, trace_levels, unit_map

PX_PER_MM = 3.6  # default drawing scale (px per mm); the paper extends to fill a wider container


def ecg_figure(
    ecg: ECG,
    layout: str = "3x4",
    *,
    start_s: float = 0.0,
    window_s: float = 10.0,
    saliency: np.ndarray | None = None,
    saliency_mode: str = "band",
    opacity: float = 0.7,
    rpeaks: Sequence[int] | None = None,
    highlight: tuple[int, int] | None = None,
    max_points_per_panel: int | None = None,
    title: str | None = None,
) -> go.Figure:
    """Draw `ecg` on ECG paper (25 mm/s, 10 mm/mV, 1 mm / 5 mm grid, 1 mV calibration pulse per row).

    layout: "3x4" (+ 10 s lead-II rhythm strip) or "12x1". saliency: a (samples,) map shared by all leads
    (Grad-CAM) or a (12, samples) per-lead map, values >= 0 (scaled to [0, 1] for display); saliency_mode
    "band" paints it as a heat band behind the traces, "trace" colours the traces themselves.
    rpeaks: R-peak sample indices, marked on the rhythm strip (or on lead II in 12x1) as clickable points;
    highlight: (start, stop) samples of a beat to frame. max_points_per_panel: optional min/max display
    decimation (None draws every sample).
    """
    paper = paper_layout(ecg, layout, start_s=start_s, window_s=window_s)
    fig = _Parts()
    sal = None if saliency is None else unit_map(np.asarray(saliency, dtype=np.float64), ecg)
    if saliency_mode not in SALIENCY_MODES:
        raise ECGError(f"unknown saliency mode {saliency_mode!r}; use one of {', '.join(SALIENCY_MODES)}")
    if sal is not None and saliency_mode == "band":
        fig.add_trace(heat_band(paper, sal, ecg, opacity))
    _add_traces(fig, ecg, paper, max_points_per_panel)
    if sal is not None and saliency_mode == "trace":
        for trace in trace_levels(paper, sal, ecg, opacity):
            fig.add_trace(trace)
    _add_calibration(fig, paper)
    if rpeaks is not None and len(rpeaks):
        _add_rpeaks(fig, ecg, paper, np.asarray(rpeaks, dtype=int))
    if highlight is not None:
        _add_highlight(fig, ecg, paper, highlight)
    _label_leads(fig, ecg, paper)
    return _finish(fig, ecg, paper, title)


class _Parts:
    """Traces, shapes and annotations collected first, then handed to plotly in one go (much faster
    than adding them one by one, which re-validates the whole layout each time)."""

    def __init__(self) -> None:
        self.data: list = []
        self.shapes: list[dict] = []
        self.annotations: list[dict] = []

    def add_trace(self, trace) -> None:
        self.data.append(trace)

    def add_shape(self, **shape) -> None:
        self.shapes.append(shape)

    def add_annotation(self, **annotation) -> None:
        self.annotations.append(annotation)


def _add_traces(fig: _Parts, ecg: ECG, paper: PaperLayout, max_points: int | None) -> None:
    """One SVG line trace per panel; evenly sampled panels send only y (x comes from x0 and dx)."""
    for panel in paper.panels:
        derived = " (derived)" if panel.lead in ecg.derived else ""
        common = dict(mode="lines", name=panel.lead + derived, line=dict(color=style.TRACE, width=1.1),
                      hovertemplate=f"{panel.lead}{derived}<br>t = %{{x:.3f}} s<extra></extra>", showlegend=False)
        x, y = panel_trace(ecg, panel, max_points)
        if len(x) == panel.stop - panel.start:
            fig.add_trace(go.Scatter(x0=panel.x0, dx=1.0 / ecg.fs, y=y.astype(np.float32), **common))
        else:
            fig.add_trace(go.Scatter(x=x.astype(np.float32), y=y.astype(np.float32), **common))


def _add_calibration(fig: _Parts, paper: PaperLayout) -> None:
    xs, ys = [], []
    for baseline in paper.row_baselines():
        x, y = calibration_pulse(baseline, paper.x_range[0] + 0.4)
        xs += [*x, np.nan]
        ys += [*y, np.nan]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=style.CALIBRATION, width=1.4),
                             name="1 mV calibration", hoverinfo="skip", showlegend=False))


def _rhythm_panel(ecg: ECG, paper: PaperLayout):
    """The panel where beats are marked: the lead-II rhythm strip (3x4) or the lead-II row (12x1)."""
    return [p for p in paper.panels if p.lead == "II"][-1]


def _add_rpeaks(fig: _Parts, ecg: ECG, paper: PaperLayout, rpeaks: np.ndarray) -> None:
    panel = _rhythm_panel(ecg, paper)
    inside = rpeaks[(rpeaks >= panel.start) & (rpeaks < panel.stop)]
    if not len(inside):
        return
    y = ecg.lead("II")[inside] + panel.baseline + 0.35
    fig.add_trace(go.Scatter(
        x=inside / ecg.fs, y=y, mode="markers", name="R peaks",
        marker=dict(symbol="triangle-down", size=9, color=style.BEAT_MARK),
        customdata=np.flatnonzero(np.isin(rpeaks, inside)),
        hovertemplate="beat %{customdata}<br>R at %{x:.3f} s<extra></extra>", showlegend=False,
    ))


def _add_highlight(fig: _Parts, ecg: ECG, paper: PaperLayout, span: tuple[int, int]) -> None:
    panel = _rhythm_panel(ecg, paper)
    half = paper.row_height_mv / 2
    fig.add_shape(type="rect", x0=span[0] / ecg.fs, x1=span[1] / ecg.fs, y0=panel.baseline - half + 0.2,
                  y1=panel.baseline + half - 0.2, line=dict(color=style.BEAT_MARK, width=2), layer="above")


def _label_leads(fig: _Parts, ecg: ECG, paper: PaperLayout) -> None:
    for panel in paper.panels:
        derived = "*" if panel.lead in ecg.derived else ""
        fig.add_annotation(
            x=panel.x0 + 0.04, y=panel.baseline + paper.row_height_mv * 0.42, text=f"<b>{panel.lead}{derived}</b>",
            showarrow=False, xanchor="left", yanchor="top", font=dict(size=13, color=style.LABEL),
        )


def _finish(fig: _Parts, ecg: ECG, paper: PaperLayout, title: str | None) -> go.Figure:
    width_mm = (paper.x_range[1] - paper.x_range[0]) * 25.0
    height_mm = (paper.y_range[1] - paper.y_range[0]) * 10.0
    foot = f"25 mm/s · 10 mm/mV · {ecg.fs:g} Hz"
    if ecg.derived:
        foot += f" · * derived: {', '.join(ecg.derived)}"
    fig.add_annotation(x=1.0, y=0.0, xref="paper", yref="paper", text=foot, showarrow=False, xanchor="right",
                       yanchor="top", yshift=-4, font=dict(size=11, color="#444444"))
    margin = dict(l=8, r=8, t=36 if title else 8, b=26)
    layout = dict(
        **style.paper_axes(paper.x_range, paper.y_range),
        plot_bgcolor=style.PAPER_BG, paper_bgcolor="#ffffff",
        height=int(height_mm * PX_PER_MM) + margin["t"] + margin["b"],
        margin=margin, showlegend=any(t.showlegend for t in fig.data),
        legend=dict(orientation="h", x=0.0, y=1.0, yanchor="bottom", font=dict(size=11, color="#111111")), dragmode="zoom", hovermode="closest",
        title=dict(text=title, font=dict(size=14, color="#111111"), x=0.01) if title else None,
        font=dict(color="#111111"),
        meta=dict(kind="ecg_paper", layout="3x4" if paper.n_rows == 4 else "12x1", width_mm=width_mm,
                  height_mm=height_mm, fs=ecg.fs),
        shapes=fig.shapes, annotations=fig.annotations,
    )
    return go.Figure(data=fig.data, layout=layout)
