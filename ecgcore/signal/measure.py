"""The measurements a cardiologist reads first, each a value or "not measurable" with its reason.

HR from the median RR of clean intervals; PR = QRS onset - P onset, QRS = QRS offset - QRS onset, QT = T end -
QRS onset, from the global fiducials (`ecgcore.signal.delineate`); QTc by Bazett (QT / sqrt(RR)) and
Fridericia (QT / RR^(1/3)), RR in seconds; the frontal QRS axis from the net QRS areas in I and aVF of the
median beat (atan2), baseline the PR segment. A PR is never given for a rhythm without consistent P waves
(NO_P_AF, whether the rhythm is irregular or not: flutter and AF with a regular response have no P waves
either); NO_P when P waves were seen but their onset could not be placed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: reasons, one wording each (shown on hover in the app, in the CLI and the PDF)
NO_P_AF = "no P waves: atrial fibrillation/flutter suspected"
NO_P = "no consistent P wave"
QRS_UNCLEAR = "QRS boundaries unclear"
T_END = "T end not found"
FEW_BEATS = "too few clean beats"
INVERTED = "the record looks inverted: axis not reliable"
#: plausible ranges, ms; a value outside is not measurable with the reason of its wave
BOUNDS_MS = {"PR": (60.0, 400.0), "QRS": (40.0, 250.0), "QT": (200.0, 700.0)}
MIN_BEATS = 3
KEYS: tuple[str, ...] = ("HR", "RR", "PR", "QRS", "QT", "QTc_Bazett", "QTc_Fridericia", "axis")
UNITS = {"HR": "/min", "RR": "ms", "PR": "ms", "QRS": "ms", "QT": "ms", "QTc_Bazett": "ms",
         "QTc_Fridericia": "ms", "axis": "deg"}


@dataclass(frozen=True)
class Measurement:
    """A value in `unit`, or None with `reason` saying why it is not measurable."""

    value: float | None
    unit: str
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.value is not None

    def text(self, digits: int = 0) -> str:
        """"120 ms" or "—"."""
        return "—" if self.value is None else f"{self.value:.{digits}f} {self.unit}".replace(" deg", "°")

    def to_dict(self) -> dict:
        return {"value": None if self.value is None else round(float(self.value), 1), "unit": self.unit,
                "reason": self.reason}


def _m(key: str, value: float | None, reason: str | None = None) -> Measurement:
    if value is not None and not math.isfinite(value):
        value = None
    return Measurement(value, UNITS[key], None if value is not None else reason)


def interval(fid_ms: dict[str, float], start: str, end: str, name: str, reason: str) -> Measurement:
    """end - start (ms) from global fiducials, None with `reason` when missing or outside BOUNDS_MS[name]."""
    if start not in fid_ms or end not in fid_ms:
        return _m(name, None, reason)
    v = fid_ms[end] - fid_ms[start]
    lo, hi = BOUNDS_MS[name]
    return _m(name, v if lo <= v <= hi else None, reason)


def frontal_axis(median: np.ndarray, leads: tuple[str, ...], r: int, fs: float,
                 fid_ms: dict[str, float]) -> Measurement:
    """Frontal QRS axis (deg, -180..180] from net QRS areas of I and aVF (aVF = II - I/2 when only I and II).

    median: (leads, samples) median beat with R at sample r. Baseline: the mean over 20 ms before QRS onset.
    """
    if "QRS_on" not in fid_ms or "QRS_off" not in fid_ms:
        return _m("axis", None, QRS_UNCLEAR)
    if "I" not in leads or ("aVF" not in leads and "II" not in leads):
        return _m("axis", None, "needs leads I and aVF (or I and II)")
    on = r + int(round(fid_ms["QRS_on"] * fs / 1000))
    off = r + int(round(fid_ms["QRS_off"] * fs / 1000))
    pre = max(0, on - int(round(0.02 * fs)))
    if not 0 < on < off <= median.shape[1]:
        return _m("axis", None, QRS_UNCLEAR)
    lead_i = median[leads.index("I")]
    avf = median[leads.index("aVF")] if "aVF" in leads else median[leads.index("II")] - lead_i / 2
    area = [float(np.sum(x[on:off + 1] - np.mean(x[pre:on + 1]))) for x in (lead_i, avf)]
    if area[0] == 0 and area[1] == 0:
        return _m("axis", None, QRS_UNCLEAR)
    return _m("axis", math.degrees(math.atan2(area[1], area[0])))


def measurements(rr_s: np.ndarray, n_clean_beats: int, fid_ms: dict[str, float], p_waves: bool | None,
                 af: bool, axis: Measurement) -> dict[str, Measurement]:
    """Every measurement of KEYS. rr_s: clean RR intervals (s); n_clean_beats: beats in the median beat;
    p_waves: whether consistent P waves were found (rhythm); af: atrial fibrillation (or flutter) suspected."""
    out: dict[str, Measurement] = {}
    if len(rr_s) == 0:
        out["HR"] = _m("HR", None, FEW_BEATS)
        out["RR"] = _m("RR", None, FEW_BEATS)
        rr = float("nan")
    else:
        rr = float(np.median(rr_s))
        out["HR"] = _m("HR", 60.0 / rr)
        out["RR"] = _m("RR", rr * 1000.0)
    if n_clean_beats < MIN_BEATS:
        for key in ("PR", "QRS", "QT", "QTc_Bazett", "QTc_Fridericia"):
            out[key] = _m(key, None, FEW_BEATS)
        out["axis"] = _m("axis", None, FEW_BEATS)
        return out
    if af or not p_waves:  # irregular or regular (flutter, AF with a regular response): no P wave to measure from
        out["PR"] = _m("PR", None, NO_P_AF)
    else:
        out["PR"] = interval(fid_ms, "P_on", "QRS_on", "PR", NO_P)
    out["QRS"] = interval(fid_ms, "QRS_on", "QRS_off", "QRS", QRS_UNCLEAR)
    qrs_ok = out["QRS"].ok
    out["QT"] = interval(fid_ms, "QRS_on", "T_off", "QT", T_END) if qrs_ok else _m("QT", None, QRS_UNCLEAR)
    qt = out["QT"]
    if qt.value is None or not math.isfinite(rr):
        reason = qt.reason if qt.value is None else FEW_BEATS
        out["QTc_Bazett"] = _m("QTc_Bazett", None, reason)
        out["QTc_Fridericia"] = _m("QTc_Fridericia", None, reason)
    else:
        out["QTc_Bazett"] = _m("QTc_Bazett", qt.value / math.sqrt(rr))
        out["QTc_Fridericia"] = _m("QTc_Fridericia", qt.value / rr ** (1.0 / 3.0))
    out["axis"] = axis
    return out
