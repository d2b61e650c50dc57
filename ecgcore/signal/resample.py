"""Resampling to the rate a model needs, with scipy's polyphase filter."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
from scipy.signal import resample_poly

from ecgcore.core.ecg import ECG


def resample_signal(signal: np.ndarray, fs_in: float, fs_out: float) -> np.ndarray:
    """Resample (leads, samples) from fs_in to fs_out Hz with an anti-aliasing polyphase filter."""
    if fs_in == fs_out:
        return signal.astype(np.float32, copy=False)
    ratio = Fraction(fs_out / fs_in).limit_denominator(1000)
    out = resample_poly(signal, ratio.numerator, ratio.denominator, axis=-1)
    return out.astype(np.float32, copy=False)


def ecg_resample(ecg: ECG, fs: float) -> ECG:
    """The same record at `fs` Hz; notes the original rate in meta when it changes."""
    if ecg.fs == fs:
        return ecg
    meta = {**ecg.meta, "resampled_from_hz": ecg.meta.get("resampled_from_hz", ecg.fs)}
    return ecg.with_signal(resample_signal(ecg.signal, ecg.fs, fs), fs=fs, meta=meta)
