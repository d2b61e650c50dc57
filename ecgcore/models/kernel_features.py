"""Hand-made features of a 12-lead ECG for the kernel model (computed at 100 Hz, signal in mV).

Per lead: amplitude statistics, relative spectral band powers, and the median beat sampled at fixed
offsets around the R peak (baseline = the PR segment), which carries Q waves, ST shifts, T polarity and
QRS width; globally: heart rate, RR variability and the number of beats per 10 s. R peaks from neurokit2.
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import kurtosis, skew

BANDS_HZ = ((0.5, 3.0), (3.0, 8.0), (8.0, 15.0), (15.0, 30.0), (30.0, 50.0))
#: median-beat sample offsets around R, in ms
BEAT_OFFSETS_MS = (-200, -150, -100, -60, -40, -20, 0, 20, 40, 60, 80, 120, 160, 200, 250, 300, 350, 400)
BASELINE_MS = (-110, -70)
DETECTION_LEADS = (1, 10, 0)  # II, V5, I: the first with plausible beats is used


def detect_rpeaks(signal: np.ndarray, fs: float) -> np.ndarray:
    """R-peak sample indices for a (12, samples) signal: neurokit2 on lead II (V5, then I, as fallbacks)."""
    import neurokit2 as nk

    for lead in DETECTION_LEADS:
        x = signal[lead].astype(np.float64)
        if np.ptp(x) < 1e-3:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                clean = nk.ecg_clean(x, sampling_rate=fs, method="neurokit")
                _, info = nk.ecg_peaks(clean, sampling_rate=fs, method="neurokit")
        except Exception:  # neurokit raises assorted errors on flat or pathological input
            continue
        peaks = np.asarray(info["ECG_R_Peaks"], dtype=int)
        if len(peaks) >= 2 or (len(peaks) == 1 and signal.shape[1] / fs < 3.0):
            return peaks
    return np.zeros(0, dtype=int)


def n_features() -> int:
    return 12 * (4 + len(BANDS_HZ) + len(BEAT_OFFSETS_MS)) + 4


def ecg_features(signal: np.ndarray, fs: float, rpeaks: np.ndarray) -> np.ndarray:
    """(n_features,) float32 features of a (12, samples) signal in mV with R peaks (sample indices) inside it."""
    x = signal.astype(np.float64) - np.median(signal, axis=1, keepdims=True)
    stats = np.concatenate([x.std(axis=1), np.percentile(x, 99, axis=1) - np.percentile(x, 1, axis=1),
                            np.nan_to_num(skew(x, axis=1)), np.nan_to_num(kurtosis(x, axis=1))])
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.shape[1]), axis=1)) ** 2
    freqs = np.fft.rfftfreq(x.shape[1], 1.0 / fs)
    total = spectrum[:, (freqs >= BANDS_HZ[0][0])].sum(axis=1) + 1e-12
    bands = np.stack([np.log(spectrum[:, (freqs >= lo) & (freqs < hi)].sum(axis=1) / total + 1e-6)
                      for lo, hi in BANDS_HZ], axis=1).ravel()
    offsets = np.round(np.array(BEAT_OFFSETS_MS) * fs / 1000).astype(int)
    base = np.arange(*np.round(np.array(BASELINE_MS) * fs / 1000).astype(int))
    lo, hi = min(offsets.min(), base.min()), max(offsets.max(), base.max())
    beats = [r for r in rpeaks if r + lo >= 0 and r + hi < x.shape[1]]
    if beats:
        template = np.median(np.stack([x[:, r + lo:r + hi + 1] for r in beats]), axis=0)  # (12, hi-lo+1)
        morph = (template[:, offsets - lo] - template[:, base - lo].mean(axis=1, keepdims=True)).ravel()
    else:
        morph = np.zeros(12 * len(offsets))
    rr = np.diff(rpeaks) / fs if len(rpeaks) >= 2 else np.zeros(0)
    rr = rr[(rr > 0.25) & (rr < 2.5)]
    per_10s = 10.0 * fs / x.shape[1]  # beats per 10 s, so that the feature does not grow with the record's length
    rhythm = np.array([60.0 / rr.mean() if len(rr) else 0.0, rr.std() if len(rr) > 1 else 0.0,
                       float(len(beats)) * per_10s, float(len(rr) > 0)])
    return np.concatenate([stats, bands, morph, rhythm]).astype(np.float32)


def record_features(signal: np.ndarray, fs: float) -> np.ndarray:
    """Features of a whole (12, samples) record (R peaks detected here)."""
    return ecg_features(signal, fs, detect_rpeaks(signal, fs))


def window_features(signal: np.ndarray, fs: float, starts: np.ndarray, window: int) -> np.ndarray:
    """(W, n_features) features of each window [s, s+window) of a record, with R peaks found on the whole record."""
    peaks = detect_rpeaks(signal, fs)
    return np.stack([ecg_features(signal[:, s:s + window], fs, peaks[(peaks >= s) & (peaks < s + window)] - s)
                     for s in starts])
