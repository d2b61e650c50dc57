"""Colours and axis settings shared by every figure drawn on ECG paper."""
from __future__ import annotations

from typing import Any

from ecgcore.plot.paper import MV_PER_MM, S_PER_MM, Y_PER_X

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


def paper_axes(x_range: tuple[float, float], y_range: tuple[float, float]) -> dict[str, Any]:
    """Layout entries for x (s) and y (mV) axes drawn as ECG paper with square millimetres."""
    common = dict(showticklabels=False, ticks="", zeroline=False, showline=False, fixedrange=False)
    xaxis = dict(
        range=list(x_range), tick0=0.0, dtick=5 * S_PER_MM, showgrid=True, gridcolor=MAJOR_GRID, gridwidth=1,
        minor=dict(tick0=0.0, dtick=S_PER_MM, showgrid=True, gridcolor=MINOR_GRID, gridwidth=0.5),
        constrain="range", **common,
    )
    yaxis = dict(
        range=list(y_range), tick0=0.0, dtick=5 * MV_PER_MM, showgrid=True, gridcolor=MAJOR_GRID, gridwidth=1,
        minor=dict(tick0=0.0, dtick=MV_PER_MM, showgrid=True, gridcolor=MINOR_GRID, gridwidth=0.5),
        scaleanchor="x", scaleratio=Y_PER_X, constrain="range", **common,
    )
    return {"xaxis": xaxis, "yaxis": yaxis}
