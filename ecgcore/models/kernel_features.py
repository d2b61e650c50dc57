"""Hand-made features of a 12-lead ECG for the kernel model, built on the project's one signal analysis.

Each record (or each record a window is cut from) is analysed once with `ecgcore.signal.analyse_array`
(R-peaks, rhythm, median beat, delineation, measurements). The features, all per record or per window of
the same size whatever the record's length (counts are per 10 s):
- global measurements (HR, PR, QRS, QT, QTc Bazett, and the frontal QRS axis as its cosine and sine): each a
  value plus a missing-value indicator; a measurement the analysis returns as None ("not measurable") gets
  the indicator 1 and the neutral fill `NEUTRAL` (a typical adult value), never a number of its own;
- rhythm: one indicator per rhythm name (`RHYTHMS`), consistent P waves, premature beats per 10 s, reduced
  or low signal confidence;
- beats per 10 s and RR variability (SD of the valid RR intervals, s);
- per lead, the analysis's median beat sampled at fixed offsets around R (`BEAT_OFFSETS_MS`, baseline = the
  PR segment `BASELINE_MS`), which carries Q waves, ST shifts, T polarity and QRS width; zeros plus an
  indicator when the analysis has no median beat;
- per lead, amplitude statistics and relative spectral band powers of the signal itself.
Signals are (12, samples) in mV, leads in `ecgcore.core.leads.LEADS` order, at any rate (the model's: 100 Hz).
"""
from __future__ import annotations

import math

import numpy as np
from scipy.stats import kurtosis, skew

from ecgcore.signal import RecordAnalysis, analyse_array
from ecgcore.signal.analysis import AnalysisOptions

BANDS_HZ = ((0.5, 3.0), (3.0, 8.0), (8.0, 15.0), (15.0, 30.0), (30.0, 50.0))
#: median-beat sample offsets around R, in ms
BEAT_OFFSETS_MS = (-200, -150, -100, -60, -40, -20, 0, 20, 40, 60, 80, 120, 160, 200, 250, 300, 350, 400)
BASELINE_MS = (-110, -70)
#: The analysis the shipped kernel weights were fitted with: P waves searched 260-20 ms before QRS onset, QRS
#: boundaries from the per-lead delineation alone. The analysis shown to users now searches from 450 ms (a
#: first-degree AV block's PR up to 400 ms reads as a PR, not as "no P waves") and refines the QRS by spatial
#: velocity; the kernel keeps its own so its features, and its stored predictions, are those it was fitted on.
#: Retraining the kernel (`make train`) with the default `AnalysisOptions()` would retire this.
ANALYSIS = AnalysisOptions(p_window_s=(0.26, 0.02), qrs_from_velocity=False)

#: measurement keys used as features, and the neutral fill when the analysis says "not measurable"
#: (typical adult values; the missing-value indicator beside each says the value was not measured)
MEASURED = ("HR", "PR", "QRS", "QT", "QTc_Bazett")
NEUTRAL = {"HR": 70.0, "PR": 160.0, "QRS": 90.0, "QT": 390.0, "QTc_Bazett": 420.0, "axis": 45.0}
RHYTHMS = ("sinus rhythm", "sinus bradycardia", "sinus tachycardia", "atrial fibrillation", "irregular rhythm",
           "regular rhythm without consistent P waves", "not determined")
N_LEADS = 12


def n_features() -> int:
    per_lead = 4 + len(BANDS_HZ) + len(BEAT_OFFSETS_MS)
    globals_ = 2 * len(MEASURED) + 3 + len(RHYTHMS) + 3 + 4 + 1  # measurements, axis, rhythm, beats/RR, no beat
    return N_LEADS * per_lead + globals_


def _signal_stats(x: np.ndarray, fs: float) -> np.ndarray:
    """Per lead: SD, 1-99 percentile range, skewness, kurtosis, then log relative band powers (BANDS_HZ)."""
    x = x.astype(np.float64) - np.median(x, axis=1, keepdims=True)
    stats = np.concatenate([x.std(axis=1), np.percentile(x, 99, axis=1) - np.percentile(x, 1, axis=1),
                            np.nan_to_num(skew(x, axis=1)), np.nan_to_num(kurtosis(x, axis=1))])
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.shape[1]), axis=1)) ** 2
    freqs = np.fft.rfftfreq(x.shape[1], 1.0 / fs)
    total = spectrum[:, (freqs >= BANDS_HZ[0][0])].sum(axis=1) + 1e-12
    bands = np.stack([np.log(spectrum[:, (freqs >= lo) & (freqs < hi)].sum(axis=1) / total + 1e-6)
                      for lo, hi in BANDS_HZ], axis=1).ravel()
    return np.concatenate([stats, bands])


def _record_part(a: RecordAnalysis) -> np.ndarray:
    """Features of the analysis that hold for the whole record: measurements, rhythm, median-beat samples."""
    meas = []
    for key in MEASURED:
        v = a.value(key)
        meas += [NEUTRAL[key] if v is None else float(v), float(v is None)]
    axis = a.value("axis")
    rad = math.radians(NEUTRAL["axis"] if axis is None else float(axis))
    meas += [math.cos(rad), math.sin(rad), float(axis is None)]
    r = a.rhythm
    rhythm = [float(r.name == name) for name in RHYTHMS]
    rhythm += [float(r.p_waves is True), float(a.confidence == "reduced"), float(a.confidence == "low")]
    med, fs = a.median, a.analysis_fs
    offsets = a.median_r + np.round(np.array(BEAT_OFFSETS_MS) * fs / 1000).astype(int)
    base = a.median_r + np.arange(*np.round(np.array(BASELINE_MS) * fs / 1000).astype(int))
    ok = med.shape == (N_LEADS, med.shape[1]) and med.shape[1] > offsets.max() and offsets.min() >= 0 \
        and base.min() >= 0 and np.isfinite(med[:, np.r_[offsets, base]]).all()
    morph = (med[:, offsets] - med[:, base].mean(axis=1, keepdims=True)).ravel() if ok \
        else np.zeros(N_LEADS * len(offsets))
    return np.concatenate([meas, rhythm, morph, [float(not ok)]])


def _beat_part(a: RecordAnalysis, start_s: float, length_s: float) -> np.ndarray:
    """Beats per 10 s, premature beats per 10 s, RR SD (s) and an any-RR indicator, over [start, start+length)."""
    t = a.rpeaks / a.fs
    inside = (t >= start_s) & (t < start_s + length_s)
    rr = np.diff(t[inside])
    rr = rr[(rr > 0.25) & (rr < 2.5)]
    per_10s = 10.0 / length_s
    premature = a.premature[inside].sum() if len(a.premature) == len(t) else 0
    return np.array([inside.sum() * per_10s, premature * per_10s, rr.std() if len(rr) > 1 else 0.0,
                     float(len(rr) > 0)])


def features_from(signal: np.ndarray, fs: float, a: RecordAnalysis, start: int = 0,
                  length: int | None = None) -> np.ndarray:
    """(n_features,) float32 features of signal[:, start:start+length] (samples at `fs`, mV), with the
    analysis `a` of the whole `signal`."""
    length = signal.shape[1] - start if length is None else length
    x = signal[:, start:start + length]
    rec = _record_part(a)
    return np.concatenate([_signal_stats(x, fs), rec[:-1], _beat_part(a, start / fs, length / fs),
                           rec[-1:]]).astype(np.float32)


def record_features(signal: np.ndarray, fs: float) -> np.ndarray:
    """Features of a whole (12, samples) record (one `analyse_array` of it)."""
    return features_from(signal, fs, analyse_array(signal, fs, options=ANALYSIS))


def window_features(signal: np.ndarray, fs: float, starts: np.ndarray, window: int) -> np.ndarray:
    """(W, n_features) features of each window [s, s+window) of a record, with one analysis of the whole
    record (its measurements and median beat are shared by the windows; statistics and beats are the
    window's own)."""
    a = analyse_array(signal, fs, options=ANALYSIS)
    return np.stack([features_from(signal, fs, a, int(s), window) for s in starts])
