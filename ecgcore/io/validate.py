"""Checks every reader applies, each raising an `ECGError` whose message says what is wrong and what would work.

Limits (all in one place):
- input size: at most `MAX_UPLOAD_MB`, checked on the raw bytes before any parsing;
- sampling rate: `MIN_FS`..`MAX_FS` Hz;
- length: at least `MIN_DURATION_S` seconds, at most `MAX_VALUES` values (leads x samples) so a long upload
  cannot exhaust memory;
- signal: no NaN/Inf, not every lead flat, amplitudes plausible for millivolts. A record with some flat leads
  is kept (real Challenge records have them, e.g. Ningbo JS11438 with V1-V6 at 0) and the flat leads are
  named in meta["notes"].

Units policy (µV-scaled data): ECG amplitudes in mV span roughly 0.3-5 mV. When the typical lead spans more than
`UV_SPAN_MV` "mV" (a header that says mV while the numbers are µV, a CSV/NPY export in µV, a header with a gain
1000x too small), the values are divided by 1000 and the conversion is recorded in `meta["notes"]`; the
readers never guess silently. Spans too large even for µV, or too small to be a recorded ECG, are refused.
"""
from __future__ import annotations

import math

import numpy as np

from ecgcore.core.errors import ECGReadError, ECGSignalError

#: Upload limit in MB; `.streamlit/config.toml` sets the same `server.maxUploadSize`.
MAX_UPLOAD_MB = 200

MIN_FS = 50.0
MAX_FS = 10_000.0
MIN_DURATION_S = 2.5
#: leads x samples: 12 leads at 500 Hz for about 1.8 hours (160 MB as float32).
MAX_VALUES = 40_000_000
#: median robust lead span (mV) above which values are taken to be µV
UV_SPAN_MV = 25.0
#: median robust lead span (mV) above which even µV makes no sense (20 V)
ABSURD_SPAN_MV = 20_000.0
#: median robust lead span (mV) below which there is no ECG to read
TINY_SPAN_MV = 0.02
#: a recorded lead whose whole range is below this (mV) is a flat line
FLAT_RANGE_MV = 0.01
#: after unit handling, one lead's robust span above this (mV) is not an ECG
LEAD_ABSURD_SPAN_MV = 30.0

_MB = 1024 * 1024


def max_upload_bytes() -> int:
    """The upload limit in bytes (`MAX_UPLOAD_MB`)."""
    return int(MAX_UPLOAD_MB * _MB)


def check_upload_size(n_bytes: int, what: str = "The upload") -> None:
    """Refuse inputs over `MAX_UPLOAD_MB` before anything parses them."""
    if n_bytes > max_upload_bytes():
        raise ECGReadError(
            f"{what} is {n_bytes / _MB:.1f} MB, over the {MAX_UPLOAD_MB} MB limit. "
            "Upload a shorter recording (a standard 10 s 12-lead ECG is well under 1 MB)."
        )


def check_fs(fs: float | None, where: str = "the file") -> float:
    """The sampling rate as a float in Hz, or a clear error for a missing, zero, negative or absurd rate."""
    if fs is None:
        raise ECGReadError(f"No sampling rate is known for {where}: give it (in Hz, e.g. 500).")
    try:
        value = float(fs)
    except (TypeError, ValueError):
        raise ECGReadError(f"The sampling rate of {where} ({fs!r}) is not a number; give it in Hz, e.g. 500.") from None
    if not math.isfinite(value) or value <= 0:
        raise ECGReadError(f"The sampling rate of {where} is {fs!r} Hz, which is impossible; "
                           "ECGs are recorded at 100-1000 Hz (e.g. 500).")
    if value < MIN_FS or value > MAX_FS:
        raise ECGReadError(
            f"The sampling rate of {where} is {_hz(value)} Hz, outside the {MIN_FS:g}-{MAX_FS:g} Hz an ECG can have "
            "(usually 100-1000 Hz). Check the rate in the header or the value you entered."
        )
    return value


def _hz(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:g}"


def check_length(n_samples: int, n_leads: int, fs: float) -> None:
    """Refuse records shorter than `MIN_DURATION_S` or larger than `MAX_VALUES` (checked before reading data)."""
    if n_samples <= 0:
        raise ECGSignalError("The record holds no samples. Upload a recording of at least 2.5 s (10 s is standard).")
    duration = n_samples / fs
    if duration < MIN_DURATION_S:
        raise ECGSignalError(
            f"The record is only {duration:.2f} s long ({n_samples} samples at {fs:g} Hz); at least "
            f"{MIN_DURATION_S:g} s are needed. Upload a longer recording (10 s is standard)."
        )
    if n_samples * n_leads > MAX_VALUES:
        limit_min = MAX_VALUES / max(n_leads, 12) / fs / 60
        raise ECGReadError(
            f"The record is too long to analyse here ({duration / 60:.1f} min of {n_leads} leads at {fs:g} Hz). "
            f"Cut it into pieces of at most {limit_min:.0f} min."
        )


def check_finite(signal: np.ndarray, names: list[str]) -> None:
    """Refuse NaN/Inf anywhere, naming the leads and how many samples are affected."""
    bad = ~np.isfinite(signal)
    if not bad.any():
        return
    per_lead = bad.sum(axis=1)
    parts = [f"{names[i]} ({int(c)} of {signal.shape[1]})" for i, c in enumerate(per_lead) if c]
    raise ECGSignalError(
        "The record has missing or infinite values (gaps, NaN, Inf) in lead(s) "
        + ", ".join(parts)
        + ". Export the recording again without gaps, or upload another record."
    )


def _robust_spans(signal: np.ndarray) -> np.ndarray:
    """Per lead: 99.5th minus 0.5th percentile (a spike-tolerant peak-to-peak), on at most ~100k samples a lead."""
    step = max(1, signal.shape[1] // 100_000)
    sub = signal[:, ::step].astype(np.float64)
    hi, lo = np.percentile(sub, [99.5, 0.5], axis=1)
    return hi - lo


def check_amplitudes(signal: np.ndarray, names: list[str], notes: list[str]) -> np.ndarray:
    """Millivolt signal (leads, samples) after the units policy above; all-flat or absurd records are refused,
    some flat leads are noted.

    `names` are the recorded lead names (for messages); a µV conversion appends to `notes`.
    """
    ranges = np.ptp(signal, axis=1)
    spans = _robust_spans(signal)
    live = ranges > 0
    typical = float(np.median(spans[live])) if live.any() else 0.0
    if not live.any():
        raise ECGSignalError(
            "Every lead is a flat line (constant value): there is no ECG in this record. "
            "Check that the electrodes were connected and export the recording again."
        )
    if typical > ABSURD_SPAN_MV:
        raise ECGSignalError(
            f"The amplitudes are absurd for an ECG (a typical lead spans {typical:.3g} units; an ECG spans about "
            "0.5-5 mV, or 500-5000 µV). Check the units or the gain in the file."
        )
    if typical > UV_SPAN_MV:
        signal = signal / np.float32(1000.0)
        ranges, spans, typical = ranges / 1000.0, spans / 1000.0, typical / 1000.0
        notes.append("The values looked like microvolts (a typical lead spans "
                     f"{typical * 1000:.0f}, an ECG spans 500-5000 µV) and were divided by 1000 to give mV.")
    if typical < TINY_SPAN_MV:
        raise ECGSignalError(
            f"The amplitudes are far too small for an ECG (a typical lead spans {typical:.2g} mV; an ECG spans "
            "about 0.5-5 mV). If the file stores volts, convert it to millivolts (x1000)."
        )
    flat = [names[i] for i in np.flatnonzero(ranges < FLAT_RANGE_MV)]
    if len(flat) == len(names):
        raise ECGSignalError(
            "Every lead is a flat line (no signal: electrodes off or the leads not exported). "
            "Upload a recording in which the leads carry a signal."
        )
    if flat:
        notes.append(f"Lead(s) {', '.join(flat)} are flat lines (no signal: an electrode off or a lead not "
                     "exported); results in those leads mean nothing.")
    wild = [f"{names[i]} ({spans[i]:.0f} mV)" for i in np.flatnonzero(spans > LEAD_ABSURD_SPAN_MV)]
    if wild:
        raise ECGSignalError(
            f"Lead(s) {', '.join(wild)} swing far more than an ECG can (about 0.5-5 mV): the recording is "
            "saturated or its gain is wrong. Check the gain/units or upload another record."
        )
    return signal.astype(np.float32, copy=False)


#: the units a user may state for a file that does not say (upload page, `read_upload(units=...)`)
UNIT_CHOICES: tuple[str, ...] = ("mV", "µV", "counts")


def stated_units(units: str | None, gain: float | None = None) -> tuple[float, str]:
    """(mV per stored value, a sentence saying where the units came from) for units the user stated.

    units: None (the file does not say and neither did the user: mV is assumed, with the µV rule above),
    "mV", "µV" (or "uV"), or "counts" with `gain` ADC counts per mV (e.g. 200).
    """
    if units is None:
        return 1.0, "mV, assumed: neither the file nor you stated the units"
    key = units.strip().replace("uV", "µV").replace("μV", "µV")
    if key == "mV":
        return 1.0, "mV, as you stated"
    if key == "µV":
        return 1e-3, "µV, as you stated"
    if key == "counts":
        try:
            value = float(gain) if gain is not None else math.nan
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value) or value <= 0:
            raise ECGReadError("ADC counts need the gain in counts per mV (e.g. 200, or 1000 for 1 µV per count); "
                               f"{gain!r} is not a positive number.")
        return 1.0 / value, f"ADC counts at {value:g} counts per mV, as you stated"
    raise ECGReadError(f"Unknown units {units!r}: state mV, µV, or ADC counts with their gain in counts per mV.")
