"""Display filter like an ECG cart's: a zero-phase 0.5 Hz high-pass (baseline wander off) and an optional
40 Hz low-pass. For the eye only: measurements use their own filtering (`ecgcore.signal.delineate.clean`)."""
from __future__ import annotations

import numpy as np

HIGHPASS_HZ = 0.5
LOWPASS_HZ = 40.0


def display_band(highpass_hz: float | None = HIGHPASS_HZ, lowpass_hz: float | None = LOWPASS_HZ) -> str:
    """The band as printed on the paper header, e.g. "0.5-40 Hz", "0.5 Hz high-pass", or "unfiltered"."""
    if highpass_hz and lowpass_hz:
        return f"{highpass_hz:g}-{lowpass_hz:g} Hz"
    if highpass_hz:
        return f"{highpass_hz:g} Hz high-pass"
    if lowpass_hz:
        return f"{lowpass_hz:g} Hz low-pass"
    return "unfiltered"


def display_filter(signal: np.ndarray, fs: float, highpass_hz: float | None = HIGHPASS_HZ,
                   lowpass_hz: float | None = LOWPASS_HZ) -> np.ndarray:
    """(leads, samples) mV filtered forward and backward (zero phase) by 2nd-order Butterworth sections.

    The low-pass is skipped when lowpass_hz is None or not below 0.45 x fs (a 100 Hz record has nothing above
    45 Hz); the high-pass when highpass_hz is None. NaN samples are treated as 0. Returns float32.
    """
    from scipy.signal import butter, sosfiltfilt

    x = np.nan_to_num(np.asarray(signal, dtype=np.float64))
    if x.shape[-1] < 16:
        return x.astype(np.float32)
    if highpass_hz:
        sos = butter(2, highpass_hz, btype="highpass", fs=fs, output="sos")
        x = sosfiltfilt(sos, x, axis=-1, padlen=min(x.shape[-1] - 1, int(3 * fs)))
    if lowpass_hz and lowpass_hz < 0.45 * fs:
        sos = butter(2, lowpass_hz, btype="lowpass", fs=fs, output="sos")
        x = sosfiltfilt(sos, x, axis=-1, padlen=min(x.shape[-1] - 1, int(3 * fs)))
    return x.astype(np.float32)
