"""Clinical flags: the one table of thresholds that marks a measurement as outside the normal adult range.

Thresholds from the AHA/ACCF/HRS Recommendations for the Standardization and Interpretation of the ECG
(Circulation 2009, parts I-V; see ECG_CRITERIA.md in the data root): PR 120-200 ms, QRS < 120 ms, QTc
<= 450 ms men / <= 460 ms women (>= 500 ms: high risk of torsades), HR 50-100 /min, frontal axis -30 to +90 deg (-30 to -90 left, +90 to +180 right, -90 to -180
extreme / north-west).
QTc here is Bazett's, as carts print it.
"""
from __future__ import annotations

import operator
from dataclasses import asdict, dataclass
from typing import Callable

#: (flag id, measurement key, comparison, threshold, sex it applies to or None, text, severity)
THRESHOLDS: tuple[tuple[str, str, str, float, str | None, str, str], ...] = (
    ("PR_long", "PR", ">", 200.0, None, "PR > 200 ms: first-degree AV block range", "warning"),
    ("PR_short", "PR", "<", 120.0, None, "PR < 120 ms: short PR (pre-excitation?)", "warning"),
    ("QRS_wide", "QRS", ">=", 120.0, None, "QRS >= 120 ms: wide QRS (bundle-branch block range)", "warning"),
    ("QTc_long_M", "QTc", ">", 450.0, "M", "QTc > 450 ms (men): prolonged", "warning"),
    ("QTc_long_F", "QTc", ">", 460.0, "F", "QTc > 460 ms (women): prolonged", "warning"),
    ("QTc_long_unknown_sex", "QTc", ">", 460.0, None, "QTc > 460 ms: prolonged (sex unknown: the women's limit)",
     "warning"),
    ("QTc_500", "QTc", ">=", 500.0, None, "QTc >= 500 ms: markedly prolonged (torsades risk)", "critical"),
    ("HR_low", "HR", "<", 50.0, None, "HR < 50 /min: bradycardia", "warning"),
    ("HR_high", "HR", ">", 100.0, None, "HR > 100 /min: tachycardia", "warning"),
    ("axis_left", "axis", "<", -30.0, None, "axis < -30 deg: left axis deviation", "warning"),
    ("axis_extreme", "axis", "<", -90.0, None, "axis -90 to -180 deg: extreme (north-west) axis", "warning"),
    ("axis_right", "axis", ">", 90.0, None, "axis > +90 deg: right axis deviation", "warning"),
)
_OPS: dict[str, Callable[[float, float], bool]] = {">": operator.gt, ">=": operator.ge, "<": operator.lt}


@dataclass(frozen=True)
class Flag:
    """One measurement outside its normal range. key: the measurement ("PR", "QTc", ...); text says the
    threshold; severity "warning" or "critical"."""

    id: str
    key: str
    text: str
    severity: str

    def to_dict(self) -> dict:
        return asdict(self)


def flags_for(values: dict[str, float | None], sex: str | None) -> tuple[Flag, ...]:
    """Flags of measured values ({"PR": ms, "QRS": ms, "QTc": ms, "HR": /min, "axis": deg}; None = not
    measured, never flagged). sex "M"/"F" picks the QTc limit; unknown sex uses the women's (higher) one.
    A QTc >= 500 ms flag replaces the "prolonged" one; an extreme axis (< -90 deg) replaces "left axis deviation"."""
    out: list[Flag] = []
    for fid, key, op, limit, for_sex, text, severity in THRESHOLDS:
        v = values.get(key)
        if v is None:
            continue
        if key == "QTc" and fid != "QTc_500":
            wanted = sex if sex in ("M", "F") else None
            if for_sex != wanted:
                continue
        if _OPS[op](v, limit):
            out.append(Flag(fid, key, text, severity))
    if any(f.id == "QTc_500" for f in out):
        out = [f for f in out if not (f.key == "QTc" and f.id != "QTc_500")]
    if any(f.id == "axis_extreme" for f in out):  # -90 to -180 deg is extreme, not left, axis deviation
        out = [f for f in out if f.id != "axis_left"]
    return tuple(out)
