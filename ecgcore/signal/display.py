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


SPIKE_KEEP_S = 0.008  # around each pacing spike the low-pass is undone over +-8 ms (spikes last 0.5-2 ms)


def display_filter(signal: np.ndarray, fs: float, highpass_hz: float | None = HIGHPASS_HZ,
                   lowpass_hz: float | None = LOWPASS_HZ, spikes_s: tuple[float, ...] | None = None) -> np.ndarray:
    """(leads, samples) mV filtered forward and backward (zero phase) by 2nd-order Butterworth sections.

    The low-pass is skipped when lowpass_hz is None or not below 0.45 x fs (a 100 Hz record has nothing above
    45 Hz); the high-pass when highpass_hz is None. NaN samples are treated as 0. Returns float32.
    spikes_s: pacing-spike times (s from the record's start, `ecgcore.signal.pacing.Pacing.spikes_s`); within
    `SPIKE_KEEP_S` of each, the signal keeps only the high-pass, so a 40 Hz low-pass does not shrink the
    spikes out of sight (a 1 ms spike loses most of its height through it).
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
        smooth = sosfiltfilt(sos, x, axis=-1, padlen=min(x.shape[-1] - 1, int(3 * fs)))
        if spikes_s is not None and len(spikes_s):
            keep = spike_mask(np.asarray(spikes_s, dtype=np.float64), fs, x.shape[-1]).astype(np.float64)
            ramp = max(1, int(round(0.004 * fs)))  # blend over 4 ms at each edge: no step where it joins
            w = np.clip(np.convolve(keep, np.ones(2 * ramp + 1) / (ramp + 1), mode="same"), 0.0, 1.0)
            smooth = smooth * (1.0 - w) + x * w
        x = smooth
    return x.astype(np.float32)


def spike_mask(spikes_s: np.ndarray, fs: float, n: int, half_s: float = SPIKE_KEEP_S) -> np.ndarray:
    """(n,) bool: samples within `half_s` (s) of any spike time in `spikes_s` (s)."""
    mask = np.zeros(n, dtype=bool)
    half = max(1, int(round(half_s * fs)))
    for i in np.round(np.asarray(spikes_s) * fs).astype(int):
        mask[max(0, i - half):min(n, i + half + 1)] = True
    return mask
