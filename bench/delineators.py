"""Delineation candidates scored by bench_delineation.py but not chosen, kept out of the runtime library.

Each returns what `ecgcore.signal.delineate.delineate` returns: (leads, beats, FIDUCIALS) sample indices, NaN where
not found.
- "ecgdeli": the Python port of KIT-IBT's ECGdeli (`ecgdeli.annotate` on `ecgdeli.filter_ecg` output; the `bench`
  extra); its beats are matched to our R-peaks (nearest R within 60 ms).
- "median": each lead's median beat (RR-long segments, 40 % of RR before R) tiled and delineated by neurokit2
  "prominence", T end by the tangent method; the same offsets from R are given to every beat.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ecgcore.signal import delineate as dl
from ecgcore.signal.delineate import FIDUCIALS, IDX, _empty, _nk_lead, _order_checked

TILES = 5                      # copies of a median beat given to the delineator
BEFORE_FRACTION = 0.4          # share of RR before R in a median-beat segment
TANGENT_SEARCH_S = 0.25        # the T end lies within this of the T peak
MIN_T_AMPLITUDE_MV = 0.05      # flatter T waves give no tangent
METHODS: tuple[str, ...] = dl.METHODS + ("ecgdeli", "median")


def _ecgdeli(signal: np.ndarray, rpeaks: np.ndarray, fs: float) -> np.ndarray:
    """(leads, beats, FIDUCIALS) from ECGdeli's per-lead tables, matched to `rpeaks`."""
    import ecgdeli

    out = _empty(signal.shape[0], len(rpeaks))
    out[:, :, IDX["R"]] = rpeaks
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ann = ecgdeli.annotate(ecgdeli.filter_ecg(np.nan_to_num(signal.T.astype(np.float64)), fs), fs)
        except Exception:
            return out
    cols = {"P_on": 0, "P_peak": 1, "P_off": 2, "QRS_on": 3, "QRS_off": 7, "T_on": 9, "T_peak": 10, "T_off": 11}
    tol = 0.06 * fs
    for li, table in enumerate(ann.leads[:signal.shape[0]]):
        s = table.samples  # (beats, 12) NaN where missing
        if len(s) == 0:
            continue
        r = s[:, 5]
        for bi, rp in enumerate(rpeaks):
            d = np.abs(r - rp)
            if not np.isfinite(d).any():
                continue
            j = int(np.nanargmin(d))
            if d[j] <= tol:
                for name, c in cols.items():
                    out[li, bi, IDX[name]] = s[j, c]
        out[li] = _order_checked(out[li])
    return out


def tangent_t_end(x: np.ndarray, r: int, fs: float, t_peak: float, qrs_on: float) -> float:
    """T end (sample index) of one beat by the tangent method, NaN where there is no clear T wave.

    x: one lead (mV), R at sample r; t_peak and qrs_on are sample indices. The steepest tangent of the T
    wave's descending limb (after the T peak) meets the baseline: the mean over the 20 ms before QRS onset.
    """
    from scipy.signal import savgol_filter

    if not (math.isfinite(t_peak) and math.isfinite(qrs_on)):
        return math.nan
    peak, on = int(round(t_peak)), int(round(qrs_on))
    if not 0 < on < r < peak < len(x) - 3:
        return math.nan
    base = float(np.mean(x[max(0, on - int(round(0.02 * fs))):on + 1]))
    hi = min(len(x), peak + int(TANGENT_SEARCH_S * fs) + 1)
    win = max(5, int(0.04 * fs) | 1)
    lo = max(0, peak - win)
    seg = x[lo:hi]
    y = savgol_filter(seg, win, 2) if len(seg) > win else seg
    p = peak - lo
    sign = np.sign(y[p] - base)
    if sign == 0 or abs(y[p] - base) < MIN_T_AMPLITUDE_MV:
        return math.nan
    slope = np.diff(y[p:]) * fs  # mV/s
    if len(slope) == 0:
        return math.nan
    j = int(np.argmax(-sign * slope))
    if -sign * slope[j] <= 0:
        return math.nan
    end = p + j + 0.5 + (base - (y[p + j] + y[p + j + 1]) / 2) / slope[j] * fs
    return lo + end if p < end < p + TANGENT_SEARCH_S * fs else math.nan


def median_beats(cleaned: np.ndarray, rpeaks: np.ndarray) -> tuple[np.ndarray, int]:
    """(leads, RR samples) median over beats of RR-long segments (BEFORE_FRACTION of RR before R), and the
    samples before R in it. NaN when no segment fits inside the record."""
    rr = int(round(np.median(np.diff(rpeaks)))) if len(rpeaks) > 1 else 0
    before = int(round(BEFORE_FRACTION * rr))
    keep = rpeaks[(rpeaks - before >= 0) & (rpeaks - before + rr <= cleaned.shape[-1])]
    if rr == 0 or len(keep) == 0:
        return np.full((cleaned.shape[0], max(rr, 1)), np.nan), before
    idx = (keep - before)[:, None] + np.arange(rr)[None, :]
    return np.median(cleaned[:, idx], axis=1), before


def delineate_median_beat(med: np.ndarray, before: int, fs: float) -> np.ndarray:
    """(leads, FIDUCIALS) of median beats (leads, samples) whose R is at `before`, in samples from R."""
    out = np.full((med.shape[0], len(FIDUCIALS)), np.nan)
    if not np.isfinite(med).all():
        return out
    rr = med.shape[1]
    rpeaks = before + rr * np.arange(TILES)
    mid = TILES // 2
    for li, m in enumerate(med):
        tiled = np.tile(m, TILES)
        row = _nk_lead(tiled, rpeaks, fs, "prominence")[mid] - rpeaks[mid]
        row[IDX["T_off"]] = tangent_t_end(tiled, int(rpeaks[mid]), fs, row[IDX["T_peak"]] + rpeaks[mid],
                                          row[IDX["QRS_on"]] + rpeaks[mid]) - rpeaks[mid]
        out[li] = row
    out[:, IDX["R"]] = 0.0
    return out


def delineate(signal: np.ndarray, fs: float, rpeaks: np.ndarray, method: str,
              cleaned: np.ndarray | None = None) -> np.ndarray:
    """Any candidate of METHODS: the library's own (nk-*) or one of this module's."""
    rpeaks = np.asarray(rpeaks, dtype=np.int64)
    if method == "ecgdeli":
        return _ecgdeli(signal, rpeaks, fs)
    if method != "median":
        return dl.delineate(signal, fs, rpeaks, method, cleaned=cleaned)
    cleaned = dl.clean(signal, fs) if cleaned is None else cleaned
    out = _empty(signal.shape[0], len(rpeaks))
    if len(rpeaks) < 2:
        return out
    med, before = median_beats(cleaned, rpeaks)
    rel = delineate_median_beat(med, before, fs)
    return rel[:, None, :] + rpeaks[None, :, None]
