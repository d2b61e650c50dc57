"""Wave delineation: P, QRS and T onsets, peaks and offsets per lead and beat, and their combination over leads.

Every delineator here returns the same thing: a float array (leads, beats, len(FIDUCIALS)) of sample indices
at the record's rate, NaN where a point was not found, one row per given R-peak. The candidates are scored
against the cardiologists' marks of LUDB by bench/bench_delineation.py, which chose DEFAULT_METHOD and
DEFAULT_COMBINE (its docstring has the table and the reasons).

- "nk-<method>": neurokit2 `ecg_delineate` (dwt, peak, cwt, prominence) on each cleaned lead, with our
  R-peaks. neurokit2's cwt fails on an R-peak within 100 ms of either end, so such beats are left out.

The candidates used only for comparison (ECGdeli, a tiled median beat with a tangent T end) live in
bench/delineators.py: the runtime library carries the chosen method alone.

`combine_leads` makes global (all-lead) points per beat as carts do: onsets the early quantile over the leads
where they were found, offsets the late one, peaks the median.

The global QRS onset and offset are then taken from the median beat's spatial velocity where it agrees
(`spatial_velocity_qrs`, chosen on LUDB 1-70 only). Held out (LUDB 71-100, `python -m bench.bench_interpret`):
PR -10.9 +- 13.2, QRS -1.2 +- 21.8 (+2.2 +- 16.5 without the 4 paced records), QT -0.3 +- 26.3 ms.

Chosen earlier, before the tuning split existed (bench/bench_delineation.py on LUDB 1-100, so these figures
include the records now held out; global intervals against the cardiologists' marks, mean +- SD ms):
"nk-prominence" per lead, each lead's median over beats, combined by "cart": PR -6.0 +- 16.1, QRS -5.7 +- 19.3,
QT -4.1 +- 22.2 (QT within IEC 60601-2-51; PR and QRS means within +-10 ms but no candidate reaches SD <= 10 ms).
ECGdeli (median over leads) was closer for PR (+3.7 +- 10.9) and QRS (+6.2 +- 16.1) but not QT (-5.4 +- 33.2)
and takes ~6x longer (0.5 s a record, over the analysis budget of 100 ms); neurokit2 dwt/cwt/peak miss QRS
boundaries (peak gives none) or put QRS onset near the P wave; "median" (the previous method, a tiled median
beat with a tangent T end) finds no T end in a third of the leads.
"""
from __future__ import annotations

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
METHODS: tuple[str, ...] = tuple(f"nk-{m}" for m in NK_METHODS)
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
            waves = _nk_waves(x, rpeaks[ok], fs, method)
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


def _nk_waves(x: np.ndarray, rpeaks: np.ndarray, fs: float, method: str) -> dict:
    """neurokit2 `ecg_delineate`'s waves dict. For "prominence" its delineator is called directly with the same
    clean-up of the indices (`ecg_delineate` also builds a DataFrame as long as the signal, which took two thirds
    of the analysis time and is not used here): the same points, measured equal by tests/test_signal_analysis.py."""
    import neurokit2 as nk

    if method == "prominence":
        try:
            from neurokit2.ecg.ecg_delineate import _prominence_ecg_delineator
        except ImportError:  # another neurokit2 layout: the public call
            return nk.ecg_delineate(x, rpeaks=rpeaks, sampling_rate=fs, method=method)[1]
        waves = _prominence_ecg_delineator(x, rpeaks=rpeaks, sampling_rate=fs)
        for value in waves.values():
            if len(value) and value[-1] >= len(x):
                value[-1] = np.nan
        return {k: [v for v in values if v > 0 or np.isnan(v)] for k, values in waves.items()}
    return nk.ecg_delineate(x, rpeaks=rpeaks, sampling_rate=fs, method=method)[1]


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


def delineate(signal: np.ndarray, fs: float, rpeaks: np.ndarray, method: str = DEFAULT_METHOD,
              cleaned: np.ndarray | None = None) -> np.ndarray:
    """Fiducials of every lead and beat: (leads, beats, FIDUCIALS) sample indices at `fs`, NaN where not found.

    signal: (leads, samples) mV; rpeaks: R-peak sample indices; cleaned: `clean(signal, fs)` when already
    computed. Raises ValueError for an unknown method.
    """
    rpeaks = np.asarray(rpeaks, dtype=np.int64)
    if method not in METHODS:
        raise ValueError(f"unknown delineation method {method!r}; choose one of {', '.join(METHODS)}")
    cleaned = clean(signal, fs) if cleaned is None else cleaned
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


#: QRS boundaries on the median beat from the spatial velocity (the sum over leads of |slope|, as 12SL-style
#: programs find the global QRS): onset where it falls below SV_ON_FRACTION of its QRS peak going back, offset
#: below SV_OFF_FRACTION going forward, after a moving average of SV_SMOOTH_S. Chosen on LUDB 1-70 from a grid
#: (fractions 0.02-0.15, smoothing 2-18 ms) for the smallest |mean| + SD of QRS against the cardiologists:
#: -0.0 +- 13.7 ms there (the per-lead delineator combined: -7.7 +- 16.9). Used only where it agrees with the
#: per-lead delineation within SV_AGREE_MS (a pacing spike or a premature beat in the median can pull it off).
SV_ON_FRACTION = 0.04
SV_OFF_FRACTION = 0.06
SV_SMOOTH_S = 0.018
SV_PEAK_S = 0.04               # the QRS peak of the spatial velocity lies within this of R
SV_SEARCH_S = (0.12, 0.16)     # onset no further back, offset no further on, than this from that peak
SV_AGREE_MS = 40.0


def spatial_velocity_qrs(median: np.ndarray, r: int, fs: float) -> tuple[float, float] | None:
    """(QRS onset, QRS offset) in ms from R from the median beat (leads, samples) mV with R at sample r, or None
    when the beat is too short or not finite."""
    from scipy.ndimage import uniform_filter1d

    if median.ndim != 2 or median.shape[1] < 4 or not np.isfinite(median).all():
        return None
    d = uniform_filter1d(np.abs(np.diff(median, axis=1)).sum(axis=0), max(1, int(round(SV_SMOOTH_S * fs))))
    w = int(round(SV_PEAK_S * fs))
    a, b = max(0, r - w), min(len(d), r + w)
    if b <= a:
        return None
    pk = a + int(np.argmax(d[a:b]))
    vmax = d[pk]
    if not vmax > 0:
        return None
    lo, hi = max(0, pk - int(round(SV_SEARCH_S[0] * fs))), min(len(d) - 1, pk + int(round(SV_SEARCH_S[1] * fs)))
    on = pk
    while on > lo and d[on] > SV_ON_FRACTION * vmax:
        on -= 1
    off = pk
    while off < hi and d[off] > SV_OFF_FRACTION * vmax:
        off += 1
    return (on - r) / fs * 1000.0, (off - r) / fs * 1000.0
