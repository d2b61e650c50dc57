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
BEAT_MARK = "#1f5fbf"  # R-peak marks and the selected beat
#: Saliency: transparent at 0, orange to dark red at 1 (alpha rises with the value).
HEAT_SCALE = [
    [0.0, "rgba(255, 170, 0, 0.0)"],
    [0.25, "rgba(255, 150, 0, 0.25)"],
    [0.6, "rgba(240, 80, 0, 0.55)"],
    [1.0, "rgba(190, 0, 0, 0.85)"],
]
#: Colours of the per-lead saliency levels drawn on the trace (level 1 .. 4; level 0 is the plain trace).
TRACE_LEVELS = ("#f0a000", "#e86a00", "#d43000", "#a00000")


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
