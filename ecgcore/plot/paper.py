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
CAL_WIDTH_MM = 5.0  # the 1 mV calibration pulse is 5 mm wide (0.2 s at 25 mm/s)
CAL_MARGIN_MM = 10.0  # paper left of the trace start that holds the pulse
CAL_WIDTH_S = CAL_WIDTH_MM / MM_PER_S  # the same at the standard speed (s)
CAL_MARGIN_S = CAL_MARGIN_MM / MM_PER_S
SPEEDS_MM_PER_S = (25.0, 50.0)  # the paper speeds every cart offers
GAINS_MM_PER_MV = (5.0, 10.0, 20.0)  # the gains every cart offers (half, standard, double)
PAGE_WIDTH_MM = 250.0  # the tracing's width on a page: 10 s at 25 mm/s, 5 s at 50 mm/s


@dataclass(frozen=True)
class Scale:
    """Paper speed (mm/s) and gain (mm/mV): how far one second runs and how high one millivolt stands.

    25 mm/s and 10 mm/mV are the standard (AHA/ACC/HRS 2007 recommendations for the standardisation of the
    ECG, part I); 50 mm/s spreads a beat for its intervals, 5 mm/mV keeps tall QRS complexes (LVH) inside
    their row and 20 mm/mV enlarges low voltage. Raises ECGError for other values.
    """

    mm_per_s: float = MM_PER_S
    mm_per_mv: float = MM_PER_MV

    def __post_init__(self) -> None:
        if float(self.mm_per_s) not in SPEEDS_MM_PER_S:
            raise ECGError(f"paper speed {self.mm_per_s:g} mm/s is not offered; use "
                           f"{' or '.join(f'{v:g}' for v in SPEEDS_MM_PER_S)} mm/s")
        if float(self.mm_per_mv) not in GAINS_MM_PER_MV:
            raise ECGError(f"gain {self.mm_per_mv:g} mm/mV is not offered; use "
                           f"{', '.join(f'{v:g}' for v in GAINS_MM_PER_MV)} mm/mV")

    @property
    def s_per_mm(self) -> float:
        """Seconds across one small square (0.04 s at 25 mm/s, 0.02 s at 50 mm/s)."""
        return 1.0 / self.mm_per_s

    @property
    def mv_per_mm(self) -> float:
        """Millivolts up one small square (0.1 mV at 10 mm/mV)."""
        return 1.0 / self.mm_per_mv

    @property
    def y_per_x(self) -> float:
        """Drawn length of 1 mV relative to 1 s, so that millimetres stay square."""
        return self.mm_per_mv / self.mm_per_s

    @property
    def window_s(self) -> float:
        """Seconds one page width (`PAGE_WIDTH_MM`) holds: 10 s at 25 mm/s, 5 s at 50 mm/s."""
        return PAGE_WIDTH_MM / self.mm_per_s

    def label(self) -> str:
        """As printed on the paper's footer, e.g. "25 mm/s · 10 mm/mV"."""
        return f"{self.mm_per_s:g} mm/s · {self.mm_per_mv:g} mm/mV"


STANDARD = Scale()

#: 3x4 layout: rows of (lead per column); the rhythm strip is added below.
GRID_3X4: tuple[tuple[str, ...], ...] = (
    ("I", "aVR", "V1", "V4"),
    ("II", "aVL", "V2", "V5"),
    ("III", "aVF", "V3", "V6"),
)
#: 6x2 layout: limb leads in the first column (first half of the window), chest leads in the second
#: (second half); the rhythm strip is added below.
GRID_6X2: tuple[tuple[str, ...], ...] = (
    ("I", "V1"), ("II", "V2"), ("III", "V3"), ("aVR", "V4"), ("aVL", "V5"), ("aVF", "V6"),
)
#: Row heights in millimetres (the height in mV follows from the gain): 40 mm for 3x4, 30 mm for the others.
ROW_MM = {"3x4": 40.0, "6x2": 30.0, "12x1": 30.0}
LAYOUTS = ("3x4", "6x2", "12x1")


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
    scale: Scale = STANDARD

    @property
    def size_mm(self) -> tuple[float, float]:
        """Width and height of the paper in millimetres at its speed and gain."""
        return ((self.x_range[1] - self.x_range[0]) * self.scale.mm_per_s,
                (self.y_range[1] - self.y_range[0]) * self.scale.mm_per_mv)

    def panels_at(self, lead: str, t_s: float) -> list[Panel]:
        """The panels of `lead` whose stretch holds record time `t_s` (s): one, or two for lead II drawn
        both in its column and on the rhythm strip; none where the lead is not drawn at that time."""
        return [p for p in self.panels
                if p.lead == lead and p.start / self.fs <= t_s <= (p.stop - 1) / self.fs + 0.5 / self.fs]

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
    scale: Scale = STANDARD,
) -> PaperLayout:
    """Place the leads of `ecg` on paper.

    layout "3x4": three rows of four leads, each column showing its own quarter of the window (as on a
    printed 12-lead ECG), plus a full-window lead-II rhythm strip; "6x2": six rows of two columns, limb leads
    over the first half of the window and chest leads over the second, plus the rhythm strip; "12x1": all
    twelve leads stacked, each over the whole window. A record with fewer leads (`ECG.leads`) is always drawn
    stacked, the leads present. `start_s`/`window_s` pick the time window (s) for records longer than 10 s.
    Row height defaults to `ROW_MM` (40 mm for 3x4, 30 mm otherwise) at the scale's gain (4 mV and 3 mV at
    10 mm/mV); baselines lie on 5 mm lines. Raises ECGError for an unknown layout or an empty window.
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
    grid = {"3x4": GRID_3X4, "6x2": GRID_6X2}.get(layout)
    if grid is not None and ecg.is_twelve_lead:
        height = ROW_MM[layout] * scale.mv_per_mm if row_height_mv is None else row_height_mv
        edges = np.linspace(start, stop, len(grid[0]) + 1).round().astype(int)
        for r, row in enumerate(grid):
            for c, lead in enumerate(row):
                a, b = int(edges[c]), int(edges[c + 1])
                panels.append(Panel(lead, r, a, b, a / ecg.fs, -r * height))
        n_rows = len(grid) + 1
        panels.append(Panel("II", n_rows - 1, start, stop, start / ecg.fs, -(n_rows - 1) * height))
    else:
        height = ROW_MM["12x1"] * scale.mv_per_mm if row_height_mv is None else row_height_mv
        for r, lead in enumerate(ecg.leads):
            panels.append(Panel(lead, r, start, stop, start / ecg.fs, -r * height))
        n_rows = len(ecg.leads)
    x0 = start / ecg.fs - CAL_MARGIN_MM * scale.s_per_mm
    x1 = stop / ecg.fs
    y_top = 0.5 * height
    y_bottom = -(n_rows - 1) * height - 0.5 * height
    return PaperLayout(tuple(panels), n_rows, height, (x0, x1), (y_bottom, y_top), ecg.fs, scale)


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


def calibration_pulse(baseline: float, x_end: float, scale: Scale = STANDARD) -> tuple[np.ndarray, np.ndarray]:
    """The 1 mV calibration pulse (5 mm wide: 0.2 s at 25 mm/s) drawn in the margin that ends at `x_end` (s),
    on `baseline` (mV); it stands 10 mm high at 10 mm/mV, 5 mm at 5 mm/mV, 20 mm at 20 mm/mV."""
    mm = scale.s_per_mm
    a = x_end - CAL_MARGIN_MM * mm + 1.25 * mm
    b = a + 1.25 * mm
    c = b + CAL_WIDTH_MM * mm
    d = x_end - 1.25 * mm
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
