"""Where each lead sits on standard ECG paper: the clinical layouts, independent of any plotting library.

Coordinates: x in seconds of record time, y in millivolts with each row's baseline at a fixed offset.
At the standard paper speed and gain (25 mm/s, 10 mm/mV) 1 mm is 0.04 s across and 0.1 mV up, so a
plot keeps millimetres square when one y unit is drawn `Y_PER_X` times as long as one x unit.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGError

MM_PER_S = 25.0  # paper speed, mm/s
MM_PER_MV = 10.0  # gain, mm/mV
S_PER_MM = 1.0 / MM_PER_S  # 0.04 s: one small square across
MV_PER_MM = 1.0 / MM_PER_MV  # 0.1 mV: one small square up
Y_PER_X = MM_PER_MV / MM_PER_S  # drawn length of 1 mV relative to 1 s (0.4)
CAL_WIDTH_S = 0.2  # the 1 mV calibration pulse is 5 mm wide
CAL_MARGIN_S = 0.4  # paper left of the trace start that holds the pulse (10 mm)

#: 3x4 layout: rows of (lead per column); the rhythm strip is added below.
GRID_3X4: tuple[tuple[str, ...], ...] = (
    ("I", "aVR", "V1", "V4"),
    ("II", "aVL", "V2", "V5"),
    ("III", "aVF", "V3", "V6"),
)
LAYOUTS = ("3x4", "12x1")


@dataclass(frozen=True)
class Panel:
    """One stretch of one lead on the paper.

    lead: lead name; row: row index from the top; start, stop: sample indices into the record's signal;
    x0: paper position (s) of the first sample (its record time in the full-record layouts);
    baseline: y offset (mV) of the row's zero line.
    """

    lead: str
    row: int
    start: int
    stop: int
    x0: float
    baseline: float


@dataclass(frozen=True)
class PaperLayout:
    """All panels of one figure plus the paper extent (x in s, y in mV incl. the calibration margin)."""

    panels: tuple[Panel, ...]
    n_rows: int
    row_height_mv: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    fs: float

    def row_baselines(self) -> list[float]:
        return [-r * self.row_height_mv for r in range(self.n_rows)]

    def paper_x(self, panel: Panel, samples: np.ndarray) -> np.ndarray:
        """Paper x (s) of record sample indices drawn in `panel`."""
        return panel.x0 + (np.asarray(samples) - panel.start) / self.fs


def paper_layout(
    ecg: ECG,
    layout: str = "3x4",
    start_s: float = 0.0,
    window_s: float = 10.0,
    row_height_mv: float | None = None,
) -> PaperLayout:
    """Place the leads of `ecg` on paper.

    layout "3x4": three rows of four leads, each column showing its own quarter of the window (as on a
    printed 12-lead ECG), plus a full-window lead-II rhythm strip; "12x1": all twelve leads stacked, each
    over the whole window. A record with fewer leads (`ECG.leads`) is always drawn stacked, the leads present. `start_s`/`window_s` pick the time window (s) for records longer than 10 s.
    Row height defaults to 4 mV (40 mm) for 3x4 and 3 mV (30 mm) for 12x1; baselines lie on 5 mm lines.
    """
    if layout not in LAYOUTS:
        raise ECGError(f"unknown ECG layout {layout!r}; use one of {', '.join(LAYOUTS)}")
    n = ecg.n_samples
    start = int(round(max(0.0, start_s) * ecg.fs))
    start = min(start, max(0, n - 1))
    stop = min(n, start + int(round(window_s * ecg.fs)))
    if stop - start < 2:
        raise ECGError("the chosen window holds no samples; pick a start time inside the record")
    panels: list[Panel] = []
    if layout == "3x4" and ecg.is_twelve_lead:
        height = 4.0 if row_height_mv is None else row_height_mv
        edges = np.linspace(start, stop, 5).round().astype(int)
        for r, row in enumerate(GRID_3X4):
            for c, lead in enumerate(row):
                a, b = int(edges[c]), int(edges[c + 1])
                panels.append(Panel(lead, r, a, b, a / ecg.fs, -r * height))
        panels.append(Panel("II", 3, start, stop, start / ecg.fs, -3 * height))
        n_rows = 4
    else:
        height = 3.0 if row_height_mv is None else row_height_mv
        for r, lead in enumerate(ecg.leads):
            panels.append(Panel(lead, r, start, stop, start / ecg.fs, -r * height))
        n_rows = len(ecg.leads)
    x0 = start / ecg.fs - CAL_MARGIN_S
    x1 = stop / ecg.fs
    y_top = 0.5 * height
    y_bottom = -(n_rows - 1) * height - 0.5 * height
    return PaperLayout(tuple(panels), n_rows, height, (x0, x1), (y_bottom, y_top), ecg.fs)


#: Beat views: limb leads on the first row, chest leads on the second.
GRID_2X6: tuple[tuple[str, ...], ...] = (("I", "II", "III", "aVR", "aVL", "aVF"),
                                         ("V1", "V2", "V3", "V4", "V5", "V6"))


def beat_layout(ecg: ECG, start: int, stop: int, row_height_mv: float = 4.0, gap_s: float = 0.2) -> PaperLayout:
    """The 12 leads of one stretch `start:stop` (samples, e.g. one beat or a median beat) side by side,
    limb leads above chest leads (2 x 6), or one row of the leads present for a record with fewer leads;
    panels start on 5 mm lines so the grid stays aligned."""
    if not 0 <= start < stop <= ecg.n_samples:
        raise ECGError(f"beat window {start}:{stop} lies outside the record (0:{ecg.n_samples})")
    width = (stop - start) / ecg.fs
    pitch = float(np.ceil((width + gap_s) / 0.2 - 1e-9) * 0.2)
    grid = GRID_2X6 if ecg.is_twelve_lead else (tuple(ecg.leads),)  # fewer leads: one row of those present
    panels = tuple(Panel(lead, r, start, stop, c * pitch, -r * row_height_mv)
                   for r, row in enumerate(grid) for c, lead in enumerate(row))
    x1 = (max(len(row) for row in grid) - 1) * pitch + width
    return PaperLayout(panels, len(grid), row_height_mv, (-CAL_MARGIN_S, x1),
                       (-(len(grid) - 0.5) * row_height_mv, 0.5 * row_height_mv), ecg.fs)


def calibration_pulse(baseline: float, x_end: float) -> tuple[np.ndarray, np.ndarray]:
    """The 1 mV x 0.2 s calibration pulse drawn in the margin that ends at `x_end` (s), on `baseline` (mV)."""
    a = x_end - CAL_MARGIN_S + 0.05
    b = a + 0.05
    c = b + CAL_WIDTH_S
    d = x_end - 0.05
    x = np.array([a, b, b, c, c, d])
    y = baseline + np.array([0.0, 0.0, 1.0, 1.0, 0.0, 0.0])
    return x, y


def panel_trace(ecg: ECG, panel: Panel, max_points: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """x (s) and y (mV + baseline) of one panel; with `max_points`, min/max-decimated for display.

    Min/max decimation keeps every peak and trough of each bucket (QRS spikes and pacing spikes stay at
    their full height), so it only drops samples that fall between a bucket's extremes.
    """
    y = ecg.lead(panel.lead)[panel.start:panel.stop]
    idx = np.arange(panel.start, panel.stop)
    if max_points is not None and len(y) > max_points:
        idx, y = minmax_decimate(idx, y, max_points // 2)
    return panel.x0 + (idx - panel.start) / ecg.fs, y.astype(np.float64) + panel.baseline


def minmax_decimate(x: np.ndarray, y: np.ndarray, buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """Keep the min and the max of `y` in each of `buckets` equal slices, in time order (2 points each)."""
    n = len(y)
    usable = n - n % buckets
    if buckets < 1 or usable == 0:
        return x, y
    step = usable // buckets
    yb = y[:usable].reshape(buckets, step)
    lo, hi = yb.argmin(axis=1), yb.argmax(axis=1)
    first, second = np.minimum(lo, hi), np.maximum(lo, hi)
    base = np.arange(buckets) * step
    keep = np.stack([base + first, base + second], axis=1).ravel()
    keep = np.concatenate([keep, np.arange(usable, n)])
    return x[keep], y[keep]
