"""Calipers: the time and the amplitude between two points of a tracing, as a reader measures them on paper.

A point is a lead and a record time; its amplitude is the drawn signal's value at the nearest sample (the
same signal the user sees: filtered or not). A click on a paper figure gives paper coordinates (x in s,
y in mV with the row's baseline added); `point_from_paper` finds the panel under it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGError
from ecgcore.plot.paper import PaperLayout


@dataclass(frozen=True)
class CaliperPoint:
    """One caliper leg: lead, record time t_s (s from the record's start, on a sample), amplitude mv (mV)."""

    lead: str
    t_s: float
    mv: float


@dataclass(frozen=True)
class Caliper:
    """Two legs and what lies between them.

    dt_ms: b minus a in milliseconds; dv_mv: b minus a in millivolts; rate_per_min: 60000 / |dt_ms| (the
    rate an R-R interval of that length means), None when both legs stand at the same time.
    """

    a: CaliperPoint
    b: CaliperPoint

    @property
    def dt_ms(self) -> float:
        return (self.b.t_s - self.a.t_s) * 1000.0

    @property
    def dv_mv(self) -> float:
        return self.b.mv - self.a.mv

    @property
    def rate_per_min(self) -> float | None:
        return None if abs(self.dt_ms) < 1e-9 else 60000.0 / abs(self.dt_ms)

    def short(self) -> str:
        """E.g. "Δt 812 ms (74 /min) · ΔV +1.20 mV"."""
        rate = f" ({self.rate_per_min:.0f} /min)" if self.rate_per_min is not None else ""
        return f"Δt {self.dt_ms:.0f} ms{rate} · ΔV {self.dv_mv:+.2f} mV"

    def text(self) -> str:
        """The readout with both legs, e.g. "Δt 812 ms (74 /min) · ΔV +1.20 mV (II at 1.204 s → II at 2.016 s)"."""
        return f"{self.short()} ({self.a.lead} at {self.a.t_s:.3f} s → {self.b.lead} at {self.b.t_s:.3f} s)"


def caliper_point(ecg: ECG, lead: str, t_s: float) -> CaliperPoint:
    """The point of `lead` at record time `t_s` (s), moved to the nearest sample, with its amplitude (mV).

    Raises ECGError when the record has no such lead, the time lies outside the record, or the sample is
    missing (NaN: a lead off there).
    """
    if lead not in ecg.leads:
        raise ECGError(f"this record has no lead {lead!r}; its leads are {', '.join(ecg.leads)}")
    if not math.isfinite(t_s) or not 0.0 <= t_s <= (ecg.n_samples - 1) / ecg.fs + 0.5 / ecg.fs:
        raise ECGError(f"{t_s:g} s lies outside the record (0 to {ecg.duration:.3f} s)")
    i = min(int(round(t_s * ecg.fs)), ecg.n_samples - 1)
    value = float(ecg.lead(lead)[i])
    if not math.isfinite(value):
        raise ECGError(f"lead {lead} has no signal at {i / ecg.fs:.3f} s (lead off); place the caliper elsewhere")
    return CaliperPoint(lead, i / ecg.fs, value)


def caliper(ecg: ECG, a: tuple[str, float], b: tuple[str, float]) -> Caliper:
    """The caliper between (lead, t_s) `a` and `b` on `ecg` (see `caliper_point` for the errors)."""
    return Caliper(caliper_point(ecg, *a), caliper_point(ecg, *b))


def point_from_paper(paper: PaperLayout, x: float, y: float) -> tuple[str, float]:
    """(lead, record time in s) under paper coordinates (x in s, y in mV with the row's baseline added):
    the panel whose stretch holds x, in the row whose baseline lies nearest y.

    Raises ECGError when no panel lies under the point (the calibration margin, say).
    """
    best: tuple[float, str, float] | None = None
    for panel in paper.panels:
        x_end = panel.x0 + (panel.stop - 1 - panel.start) / paper.fs
        if not panel.x0 - 0.5 / paper.fs <= x <= x_end + 0.5 / paper.fs:
            continue
        distance = abs(y - panel.baseline)
        if best is None or distance < best[0]:
            t = panel.start / paper.fs + (x - panel.x0)
            best = (distance, panel.lead, float(np.clip(t, panel.start / paper.fs, (panel.stop - 1) / paper.fs)))
    if best is None:
        raise ECGError(f"no lead is drawn at {x:.3f} s; click on a tracing")
    return best[1], best[2]


def default_legs(rpeaks: np.ndarray, fs: float, start_s: float, window_s: float) -> tuple[float, float]:
    """Where the caliper's legs first stand (s): on the first two R peaks (`rpeaks`, samples at `fs`) inside
    the window [start_s, start_s + window_s), so the first reading is an R-R interval and its rate; 1 s and
    2 s into the window when fewer than two peaks lie there."""
    times = np.asarray(rpeaks, dtype=np.float64) / fs
    inside = times[(times >= start_s) & (times < start_s + window_s)]
    if len(inside) >= 2:
        return float(inside[0]), float(inside[1])
    return start_s + 1.0, start_s + 2.0


def legs_from_box(paper: PaperLayout, x: tuple[float, float], y: tuple[float, float]) -> tuple[tuple[str, float],
                                                                                               tuple[str, float]]:
    """The caliper's legs from a stretch dragged on the paper (a box: x range in s, y range in mV with the
    row's baseline): its left and right edges, in the row under the box's middle. Each edge takes the lead
    drawn there (two leads when the box crosses a column border in 3x4 or 6x2). Raises ECGError when an edge
    lies on no tracing."""
    x0, x1 = sorted(float(v) for v in x)
    mid = (float(y[0]) + float(y[1])) / 2.0
    return point_from_paper(paper, x0, mid), point_from_paper(paper, x1, mid)
