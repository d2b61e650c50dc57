"""R-peaks: detection (neurokit2 / wfdb.processing) on the lead with the clearest QRS, and checks that they are beats.

Times are in samples at the record's own rate `fs` (Hz) unless a name ends in `_s` (seconds).
A record where no usable beats are found (flat, too short, heavy noise) gives `Beats` with `reason` set and
no R-peaks; nothing here raises on such a record.

Pipeline (`find_beats`): pick a lead (largest QRS slopes first), run the detector on it (padded by 1 s so
its filters don't swallow the first beat), move each detection to the dominant deflection within 40 ms (one polarity per lead), drop
detections at the record's ends that don't look like the other beats, then check the result is a rhythm
(rate 20-250 /min; beats that correlate with each other, which noise doesn't). A lead whose beats
correlate poorly or whose RR intervals show a gap (missed beats) makes way for the next lead.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import UnknownNameError
from ecgcore.signal.beats import BEAT_AFTER_S, BEAT_BEFORE_S, beat_matrix

#: Detector used unless asked otherwise; chosen by bench/bench_rpeaks.py (accuracy on the synthetic truth,
#: agreement on the real records, time): see the module docstring there.
DEFAULT_RPEAK_METHOD = "neurokit"
#: neurokit2 `ecg_peaks` methods worth offering, plus wfdb.processing's XQRS and GQRS.
NEUROKIT_METHODS: tuple[str, ...] = ("neurokit", "kalidas2017", "martinez2004", "nabian2018",
                                     "rodrigues2021", "engzeemod2012", "pantompkins1985")
WFDB_METHODS: tuple[str, ...] = ("xqrs", "gqrs")
RPEAK_METHODS: tuple[str, ...] = NEUROKIT_METHODS + WFDB_METHODS


MIN_DURATION_S = 2.0       # fewer than ~2 beats can't be called a rhythm
FLAT_MV = 0.05             # peak-to-peak below this on the detection lead = flat line
HR_RANGE_BPM = (20.0, 250.0)
MIN_TEMPLATE_CORR = 0.5    # median leave-one-out beat correlation below this = noise, not beats
RPEAK_REFINE_S = 0.04      # R-peaks are moved to the lead's dominant deflection within this distance
SMOOTH_S = 0.15            # moving-average window the deflection is measured against
GOOD_TEMPLATE_CORR = 0.8   # a lead whose beats correlate this well is taken without trying others
MAX_LEAD_TRIES = 3
EDGE_PAD_S = 1.0           # the detection lead is padded with its end values by this much on each side
EDGE_MIN_CORR = 0.7        # a detection near either end must correlate this well with the other beats
MAX_RR_RATIO = 1.7         # an RR interval over this x the lower-quartile RR = a missed beat


@dataclass(frozen=True)
class Beats:
    """R-peaks of one record.

    rpeaks: sample indices at `fs` (int64, ascending); empty when `reason` says why no beats were found.
    lead: the lead the detector ran on. template_corr: median correlation of each beat with the mean of the
    other beats on that lead (1 = identical beats), NaN when no beats.
    """

    rpeaks: np.ndarray
    fs: float
    method: str
    lead: str
    reason: str | None = None
    template_corr: float = float("nan")

    @property
    def ok(self) -> bool:
        return self.reason is None

    @property
    def n(self) -> int:
        return int(len(self.rpeaks))

    @property
    def rr_s(self) -> np.ndarray:
        """RR intervals in seconds."""
        return np.diff(self.rpeaks) / self.fs

    @property
    def heart_rate_bpm(self) -> float:
        """Heart rate from the median RR interval (beats per minute), NaN with fewer than 2 beats."""
        rr = self.rr_s
        return float(60.0 / np.median(rr)) if len(rr) else float("nan")


def _raw_rpeaks(x: np.ndarray, fs: float, method: str) -> np.ndarray:
    """R-peak sample indices of one lead (mV) from the named detector, unrefined.

    The lead is padded with EDGE_PAD_S of its first/last value on each side: without it the detectors'
    filters and warm-up miss a beat in the first few hundred milliseconds.
    """
    pad = int(round(EDGE_PAD_S * fs))
    xp = np.concatenate([np.full(pad, x[0]), x, np.full(pad, x[-1])])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method in WFDB_METHODS:
            from wfdb import processing

            if method == "xqrs":
                peaks = processing.xqrs_detect(xp, fs, verbose=False)
            else:
                peaks = processing.gqrs_detect(xp, fs)
        else:
            import neurokit2 as nk

            clean = nk.ecg_clean(xp, sampling_rate=fs, method="neurokit")
            # ecg_findpeaks is what ecg_peaks runs, without building its per-sample DataFrame
            peaks = nk.ecg_findpeaks(clean, sampling_rate=fs, method=method)["ECG_R_Peaks"]
    peaks = np.asarray(peaks, dtype=np.int64) - pad
    return peaks[(peaks >= 0) & (peaks < len(x))]


def _refine(x: np.ndarray, peaks: np.ndarray, fs: float) -> np.ndarray:
    """Move each peak to the lead's dominant QRS deflection within RPEAK_REFINE_S, dedupe.

    `wfdb.processing.correct_peaks` with peak_dir="compare": the polarity (up or down, against a moving
    average of SMOOTH_S) is decided once for the lead from all its beats, so R stays on the same deflection
    in every beat, whether that is an R or a deep S/QS wave.
    """
    from wfdb.processing import correct_peaks

    if len(peaks) == 0:
        return peaks
    r = max(1, int(round(RPEAK_REFINE_S * fs)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = correct_peaks(x, peaks, search_radius=r, smooth_window_size=max(3, int(round(SMOOTH_S * fs))),
                            peak_dir="compare")
    out = np.asarray(out, dtype=np.int64)
    return np.unique(out[(out >= 0) & (out < len(x))])


def _drop_edge_artefacts(x: np.ndarray, rpeaks: np.ndarray, fs: float) -> np.ndarray:
    """Drop detections near either end of the record (within one beat window of it) that don't resemble the
    other beats (correlation < EDGE_MIN_CORR with their median, over the part inside the record): the T wave
    of a beat whose QRS was cut off at the start is no beat. Beats further inside are never dropped here
    (a PVC looks different and is a beat)."""
    before, after = int(round(BEAT_BEFORE_S * fs)), int(round(BEAT_AFTER_S * fs))
    full = beat_matrix(x, rpeaks, before, after)
    if len(full) < 2:
        return rpeaks
    template = np.median(full, axis=0)
    zone = before + after
    keep = []
    for r in rpeaks:
        if zone <= r <= len(x) - zone:
            keep.append(r)
            continue
        lo, hi = max(0, r - before), min(len(x), r + after)
        seg = x[lo:hi] - x[lo:hi].mean()
        ref = template[lo - (r - before):hi - (r - before)]
        ref = ref - ref.mean()
        denom = np.linalg.norm(seg) * np.linalg.norm(ref)
        if denom > 0 and float(seg @ ref) / denom >= EDGE_MIN_CORR:
            keep.append(r)
    return np.asarray(keep, dtype=np.int64)


def _has_gaps(beats: Beats) -> bool:
    """Whether some RR interval is over MAX_RR_RATIO x the lower quartile of RR (not the median, which a
    lead missing every other beat would double): beats were probably missed."""
    rr = np.diff(beats.rpeaks)
    return bool(len(rr) and rr.max() > MAX_RR_RATIO * np.percentile(rr, 25))


def _template_corr(x: np.ndarray, rpeaks: np.ndarray, fs: float) -> float:
    """Median Pearson correlation of each beat (-250..+400 ms) with the mean of the other beats on one lead.

    Leave-one-out, so a few noise "beats" don't correlate with a template built from themselves.
    """
    m = beat_matrix(x, rpeaks, int(round(BEAT_BEFORE_S * fs)), int(round(BEAT_AFTER_S * fs)))
    if len(m) < 2:
        return float("nan")
    m = m - m.mean(axis=1, keepdims=True)
    others = (m.sum(axis=0, keepdims=True) - m) / (len(m) - 1)
    denom = np.linalg.norm(m, axis=1) * np.linalg.norm(others, axis=1)
    corr = np.einsum("ij,ij->i", m, others) / np.where(denom > 0, denom, np.inf)
    return float(np.median(corr))


def _qrs_band(fs: float) -> np.ndarray:
    """Second-order sections of a 5-30 Hz Butterworth band-pass at `fs`."""
    from scipy.signal import butter

    return butter(2, [5.0, min(30.0, 0.45 * fs)], btype="band", fs=fs, output="sos")


def lead_order(ecg: ECG) -> list[str]:
    """Leads ordered by the size of their QRS slopes: the 99th percentile of the 5-30 Hz band-passed
    |signal| (mV), which P and T waves barely reach; the detector tries the leads in this order.
    (Normalising by the lead's median, tried first, favoured quiet leads whose P waves got detected.)"""
    from scipy.signal import sosfiltfilt

    sig = np.nan_to_num(ecg.signal.astype(np.float64))
    if sig.shape[1] < 64:
        return list(ecg.leads)
    sos = _qrs_band(float(ecg.fs))
    score = np.percentile(np.abs(sosfiltfilt(sos, sig, axis=1)), 99, axis=1)
    return [ecg.leads[i] for i in np.argsort(-score, kind="stable")]


def _find_on_lead(ecg: ECG, method: str, lead: str) -> Beats:
    """R-peaks on one lead, with the plausibility checks of `find_beats`."""
    fs = float(ecg.fs)
    x = np.nan_to_num(ecg.lead(lead).astype(np.float64))

    def none(reason: str) -> Beats:
        return Beats(np.empty(0, dtype=np.int64), fs, method, lead, reason)

    if ecg.duration < MIN_DURATION_S:
        return none(f"no beats found: the record is {ecg.duration:.2f} s long; beat review needs at least "
                    f"{MIN_DURATION_S:g} s")
    if np.ptp(x) < FLAT_MV:
        return none(f"no beats found: lead {lead} is flat (peak-to-peak {np.ptp(x):.3f} mV)")
    try:
        peaks = _raw_rpeaks(x, fs, method)
    except Exception as exc:  # the detectors raise assorted errors on signals without QRS complexes
        return none(f"no beats found: the {method} detector found no QRS complexes on lead {lead} "
                    f"({type(exc).__name__})")
    peaks = _drop_edge_artefacts(x, _refine(x, peaks, fs), fs)
    if len(peaks) < 2:
        return none(f"no beats found: the {method} detector found {len(peaks)} QRS complex(es) in "
                    f"{ecg.duration:.1f} s on lead {lead}")
    hr = 60.0 / float(np.median(np.diff(peaks) / fs))
    if not HR_RANGE_BPM[0] <= hr <= HR_RANGE_BPM[1]:
        return none(f"no beats found: detections on lead {lead} imply {hr:.0f} beats/min, outside "
                    f"{HR_RANGE_BPM[0]:g}-{HR_RANGE_BPM[1]:g}; the signal is probably noise")
    corr = _template_corr(x, peaks, fs)
    if not corr >= MIN_TEMPLATE_CORR:
        return none(f"no beats found: the complexes detected on lead {lead} don't resemble each other "
                    f"(median correlation {corr:.2f} < {MIN_TEMPLATE_CORR}); the signal is probably noise")
    return Beats(peaks, fs, method, lead, None, corr)


def find_beats(ecg: ECG, method: str = DEFAULT_RPEAK_METHOD, lead: str | None = None) -> Beats:
    """Detect R-peaks on one lead of `ecg` and check that they look like a heart rhythm.

    lead=None picks the lead: the leads are tried in `lead_order` (most prominent QRS first) and the first
    whose beats correlate >= GOOD_TEMPLATE_CORR with each other and whose RR intervals show no gap (none
    over MAX_RR_RATIO x their lower quartile: a missed beat) is taken; usually the first. At most MAX_LEAD_TRIES
    leads; else the best of those tried (gap-free first, then by correlation; in atrial fibrillation every
    lead has "gaps" and the correlation decides). Returns `Beats` with `reason` set and no R-peaks
    when the record is too short, flat, or the detections are implausible (rate outside 20-250 /min, or
    beats that don't resemble each other: noise).
    """
    if method not in RPEAK_METHODS:
        raise UnknownNameError(f"unknown R-peak detector {method!r}; choose one of {', '.join(RPEAK_METHODS)}")
    if lead is not None:
        return _find_on_lead(ecg, method, lead)
    if ecg.duration < MIN_DURATION_S:
        return _find_on_lead(ecg, method, "II")
    tried: list[Beats] = []
    for name in lead_order(ecg)[:MAX_LEAD_TRIES]:
        beats = _find_on_lead(ecg, method, name)
        if beats.ok and beats.template_corr >= GOOD_TEMPLATE_CORR and not _has_gaps(beats):
            return beats
        tried.append(beats)
    good = [b for b in tried if b.ok]
    return max(good, key=lambda b: (not _has_gaps(b), b.template_corr)) if good else tried[0]


def detect_rpeaks(ecg: ECG, method: str = DEFAULT_RPEAK_METHOD) -> np.ndarray:
    """R-peak sample indices at `ecg.fs` (empty when no beats are found; `find_beats` says why)."""
    return find_beats(ecg, method).rpeaks
