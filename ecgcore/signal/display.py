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


SPIKE_KEEP_S = 0.004           # around a pacing spike the low-pass is not applied (it would smear the spike away)


def display_filter(signal: np.ndarray, fs: float, highpass_hz: float | None = HIGHPASS_HZ,
                   lowpass_hz: float | None = LOWPASS_HZ, spikes_s: tuple[float, ...] | None = None) -> np.ndarray:
    """(leads, samples) mV filtered forward and backward (zero phase) by 2nd-order Butterworth sections.

    The low-pass is skipped when lowpass_hz is None or not below 0.45 x fs (a 100 Hz record has nothing above
    45 Hz); the high-pass when highpass_hz is None. NaN samples are treated as 0. spikes_s: pacing spike times
    (s, `ecgcore.signal.pacing.Pacing.spikes_s`): within SPIKE_KEEP_S of each the high-passed signal is kept
    as it is, so the 0.5-40 Hz display still shows the spikes. Returns float32.
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
        low = sosfiltfilt(sos, x, axis=-1, padlen=min(x.shape[-1] - 1, int(3 * fs)))
        if spikes_s:
            keep = np.zeros(x.shape[-1], bool)
            w = max(1, int(round(SPIKE_KEEP_S * fs)))
            for t in spikes_s:
                i = int(round(t * fs))
                keep[max(0, i - w):i + w + 1] = True
            low[..., keep] = x[..., keep]
        x = low
    return x.astype(np.float32)
