"""Per-window maps -> one map over the whole record, and from the model's rate to the record's rate."""
from __future__ import annotations

import numpy as np


def windows_in_span(starts_s: np.ndarray, window_s: float, span_s: tuple[float, float]) -> np.ndarray:
    """Indices of the windows (starting at `starts_s`, `window_s` long) that overlap [start, end) seconds."""
    start, end = span_s
    return np.flatnonzero((starts_s < end) & (starts_s + window_s > start))


def stitch_windows(values: np.ndarray, starts: np.ndarray, n_samples: int) -> np.ndarray:
    """Average overlapping windows into one continuous map.

    values: (..., W, T) one map per window (samples at the model's rate); starts: (W,) first sample of each
    window; n_samples: record length at that rate. Returns (..., n_samples); samples no window covers (none
    with the models' window layout, whose last window ends at the record's end) are NaN.
    """
    values = np.asarray(values, dtype=np.float64)
    w, t = values.shape[-2:]
    if len(starts) != w:
        raise ValueError(f"{w} windows but {len(starts)} window starts")
    lead_shape = values.shape[:-2]
    flat = values.reshape(-1, w, t)
    idx = (np.asarray(starts)[:, None] + np.arange(t)[None, :]).ravel()
    if idx.max(initial=-1) >= n_samples:
        raise ValueError(f"windows reach sample {idx.max()} but the record has {n_samples} samples")
    counts = np.bincount(idx, minlength=n_samples).astype(np.float64)
    sums = np.stack([np.bincount(idx, weights=f.ravel(), minlength=n_samples) for f in flat])
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(counts > 0, sums / counts, np.nan)
    return out.reshape(*lead_shape, n_samples)


def to_rate(values: np.ndarray, fs_in: float, n_out: int, fs_out: float) -> np.ndarray:
    """(..., n_in) at fs_in -> (..., n_out) at fs_out by linear interpolation in time (edges held).

    Sample i sits at i / fs (s) on both sides, as `ecgcore.signal.resample` keeps the first sample at t = 0.
    """
    values = np.asarray(values, dtype=np.float64)
    n_in = values.shape[-1]
    if fs_in == fs_out and n_in == n_out:
        return values.copy()
    t_in = np.arange(n_in) / fs_in
    t_out = np.arange(n_out) / fs_out
    flat = values.reshape(-1, n_in)
    out = np.stack([np.interp(t_out, t_in, row) for row in flat])
    return out.reshape(*values.shape[:-1], n_out)


class WindowStitcher:
    """`stitch_windows` fed one chunk of windows at a time: memory holds the running sums (maps, n_samples)
    and the per-sample window counts, never every window's map.

    add(values (..., w, T), starts (w,)); result() -> (..., n_samples) averaged, `fill` where no window added;
    at_rate(...) -> the same brought to another rate, interpolating only the span the windows cover.
    """

    def __init__(self, lead_shape: tuple[int, ...], n_samples: int, fill: float = np.nan) -> None:
        self.sums = np.zeros((int(np.prod(lead_shape, dtype=int)), n_samples), dtype=np.float64)
        self.counts = np.zeros(n_samples, dtype=np.float64)
        self.lead_shape, self.n_samples, self.fill = lead_shape, n_samples, fill

    def add(self, values: np.ndarray, starts: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64)
        w, t = values.shape[-2:]
        idx = (np.asarray(starts)[:, None] + np.arange(t)[None, :]).ravel()
        if idx.max(initial=-1) >= self.n_samples:
            raise ValueError(f"windows reach sample {idx.max()} but the record has {self.n_samples} samples")
        self.counts += np.bincount(idx, minlength=self.n_samples)
        for row, f in zip(self.sums, values.reshape(-1, w, t)):
            row += np.bincount(idx, weights=f.ravel(), minlength=self.n_samples)

    def result(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(self.counts > 0, self.sums / self.counts, self.fill)
        return out.reshape(*self.lead_shape, self.n_samples)

    def at_rate(self, fs_in: float, n_out: int, fs_out: float, fill: float = 0.0) -> np.ndarray:
        """float32 (..., n_out) at `fs_out`: `to_rate` of `result()` over the samples the added windows cover
        (edges held when they cover the whole record), `fill` elsewhere; memory and time follow the covered
        span, not the record."""
        # zeros come from calloc: pages outside the covered span are never written, so a long record's map
        # costs resident memory only for the part computed (an explanation kept per view stays small)
        out = (np.zeros if fill == 0 else np.full)((self.sums.shape[0], n_out), *(() if fill == 0 else (fill,)),
                                                   dtype=np.float32)
        covered = np.flatnonzero(self.counts > 0)
        if covered.size:
            a, b = int(covered[0]), int(covered[-1]) + 1
            with np.errstate(invalid="ignore", divide="ignore"):
                part = np.where(self.counts[a:b] > 0, self.sums[:, a:b] / self.counts[a:b], fill)
            k0 = 0 if a == 0 else int(np.ceil(a / fs_in * fs_out))
            k1 = n_out if b == self.n_samples else min(n_out, int(np.floor((b - 1) / fs_in * fs_out)) + 1)
            t_in, t_out = np.arange(a, b) / fs_in, np.arange(k0, k1) / fs_out
            for row, values in zip(out, part):
                row[k0:k1] = np.interp(t_out, t_in, values)
        return out.reshape(*self.lead_shape, n_out)
