"""What is drawn over the tracing: the selected statement (its leads shaded, its measured points marked),
pacing spikes, and calipers. Each function adds to a `PaperParts` (ecgcore.plot.ecg_figure) and draws a
point wherever its lead is on the paper at its time (lead II twice in 3x4 and 6x2: its column and the strip).

Marks are duck-typed: anything with `lead`, `t_s` (s from the record's start) and `label` (as
`ecgcore.interpret.Mark`), so this module does not depend on the interpretation.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np
import plotly.graph_objects as go

from ecgcore.plot import style
from ecgcore.plot.calipers import Caliper


class MarkLike(Protocol):
    lead: str
    t_s: float
    label: str


def _value(parts, lead: str, t_s: float) -> float:
    ecg = parts.ecg
    i = min(max(int(round(t_s * ecg.fs)), 0), ecg.n_samples - 1)
    v = float(ecg.lead(lead)[i])
    return v if np.isfinite(v) else 0.0


def shade_leads(parts, leads: Iterable[str], colour: str = style.STATEMENT_LEADS) -> int:
    """Shade every panel of `leads` (behind the trace); returns how many panels were shaded."""
    paper, wanted, n = parts.paper, set(leads), 0
    half = paper.row_height_mv / 2
    for panel in paper.panels:
        if panel.lead in wanted:
            parts.add_shape(type="rect", x0=panel.x0, x1=panel.x0 + (panel.stop - panel.start) / paper.fs,
                            y0=panel.baseline - half, y1=panel.baseline + half, fillcolor=colour,
                            line=dict(width=0), layer="below")
            n += 1
    return n


def add_marks(parts, marks: Sequence[MarkLike], colour: str = style.STATEMENT_MARK) -> int:
    """A marker on the trace at each mark (label on hover, and written beside it); returns how many
    markers were drawn (marks outside the window are skipped)."""
    paper = parts.paper
    found = []  # (row, x, y, hover text, label)
    for mark in marks:
        for panel in paper.panels_at(mark.lead, mark.t_s):
            found.append((panel.row, panel.x0 + mark.t_s - panel.start / paper.fs,
                          _value(parts, mark.lead, mark.t_s) + panel.baseline, f"{mark.lead}: {mark.label}", mark.label))
    # a label left of its point when the next point in its row is close (P onset and QRS onset 0.2 s apart)
    sides = []
    for row, x, *_ in found:
        near = [f for f in found if f[0] == row and 0.0 < f[1] - x < 0.4]
        sides.append("top left" if near else "top right" if any(
            f[0] == row and 0.0 < x - f[1] < 0.4 for f in found) else "top center")
    xs, ys, text = [f[1] for f in found], [f[2] for f in found], [f[3] for f in found]
    if xs:
        parts.add_trace(go.Scatter(x=xs, y=ys, mode="markers+text", text=[f[4] for f in found],
                                   textposition=sides, textfont=dict(size=10, color=colour),
                                   marker=dict(symbol="circle-open", size=11, color=colour, line=dict(width=2.2)),
                                   customdata=text, hovertemplate="%{customdata}<extra></extra>",
                                   name="statement marks", showlegend=False))
    return len(xs)


def add_spikes(parts, spikes_s: Sequence[float], colour: str = style.PACING_SPIKE) -> int:
    """A short vertical bar above the trace at each pacing spike (s from the record's start) in every panel,
    as carts mark spikes that a display filter would shrink; returns how many bars were drawn."""
    paper = parts.paper
    xs, ys = [], []
    top = paper.row_height_mv * 0.45
    for panel in paper.panels:
        a, b = panel.start / paper.fs, (panel.stop - 1) / paper.fs
        for t in spikes_s:
            if a <= t <= b:
                x = panel.x0 + t - a
                xs += [x, x, None]
                ys += [panel.baseline + top - 0.3 * paper.row_height_mv / 3, panel.baseline + top, None]
    if xs:
        parts.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=colour, width=2.0),
                                   name="pacing spikes", hovertemplate="pacing spike<extra></extra>",
                                   showlegend=False))
    return len(xs) // 3


def add_caliper(parts, cal: Caliper, colour: str = style.CALIPER) -> int:
    """Both legs as dashed vertical lines through their panels with a dot on the trace, a bracket between
    them and the readout (Δt, rate, ΔV) above; returns how many legs were drawn (0 when neither is in view)."""
    paper = parts.paper
    half = paper.row_height_mv / 2
    legs = []  # (x, y, panel, which leg)
    for k, point in enumerate((cal.a, cal.b)):
        for panel in paper.panels_at(point.lead, point.t_s):
            x = panel.x0 + point.t_s - panel.start / paper.fs
            legs.append((x, point.mv + panel.baseline, panel, k))
            parts.add_shape(type="line", x0=x, x1=x, y0=panel.baseline - half * 0.9, y1=panel.baseline + half * 0.9,
                            line=dict(color=colour, width=1.5, dash="dash"), layer="above")
    if not legs:
        return 0
    parts.add_trace(go.Scatter(x=[leg[0] for leg in legs], y=[leg[1] for leg in legs], mode="markers",
                               marker=dict(size=8, color=colour), name="caliper", hoverinfo="skip",
                               showlegend=False))
    # the bracket joins both legs in one row where it can (the rhythm strip holds every time of the window)
    pairs = [(a, b) for a in legs if a[3] == 0 for b in legs if b[3] == 1 and b[2].row == a[2].row]
    first, second = pairs[0] if pairs else (legs[0], legs[-1])
    y_bar = first[2].baseline + half * 0.8
    parts.add_shape(type="line", x0=first[0], x1=second[0], y0=y_bar, y1=y_bar, line=dict(color=colour, width=1.5),
                    layer="above")
    parts.add_annotation(x=(first[0] + second[0]) / 2, y=y_bar, text=cal.short(),
                         showarrow=False, yanchor="bottom", font=dict(size=12, color=colour),
                         bgcolor="rgba(255,255,255,0.85)")
    return len(legs)


def hidden_marks(paper, marks: Sequence[MarkLike]) -> list[MarkLike]:
    """The marks no panel shows: their lead is not drawn at their time (in 3x4 and 6x2 each lead covers only
    its column's part of the window; or the time lies outside the window)."""
    return [m for m in marks if not paper.panels_at(m.lead, m.t_s)]
