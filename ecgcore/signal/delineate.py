"""Wave delineation: P, QRS and T onsets, peaks and offsets per lead and beat, and their combination over leads.

Every delineator here returns the same thing: a float array (leads, beats, len(FIDUCIALS)) of sample indices
at the record's rate, NaN where a point was not found, one row per given R-peak. The candidates are scored
against the cardiologists' marks of LUDB by bench/bench_delineation.py, which chose DEFAULT_METHOD and
DEFAULT_COMBINE (its docstring has the table and the reasons).

- "nk-<method>": neurokit2 `ecg_delineate` (dwt, peak, cwt, prominence) on each cleaned lead, with our
  R-peaks. neurokit2's cwt fails on an R-peak within 100 ms of either end, so such beats are left out.
- "ecgdeli": the Python port of KIT-IBT's ECGdeli (`ecgdeli.annotate` on `ecgdeli.filter_ecg` output); its
  beats are matched to our R-peaks (nearest R within 60 ms).
- "median": each lead's median beat (RR-long segments, 40 % of RR before R) tiled and delineated by neurokit2
  "prominence", T end by the tangent method; the same offsets from R are given to every beat.

`combine_leads` makes global (all-lead) points per beat as carts do: onsets the early quantile over the leads
where they were found, offsets the late one, peaks the median.

Chosen (bench/bench_delineation.py, LUDB 1-100, global intervals against the cardiologists' marks, mean +- SD ms):
"nk-prominence" per lead, each lead's median over beats, combined by "cart": PR -6.0 +- 16.1, QRS -5.7 +- 19.3,
QT -4.1 +- 22.2 (QT within IEC 60601-2-51; PR and QRS means within +-10 ms but no candidate reaches SD <= 10 ms).
ECGdeli (median over leads) was closer for PR (+3.7 +- 10.9) and QRS (+6.2 +- 16.1) but not QT (-5.4 +- 33.2)
and takes ~6x longer (0.5 s a record, over the analysis budget of 100 ms); neurokit2 dwt/cwt/peak miss QRS
boundaries (peak gives none) or put QRS onset near the P wave; "median" (the previous method, a tiled median
beat with a tangent T end) finds no T end in a third of the leads.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

FIDUCIALS: tuple[str, ...] = ("P_on", "P_peak", "P_off", "QRS_on", "R", "QRS_off", "T_on", "T_peak", "T_off")
IDX = {name: i for i, name in enumerate(FIDUCIALS)}
ONSETS = ("P_on", "QRS_on", "T_on")
OFFSETS = ("P_off", "QRS_off", "T_off")
#: fiducial -> neurokit2 `ecg_delineate` key
NK_KEYS: dict[str, str] = {
    "P_on": "ECG_P_Onsets", "P_peak": "ECG_P_Peaks", "P_off": "ECG_P_Offsets",
    "QRS_on": "ECG_R_Onsets", "QRS_off": "ECG_R_Offsets",
    "T_on": "ECG_T_Onsets", "T_peak": "ECG_T_Peaks", "T_off": "ECG_T_Offsets",
}
NK_METHODS: tuple[str, ...] = ("dwt", "peak", "cwt", "prominence")
METHODS: tuple[str, ...] = tuple(f"nk-{m}" for m in NK_METHODS) + ("ecgdeli", "median")
COMBINE: tuple[str, ...] = ("median", "quantile", "extreme", "cart")
#: the "cart" combination: the quantile over leads taken for each point (0 = earliest lead, 1 = latest), set on
#: LUDB 1-100 by bench/bench_delineation.py: QRS from the robust earliest onset to the robust latest offset (one
#: stray lead does not set them); P onset and T end a little inside the extremes, where single leads err most.
CART_QUANTILES: dict[str, float] = {"P_on": 0.2, "P_off": 0.8, "QRS_on": 0.1, "QRS_off": 0.9,
                                    "T_on": 0.5, "T_off": 0.5}
DEFAULT_METHOD = "nk-prominence"
DEFAULT_COMBINE = "cart"
ALIGN_S = 0.05                # a lead's own R lies within this of the record's R-peak
EDGE_S = 0.1                   # nk delineators need this much signal before an R-peak
ONSET_QUANTILE = 0.1           # "quantile" combination: onsets this quantile over leads, offsets 1 - it
MIN_LEADS = 3                  # a global point needs this many leads (or all leads, if fewer)
TILES = 5                      # copies of a median beat given to the delineator
BEFORE_FRACTION = 0.4          # share of RR before R in a median-beat segment
TANGENT_SEARCH_S = 0.25        # the T end lies within this of the T peak
MIN_T_AMPLITUDE_MV = 0.05      # flatter T waves give no tangent


def _empty(leads: int, beats: int) -> np.ndarray:
    return np.full((leads, beats, len(FIDUCIALS)), np.nan)


def align(x: np.ndarray, rpeaks: np.ndarray, fs: float) -> tuple[int, np.ndarray]:
    """(polarity +1/-1, R-peaks moved onto this lead's dominant QRS deflection within ALIGN_S).

    The polarity is decided once per lead from all beats (the median of the largest upward against the largest
    downward deviation from the window's median), so a lead whose QRS is mainly an S or QS wave is delineated
    upside down (boundaries don't change sign) instead of with its "R" on a small r wave.
    """
    w = max(1, int(round(ALIGN_S * fs)))
    idx = np.clip(rpeaks[:, None] + np.arange(-w, w + 1)[None, :], 0, len(x) - 1)
    seg = x[idx] - np.median(x[idx], axis=1, keepdims=True)
    sign = 1 if np.median(seg.max(axis=1)) >= np.median(-seg.min(axis=1)) else -1
    return sign, idx[np.arange(len(rpeaks)), np.argmax(sign * seg, axis=1)]


def _nk_lead(x: np.ndarray, rpeaks: np.ndarray, fs: float, method: str) -> np.ndarray:
    """(beats, FIDUCIALS) of one cleaned lead by neurokit2 `ecg_delineate`, after `align` (R column: this
    lead's R)."""
    import neurokit2 as nk

    out = np.full((len(rpeaks), len(FIDUCIALS)), np.nan)
    if len(rpeaks) == 0:
        return out
    sign, rpeaks = align(x, rpeaks, fs)
    x = sign * x
    out[:, IDX["R"]] = rpeaks
    edge = int(EDGE_S * fs) + 1
    ok = (rpeaks >= edge) & (rpeaks < len(x) - edge)
    if ok.sum() < 2:
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            _, waves = nk.ecg_delineate(x, rpeaks=rpeaks[ok], sampling_rate=fs, method=method)
        except Exception:  # neurokit raises assorted errors where it finds no waves
            return out
    rows = np.flatnonzero(ok)
    for name, key in NK_KEYS.items():
        vals = waves.get(key)
        if vals is None:
            continue
        vals = np.array([np.nan if v is None else v for v in vals], dtype=float)
        if len(vals) == len(rows):
            out[rows, IDX[name]] = vals
        else:  # cwt leaves out P/T waves of the first/last beat: give each point to its beat
            vals = vals[np.isfinite(vals)]
            beat = (np.searchsorted(rpeaks, vals) if name in ("P_on", "P_peak", "P_off", "QRS_on")
                    else np.searchsorted(rpeaks, vals) - 1)
            good = (beat >= 0) & (beat < len(rpeaks))
            out[beat[good], IDX[name]] = vals[good]
    return _order_checked(out)


def _order_checked(out: np.ndarray) -> np.ndarray:
    """NaN out points on the wrong side of R (P and QRS onset after R, QRS offset and T before it)."""
    r = out[:, IDX["R"]][:, None]
    before = [IDX[n] for n in ("P_on", "P_peak", "P_off", "QRS_on")]
    after = [IDX[n] for n in ("QRS_off", "T_on", "T_peak", "T_off")]
    with np.errstate(invalid="ignore"):
        out[:, before] = np.where(out[:, before] < r, out[:, before], np.nan)
        out[:, after] = np.where(out[:, after] > r, out[:, after], np.nan)
    return out


def clean(signal: np.ndarray, fs: float) -> np.ndarray:
    """neurokit2 `ecg_clean` (0.5 Hz high-pass Butterworth, 50 Hz powerline filter) on every lead (leads, samples);
    float32 (one lead at a time in float64, so a long record costs one float32 copy)."""
    import neurokit2 as nk

    out = np.empty(signal.shape, dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, x in enumerate(signal):
            out[i] = nk.ecg_clean(np.nan_to_num(x.astype(np.float64)), sampling_rate=fs)
    return out


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


def delineate(signal: np.ndarray, fs: float, rpeaks: np.ndarray, method: str = DEFAULT_METHOD,
              cleaned: np.ndarray | None = None) -> np.ndarray:
    """Fiducials of every lead and beat: (leads, beats, FIDUCIALS) sample indices at `fs`, NaN where not found.

    signal: (leads, samples) mV; rpeaks: R-peak sample indices; cleaned: `clean(signal, fs)` when already
    computed. Raises ValueError for an unknown method.
    """
    rpeaks = np.asarray(rpeaks, dtype=np.int64)
    if method not in METHODS:
        raise ValueError(f"unknown delineation method {method!r}; choose one of {', '.join(METHODS)}")
    if method == "ecgdeli":
        return _ecgdeli(signal, rpeaks, fs)
    cleaned = clean(signal, fs) if cleaned is None else cleaned
    if method == "median":
        out = _empty(signal.shape[0], len(rpeaks))
        if len(rpeaks) < 2:
            return out
        med, before = median_beats(cleaned, rpeaks)
        rel = delineate_median_beat(med, before, fs)
        return rel[:, None, :] + rpeaks[None, :, None]
    return np.stack([_nk_lead(x, rpeaks, fs, method[3:]) for x in cleaned])


def combine_leads(points: np.ndarray, how: str = DEFAULT_COMBINE, min_leads: int = MIN_LEADS) -> np.ndarray:
    """Global points (..., FIDUCIALS) from per-lead ones (leads, ..., FIDUCIALS): over the leads where a point
    was found (at least min(min_leads, leads) of them, else NaN), onsets take the earliest ("extreme"), the
    ONSET_QUANTILE quantile ("quantile") or the median ("median"); offsets the mirror; peaks the median;
    "cart" takes CART_QUANTILES."""
    if how not in COMBINE:
        raise ValueError(f"unknown lead combination {how!r}; choose one of {', '.join(COMBINE)}")
    need = min(min_leads, points.shape[0])
    enough = np.isfinite(points).sum(axis=0) >= need
    q = {"median": 0.5, "quantile": ONSET_QUANTILE, "extreme": 0.0, "cart": 0.5}[how]
    out = np.full(points.shape[1:], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # all-NaN slices
        for name, i in IDX.items():
            qi = q if name in ONSETS else 1.0 - q if name in OFFSETS else 0.5
            if how == "cart":
                qi = CART_QUANTILES.get(name, 0.5)
            out[..., i] = np.nanquantile(points[..., i], qi, axis=0)
    return np.where(enough, out, np.nan)


def record_fiducials(points: np.ndarray, rpeaks: np.ndarray, how: str = DEFAULT_COMBINE) -> dict[str, float]:
    """The record's global points in samples from R: each lead's median over beats (robust to a beat whose
    T end or P onset a lead misplaced), then `combine_leads` over the leads. points: (leads, beats, FIDUCIALS)
    at the R-peaks `rpeaks`. Points found in no lead are left out."""
    if points.shape[1] == 0:
        return {}
    rel = points - np.asarray(rpeaks, dtype=float)[None, :, None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # all-NaN slices
        per_lead = np.nanmedian(rel, axis=1)  # (leads, FIDUCIALS)
    glob = combine_leads(per_lead[:, None, :], how)[0]
    return {name: float(glob[i]) for name, i in IDX.items() if np.isfinite(glob[i])}
