"""Colours and axis settings shared by every figure drawn on ECG paper."""
from __future__ import annotations

from typing import Any

from ecgcore.plot.paper import STANDARD, Scale

PAPER_BG = "#fff8f6"  # paper colour; kept light in both app themes so the tracing reads like paper
MINOR_GRID = "rgba(232, 120, 110, 0.22)"  # 1 mm lines
MAJOR_GRID = "rgba(214, 60, 50, 0.55)"  # 5 mm lines
TRACE = "#111111"
LABEL = "#111111"
CALIBRATION = "#111111"
BEAT_MARK = "#0b7a3e"  # R-peak marks, fiducial points and the selected beat (green: saliency is blue)
#: Saliency in blues, which stand out on red-pink ECG paper (and darken monotonically, so they survive grey
#: printing): transparent at 0, light to deep blue at 1 (alpha rises with the value).
HEAT_SCALE = [
    [0.0, "rgba(60, 150, 230, 0.0)"],
    [0.25, "rgba(60, 150, 230, 0.30)"],
    [0.6, "rgba(25, 95, 210, 0.60)"],
    [1.0, "rgba(10, 40, 150, 0.85)"],
]
#: Colours and line widths (px) of the per-lead saliency levels drawn on the trace (level 1 .. 4; level 0 is
#: the plain black trace): lighter-to-darker blue and thicker, so the level reads in grey as well.
TRACE_LEVELS = ("#56b4e9", "#1f7ae0", "#1346b4", "#08226e")
TRACE_LEVEL_WIDTHS = (2.0, 2.6, 3.2, 3.8)


def paper_axes(x_range: tuple[float, float], y_range: tuple[float, float], scale: Scale = STANDARD) -> dict[str, Any]:
    """Layout entries for x (s) and y (mV) axes drawn as ECG paper with square millimetres at `scale`'s speed
    and gain (1 mm lines every `scale.s_per_mm` s and `scale.mv_per_mm` mV, 5 mm lines every fifth)."""
    s_per_mm, mv_per_mm = scale.s_per_mm, scale.mv_per_mm
    common = dict(showticklabels=False, ticks="", zeroline=False, showline=False, fixedrange=False)
    xaxis = dict(
        range=list(x_range), tick0=0.0, dtick=5 * s_per_mm, showgrid=True, gridcolor=MAJOR_GRID, gridwidth=1,
        minor=dict(tick0=0.0, dtick=s_per_mm, showgrid=True, gridcolor=MINOR_GRID, gridwidth=0.5),
        constrain="range", **common,
    )
    yaxis = dict(
        range=list(y_range), tick0=0.0, dtick=5 * mv_per_mm, showgrid=True, gridcolor=MAJOR_GRID, gridwidth=1,
        minor=dict(tick0=0.0, dtick=mv_per_mm, showgrid=True, gridcolor=MINOR_GRID, gridwidth=0.5),
        scaleanchor="x", scaleratio=scale.y_per_x, constrain="range", **common,
    )
    return {"xaxis": xaxis, "yaxis": yaxis}
STATEMENT_MARK = "#d55e00"  # measured points of the selected statement (vermillion: colour-blind safe on paper)
STATEMENT_LEADS = "rgba(230, 159, 0, 0.16)"  # the selected statement's leads, shaded behind their panels
CALIPER = "#0072b2"  # caliper legs and their readout
PACING_SPIKE = "#6a3d9a"  # pacing-spike marks
