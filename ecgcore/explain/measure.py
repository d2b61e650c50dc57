"""The measurements a cardiologist reads first, from the median beat: HR, PR, QRS, QT, QTc, frontal axis.

Method: every lead is cleaned (neurokit2 `ecg_clean`), cut into RR-long segments around the R-peaks
(40% of RR before R) and the median segment taken; that median beat is repeated a few times (the delineator
needs neighbours) and delineated with neurokit2 `ecg_delineate(method="prominence")`. Global boundaries
span the leads, as in the standard 12-lead definition (QRS from the earliest onset to the latest offset in
any lead), but robustly: onsets take the ONSET_QUANTILE-quantile over the leads where they were found,
offsets the (1 - ONSET_QUANTILE)-quantile, peaks the median, so one lead that failed doesn't set them.
T end is the clinical tangent method on each lead (the steepest tangent of the T wave's descending limb,
after neurokit2's T peak, meets the PR-segment baseline), the median over leads: neurokit2's own T offsets
came out ~30 ms late on the synthetic corpus, whose true T end is defined the same way
(bench/bench_faithfulness.py prints the errors). neurokit2's default "dwt" method puts QRS onset near the P wave
on many records (NeuroKit issue #1042), so it is not used. Intervals outside physiological bounds are
reported as NaN with a note, never as a number that would mislead.

Fiducials are in milliseconds relative to the R-peak (the detector's reference point, shared with
`ecgcore.explain.beats`), so the viewer can draw them on any median-beat window.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field

import numpy as np

from ecgcore.ecg import ECG
from ecgcore.explain.beats import Beats

#: fiducial name -> neurokit2 `ecg_delineate` key
NK_KEYS: dict[str, str] = {
    "P_on": "ECG_P_Onsets", "P_peak": "ECG_P_Peaks", "P_off": "ECG_P_Offsets",
    "QRS_on": "ECG_R_Onsets", "Q": "ECG_Q_Peaks", "S": "ECG_S_Peaks", "QRS_off": "ECG_R_Offsets",
    "T_on": "ECG_T_Onsets", "T_peak": "ECG_T_Peaks", "T_off": "ECG_T_Offsets",
}
DELINEATE_METHOD = "prominence"
TILES = 5                      # copies of the median beat given to the delineator
BEFORE_FRACTION = 0.4          # share of RR before R in a median-beat segment
MIN_LEADS = 3                  # a fiducial needs this many leads to be reported
ONSET_QUANTILE = 0.1           # onsets: this quantile over leads; offsets: 1 - it; peaks: the median
ONSETS = ("P_on", "QRS_on", "T_on")
OFFSETS = ("P_off", "QRS_off")
TANGENT_SEARCH_S = 0.25        # the T end lies within this of the T peak
MIN_T_AMPLITUDE_MV = 0.05      # flatter T waves give no tangent
MIN_BEATS = 3
#: plausible ranges, ms (outside: NaN with a note)
BOUNDS_MS = {"pr_ms": (60.0, 400.0), "qrs_ms": (40.0, 250.0), "qt_ms": (200.0, 700.0)}


@dataclass(frozen=True)
class Measurements:
    """Global measurements of one record (NaN where not measurable; `notes` say why)."""

    heart_rate_bpm: float = math.nan
    rr_ms: float = math.nan
    pr_ms: float = math.nan
    qrs_ms: float = math.nan
    qt_ms: float = math.nan
    qtc_bazett_ms: float = math.nan
    qtc_fridericia_ms: float = math.nan
    axis_deg: float = math.nan
    fiducials_ms: dict[str, float] = field(default_factory=dict)  # relative to R, combined over leads
    leads_used: int = 0
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """Plain JSON values (NaN -> None)."""
        d = asdict(self)
        clean = lambda v: None if isinstance(v, float) and not math.isfinite(v) else (round(v, 1) if isinstance(v, float) else v)  # noqa: E731
        d = {k: clean(v) for k, v in d.items()}
        d["fiducials_ms"] = {k: clean(v) for k, v in self.fiducials_ms.items()}
        d["notes"] = list(self.notes)
        return d


def _segments(x: np.ndarray, rpeaks: np.ndarray, before: int, length: int) -> np.ndarray:
    keep = rpeaks[(rpeaks - before >= 0) & (rpeaks - before + length <= x.shape[-1])]
    idx = (keep - before)[:, None] + np.arange(length)[None, :]
    return x[..., idx]  # (..., beats, length)


def tangent_t_end(x: np.ndarray, before: int, fs: float, t_peak_ms: float, qrs_on_ms: float) -> float:
    """T end (ms from R) of one lead's median beat by the tangent method, NaN where there is no clear T.

    x: median beat (mV), R at sample `before`. Baseline: the mean over the 20 ms before QRS onset.
    """
    from scipy.signal import savgol_filter

    peak = before + int(round(t_peak_ms * fs / 1000.0))
    on = before + int(round(qrs_on_ms * fs / 1000.0))
    if not 0 < on < peak < len(x) - 3:
        return math.nan
    base = float(np.mean(x[max(0, on - int(round(0.02 * fs))):on + 1]))
    win = max(5, int(0.04 * fs) | 1)
    y = savgol_filter(x, win, 2) if len(x) > win else x
    sign = np.sign(y[peak] - base)
    if sign == 0 or abs(y[peak] - base) < MIN_T_AMPLITUDE_MV:
        return math.nan
    slope = np.diff(y[peak:min(len(y), peak + int(TANGENT_SEARCH_S * fs))]) * fs  # mV/s
    if len(slope) == 0:
        return math.nan
    j = int(np.argmax(-sign * slope))
    if -sign * slope[j] <= 0:
        return math.nan
    t0 = peak + j + 0.5
    end = t0 + (base - (y[peak + j] + y[peak + j + 1]) / 2) / slope[j] * fs
    end_ms = (end - before) / fs * 1000.0
    return end_ms if t_peak_ms < end_ms < t_peak_ms + TANGENT_SEARCH_S * 1000 else math.nan


def _delineate_lead(med: np.ndarray, before: int, fs: float) -> dict[str, float]:
    """Fiducials (ms from R) of one lead's median beat, via neurokit2 on TILES copies of it; T end by
    `tangent_t_end`."""
    import neurokit2 as nk

    rr = len(med)
    rpeaks = before + rr * np.arange(TILES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            _, waves = nk.ecg_delineate(np.tile(med, TILES), rpeaks=rpeaks, sampling_rate=fs,
                                        method=DELINEATE_METHOD)
        except Exception:  # neurokit raises assorted errors where it finds no waves
            return {}
    mid = TILES // 2
    out = {}
    for name, key in NK_KEYS.items():
        vals = waves.get(key)
        if vals is not None and len(vals) > mid and vals[mid] is not None and np.isfinite(vals[mid]):
            out[name] = (float(vals[mid]) - rpeaks[mid]) / fs * 1000.0
    out.pop("T_off", None)
    if "T_peak" in out and "QRS_on" in out:
        t_end = tangent_t_end(med, before, fs, out["T_peak"], out["QRS_on"])
        if math.isfinite(t_end):
            out["T_off"] = t_end
    return out


def combine_leads(per_lead: list[dict[str, float]]) -> dict[str, float]:
    """Global fiducials (ms from R) from each lead's: quantiles of onsets/offsets, median of peaks."""
    fid: dict[str, float] = {}
    for name in NK_KEYS:
        vals = [d[name] for d in per_lead if name in d]
        if len(vals) < MIN_LEADS:
            continue
        q = ONSET_QUANTILE if name in ONSETS else 1.0 - ONSET_QUANTILE if name in OFFSETS else 0.5
        fid[name] = float(np.quantile(vals, q))
    return fid


def median_beats_rr(ecg: ECG, rpeaks: np.ndarray) -> tuple[np.ndarray, int]:
    """(12, RR samples) median beat of every cleaned lead, and the samples before R in it."""
    import neurokit2 as nk

    rr = int(round(np.median(np.diff(rpeaks))))
    before = int(round(BEFORE_FRACTION * rr))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = np.stack([nk.ecg_clean(np.nan_to_num(x.astype(np.float64)), sampling_rate=ecg.fs) for x in ecg.signal])
    seg = _segments(clean, np.asarray(rpeaks), before, rr)
    return np.median(seg, axis=1), before


def measure(ecg: ECG, beats: Beats) -> Measurements:
    """HR, PR, QRS, QT, QTc (Bazett, Fridericia) and the frontal QRS axis of `ecg` (12 leads, mV)."""
    if not beats.ok:
        return Measurements(notes=(beats.reason or "no beats",))
    rr_s = float(np.median(beats.rr_s))
    hr = 60.0 / rr_s
    if beats.n < MIN_BEATS:
        return Measurements(heart_rate_bpm=hr, rr_ms=rr_s * 1000, notes=(f"only {beats.n} beats; intervals need "
                                                                         f"at least {MIN_BEATS}",))
    med, before = median_beats_rr(ecg, beats.rpeaks)
    per_lead = [_delineate_lead(m, before, ecg.fs) for m in med]
    fid = combine_leads(per_lead)
    notes: list[str] = []
    values = {
        "pr_ms": fid.get("QRS_on", math.nan) - fid.get("P_on", math.nan),
        "qrs_ms": fid.get("QRS_off", math.nan) - fid.get("QRS_on", math.nan),
        "qt_ms": fid.get("T_off", math.nan) - fid.get("QRS_on", math.nan),
    }
    for key, (lo, hi) in BOUNDS_MS.items():
        v = values[key]
        if math.isnan(v):
            notes.append(f"{key[:-3].upper()} not measurable: its wave boundaries were not found in {MIN_LEADS}+ leads")
        elif not lo <= v <= hi:
            notes.append(f"{key[:-3].upper()} of {v:.0f} ms is outside {lo:.0f}-{hi:.0f} ms; not reported")
            values[key] = math.nan
    qt_s = values["qt_ms"] / 1000.0
    axis = _frontal_axis(ecg, med, before, fid)
    return Measurements(
        heart_rate_bpm=hr, rr_ms=rr_s * 1000.0, pr_ms=values["pr_ms"], qrs_ms=values["qrs_ms"],
        qt_ms=values["qt_ms"], qtc_bazett_ms=qt_s / math.sqrt(rr_s) * 1000.0,
        qtc_fridericia_ms=qt_s / rr_s ** (1.0 / 3.0) * 1000.0, axis_deg=axis, fiducials_ms=fid,
        leads_used=sum(1 for d in per_lead if d), notes=tuple(notes),
    )


def _frontal_axis(ecg: ECG, med: np.ndarray, before: int, fid: dict[str, float]) -> float:
    """Frontal QRS axis (degrees, -180..180): atan2 of the net QRS areas in aVF and I (baseline: PR segment)."""
    if "QRS_on" not in fid or "QRS_off" not in fid:
        return math.nan
    fs = ecg.fs
    on = before + int(round(fid["QRS_on"] * fs / 1000.0))
    off = before + int(round(fid["QRS_off"] * fs / 1000.0))
    pre = max(0, on - int(round(0.02 * fs)))
    if off <= on or on <= 0 or off > med.shape[1]:
        return math.nan
    areas = {}
    for lead in ("I", "aVF"):
        x = med[ecg.leads.index(lead)]
        base = float(np.mean(x[pre:on + 1]))
        areas[lead] = float(np.sum(x[on:off] - base))
    if areas["I"] == 0 and areas["aVF"] == 0:
        return math.nan
    return math.degrees(math.atan2(areas["aVF"], areas["I"]))
