"""ECG paper figures in plotly: the 12-lead record (3x4 + rhythm strip, or 12x1) as ONE figure.

Traces are SVG lines (`go.Scatter`), so no WebGL context is used however many figures a page shows;
evenly sampled panels send only their y values (x from x0/dx), which keeps a 500 Hz record light.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGError
from ecgcore.plot import marks as marks_
from ecgcore.plot import style
from ecgcore.plot.calipers import Caliper
from ecgcore.plot.paper import STANDARD, Panel, PaperLayout, Scale, calibration_pulse, panel_trace, paper_layout
from ecgcore.plot.saliency import SALIENCY_MODES, heat_band, level_legend, trace_levels, unit_map

PX_PER_MM = 3.6  # default drawing scale (px per mm); the paper extends to fill a wider container


class PaperParts:
    """Traces, shapes and annotations of one paper figure, handed to plotly in one go at the end (adding
    them one by one re-validates the whole layout each time and is ~10x slower)."""

    def __init__(self, ecg: ECG, paper: PaperLayout) -> None:
        self.ecg, self.paper = ecg, paper
        self.data: list = []
        self.shapes: list[dict] = []
        self.annotations: list[dict] = []

    def add_trace(self, trace) -> None:
        self.data.append(trace)

    def add_shape(self, **shape) -> None:
        self.shapes.append(shape)

    def add_annotation(self, **annotation) -> None:
        self.annotations.append(annotation)

    def figure(self, kind: str, title: str | None = None, px_per_mm: float = PX_PER_MM,
               dragmode: str = "zoom") -> go.Figure:
        """The finished figure: paper axes with square millimetres, footer with speed, gain and rate; `dragmode`
        "zoom" (a drag zooms in) or "select" (a drag selects a box: calipers)."""
        ecg, paper = self.ecg, self.paper
        width_mm, height_mm = paper.size_mm
        foot = f"{paper.scale.label()} · {ecg.fs:g} Hz"
        if ecg.derived:
            foot += f" · * derived: {', '.join(ecg.derived)}"
        has_legend = any(getattr(t, "showlegend", False) for t in self.data)
        # the footer goes under the legend's row when there is one (a long legend reaches the right edge)
        notes = [dict(x=1.0, y=0.0, xref="paper", yref="paper", text=foot, showarrow=False, xanchor="right",
                      yanchor="top", yshift=-40 if has_legend else -4, font=dict(size=11, color="#444444"))]
        # the same left/right margins in every mode (no colour bar), so the paper keeps its mm scale
        margin = dict(l=8, r=8, t=36 if title else 8, b=64 if has_legend else 26)
        layout = dict(
            **style.paper_axes(paper.x_range, paper.y_range, paper.scale),
            plot_bgcolor=style.PAPER_BG, paper_bgcolor="#ffffff",
            height=int(height_mm * px_per_mm) + margin["t"] + margin["b"],
            margin=margin, showlegend=has_legend,
            legend=dict(orientation="h", traceorder="normal", x=0.0, y=0.0, yanchor="top", font=dict(size=11, color="#111111"),
                        grouptitlefont=dict(size=12, color="#111111"), bgcolor="rgba(255,255,255,0)"),
            dragmode=dragmode, hovermode="closest", font=dict(color="#111111"),
            title=dict(text=title, font=dict(size=14, color="#111111"), x=0.01) if title else None,
            meta=dict(kind=kind, rows=paper.n_rows, width_mm=width_mm, height_mm=height_mm, fs=ecg.fs,
                      mm_per_s=paper.scale.mm_per_s, mm_per_mv=paper.scale.mm_per_mv),
            shapes=self.shapes, annotations=self.annotations + notes,
        )
        return go.Figure(data=self.data, layout=layout)


def draw_paper(
    ecg: ECG,
    paper: PaperLayout,
    saliency: np.ndarray | None = None,
    saliency_mode: str = "band",
    opacity: float = 0.7,
    max_points_per_panel: int | None = None,
    legend: str | None = None,
) -> PaperParts:
    """The traces of every panel, calibration pulses, lead labels and optional saliency (a display map on
    [0, 1] from `ecgcore.plot.saliency.display_map`; `legend` says what full colour means)."""
    if saliency_mode not in SALIENCY_MODES:
        raise ECGError(f"unknown saliency mode {saliency_mode!r}; use one of {', '.join(SALIENCY_MODES)}")
    parts = PaperParts(ecg, paper)
    sal = None if saliency is None else unit_map(np.asarray(saliency, dtype=np.float64), ecg)
    if sal is not None and saliency_mode == "band":
        parts.add_trace(heat_band(paper, sal, ecg, opacity))
    for panel in paper.panels:
        parts.add_trace(_panel_line(ecg, panel, max_points_per_panel))
    if sal is not None and saliency_mode == "trace":
        for trace in trace_levels(paper, sal, ecg, opacity):
            parts.add_trace(trace)
    if sal is not None:
        for trace in level_legend(legend):
            parts.add_trace(trace)
    xs, ys = [], []
    for baseline in paper.row_baselines():
        x, y = calibration_pulse(baseline, min(p.x0 for p in paper.panels), paper.scale)
        xs += [*x, np.nan]
        ys += [*y, np.nan]
    parts.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=style.CALIBRATION, width=1.4),
                               name="1 mV calibration", hoverinfo="skip", showlegend=False))
    for panel in paper.panels:
        derived = "*" if panel.lead in ecg.derived else ""
        parts.add_annotation(
            x=panel.x0 + 0.04, y=panel.baseline + paper.row_height_mv * 0.42, text=f"<b>{panel.lead}{derived}</b>",
            showarrow=False, xanchor="left", yanchor="top", font=dict(size=13, color=style.LABEL),
        )
    return parts


def _panel_line(ecg: ECG, panel: Panel, max_points: int | None) -> go.Scatter:
    """One panel's trace; evenly sampled panels send only y (x comes from x0 and dx)."""
    derived = " (derived)" if panel.lead in ecg.derived else ""
    common = dict(mode="lines", name=panel.lead + derived, line=dict(color=style.TRACE, width=1.1),
                  hovertemplate=f"{panel.lead}{derived}<extra></extra>", showlegend=False)
    x, y = panel_trace(ecg, panel, max_points)
    if len(x) == panel.stop - panel.start:
        return go.Scatter(x0=panel.x0, dx=1.0 / ecg.fs, y=y.astype(np.float32), **common)
    return go.Scatter(x=x.astype(np.float32), y=y.astype(np.float32), **common)


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
    legend: str | None = None,
    scale: Scale = STANDARD,
    statement_leads: Sequence[str] = (),
    marks: Sequence = (),
    spikes_s: Sequence[float] = (),
    caliper: Caliper | None = None,
    caliper_drag: bool = False,
) -> go.Figure:
    """Draw `ecg` on ECG paper (1 mm / 5 mm grid, 1 mV calibration pulse per row) at `scale`'s speed and gain
    (`ecgcore.plot.paper.Scale`: 25 or 50 mm/s, 5, 10 or 20 mm/mV; standard 25 mm/s, 10 mm/mV).

    layout: "3x4" or "6x2" (each + a lead-II rhythm strip over the window) or "12x1". saliency: a (samples,) map shared by all leads
    (class activation map) or a (12, samples) per-lead map, a display map on [0, 1] (`display_map`);
    saliency_mode "band" paints it as a heat band behind the traces, "trace" colours the traces themselves;
    legend: what full colour means (the legend's title, e.g. `saliency.legend_title("MI")`).
    rpeaks: R-peak sample indices, marked on the rhythm strip (or on lead II in 12x1) as clickable points
    whose customdata is the beat number (counted from 1, as on screen); highlight: (start, stop) samples of a beat to frame.
    max_points_per_panel: optional min/max display decimation (None draws every sample).
    statement_leads: leads shaded behind their panels (the selected statement's); marks: measured points
    (objects with lead, t_s, label, as `ecgcore.interpret.Mark`) circled on the trace; spikes_s: pacing spikes
    (s from the record's start) marked above every panel; caliper: two legs and their readout (`calipers`);
    caliper_drag: a drag selects a stretch of time (plotly's box select) instead of zooming: its left and right
    edges become the caliper's legs (`calipers.legs_from_box`).
    """
    paper = paper_layout(ecg, layout, start_s=start_s, window_s=window_s, scale=scale)
    parts = draw_paper(ecg, paper, saliency, saliency_mode, opacity, max_points_per_panel, legend)
    if statement_leads:
        marks_.shade_leads(parts, statement_leads)
    if len(spikes_s):
        marks_.add_spikes(parts, spikes_s)
    if marks:
        marks_.add_marks(parts, marks)
    if caliper is not None:
        marks_.add_caliper(parts, caliper)
    marked = [p for p in paper.panels if p.lead == "II"] or list(paper.panels)
    strip = marked[-1]  # the rhythm strip (3x4), the lead-II row (12x1), or a single-lead strip
    if rpeaks is not None and len(rpeaks):
        for trace in parts.data:  # only the R-peak marks answer hover and clicks, so a click picks its beat
            if trace.type == "scatter":
                trace.hoverinfo = "skip"
        peaks = np.asarray(rpeaks, dtype=int)
        inside = np.flatnonzero((peaks >= strip.start) & (peaks < strip.stop))
        if len(inside):
            parts.add_trace(go.Scatter(
                x=paper.paper_x(strip, peaks[inside]), y=ecg.lead(strip.lead)[peaks[inside]] + strip.baseline + 0.35,
                mode="markers", name="R peaks", marker=dict(symbol="triangle-down", size=10, color=style.BEAT_MARK),
                customdata=inside + 1, hovertemplate="beat %{customdata}<br>R at %{x:.3f} s<extra></extra>",
                showlegend=False,
            ))
    if highlight is not None:
        x0, x1 = paper.paper_x(strip, np.asarray(highlight))
        half = paper.row_height_mv / 2
        parts.add_shape(type="rect", x0=float(x0), x1=float(x1), y0=strip.baseline - half + 0.2,
                        y1=strip.baseline + half - 0.2, line=dict(color=style.BEAT_MARK, width=2), layer="above")
    return parts.figure(f"ecg_{layout}", title, dragmode="select" if caliper_drag else "zoom")


def strip_figure(
    ecg: ECG,
    lead: str = "II",
    *,
    start_s: float = 0.0,
    window_s: float = 10.0,
    saliency: np.ndarray | None = None,
    opacity: float = 0.7,
    rpeaks: Sequence[int] | None = None,
    highlight: tuple[int, int] | None = None,
    title: str | None = None,
    saliency_mode: str = "band",
    legend: str | None = None,
) -> go.Figure:
    """One lead as a rhythm strip on ECG paper (R-peaks clickable, the chosen beat framed); the record's
    first lead when it lacks `lead`.

    saliency: (samples,) shared map or (12, samples) per-lead map (its row for `lead` is drawn).
    """
    if lead not in ecg.leads:  # a record with fewer leads: its first lead is the strip
        lead = ecg.leads[0]
    one = ECG(ecg.lead(lead)[None, :], ecg.fs, ecg.record_id, ecg.source, leads=(lead,),
              derived=tuple(d for d in ecg.derived if d == lead))
    sal = None
    if saliency is not None:
        sal = np.asarray(saliency)
        sal = (sal[ecg.leads.index(lead)] if sal.ndim == 2 else sal)[None, :]
    return ecg_figure(one, "12x1", start_s=start_s, window_s=window_s, saliency=sal, opacity=opacity,
                      rpeaks=rpeaks, highlight=highlight, title=title, saliency_mode=saliency_mode, legend=legend)
