"""Beat segmentation: windows around R-peaks, and the median and mean beat over them.

Times are in samples at the record's rate `fs` unless a name ends in `_s` (seconds).
"""
from __future__ import annotations

import numpy as np

#: Beat window around each R-peak, seconds.
BEAT_BEFORE_S = 0.25
BEAT_AFTER_S = 0.40


def beat_matrix(x: np.ndarray, rpeaks: np.ndarray, before: int, after: int) -> np.ndarray:
    """(beats, before + after) samples of one lead around each R-peak whose window lies inside the record."""
    keep = rpeaks[(rpeaks - before >= 0) & (rpeaks + after <= x.shape[-1])]
    if len(keep) == 0:
        return np.empty((0, before + after), dtype=x.dtype)
    idx = keep[:, None] + np.arange(-before, after)[None, :]
    return x[..., idx]


def beat_bounds(rpeaks: np.ndarray, fs: float, n_samples: int,
                before_s: float = BEAT_BEFORE_S, after_s: float = BEAT_AFTER_S) -> np.ndarray:
    """(beats, 2) [start, end) sample ranges of each beat window, clipped to the record."""
    before, after = int(round(before_s * fs)), int(round(after_s * fs))
    starts = np.clip(rpeaks - before, 0, n_samples)
    ends = np.clip(rpeaks + after, 0, n_samples)
    return np.stack([starts, ends], axis=1).astype(np.int64)


def median_beat(signal: np.ndarray, rpeaks: np.ndarray, fs: float,
                before_s: float = BEAT_BEFORE_S, after_s: float = BEAT_AFTER_S) -> np.ndarray:
    """Median over complete beats of (channels, samples) -> (channels, window samples); NaN when none fit."""
    return _over_beats(np.median, signal, rpeaks, fs, before_s, after_s)


def mean_beat(signal: np.ndarray, rpeaks: np.ndarray, fs: float,
              before_s: float = BEAT_BEFORE_S, after_s: float = BEAT_AFTER_S) -> np.ndarray:
    """Mean over complete beats of (channels, samples) -> (channels, window samples); for saliency maps."""
    return _over_beats(np.mean, signal, rpeaks, fs, before_s, after_s)


def _over_beats(reduce, signal: np.ndarray, rpeaks: np.ndarray, fs: float, before_s: float,
                after_s: float) -> np.ndarray:
    """`reduce` (np.median or np.mean) over the beat axis of the complete beats; NaN when none fit."""
    before, after = int(round(before_s * fs)), int(round(after_s * fs))
    stack = beat_matrix(signal, np.asarray(rpeaks, dtype=np.int64), before, after)  # (C, beats, L)
    if stack.shape[-2] == 0:
        return np.full((signal.shape[0], before + after), np.nan, dtype=np.float32)
    return reduce(stack, axis=-2).astype(np.float32)
