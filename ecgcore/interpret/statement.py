"""The types an interpretation is made of: `Mark`, `Statement`, `Interpretation`.

A `Statement` is what a reading cardiologist signs ("1st-degree AV block"), tied to the leads and the measured
values that met (or failed) its criterion, the criterion's source, its PTB-XL SCP acronym and SNOMED-CT code.
A `Mark` is a measured point to draw on the tracing (seconds from the record's start).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecgcore.signal.matrix import MeasurementMatrix

CATEGORIES: tuple[str, ...] = ("rhythm", "av_conduction", "ventricular_conduction", "axis", "hypertrophy",
                               "infarct", "st_t", "qt", "voltage", "pacing")
#: category -> how it is named in a sentence
CATEGORY_NAMES: dict[str, str] = {"rhythm": "rhythm", "av_conduction": "AV conduction",
                                  "ventricular_conduction": "ventricular conduction", "axis": "axis",
                                  "hypertrophy": "hypertrophy and atrial enlargement", "infarct": "infarct and STEMI",
                                  "st_t": "ST-T", "qt": "QT", "voltage": "QRS voltage", "pacing": "pacing"}
SEVERITIES: tuple[str, ...] = ("normal", "abnormal", "urgent", "not assessable")


def _num(v: float | None) -> float | None:
    """A JSON number: None for None or NaN, else rounded to 3 decimals."""
    return None if v is None or not math.isfinite(v) else round(float(v), 3)


@dataclass(frozen=True)
class Mark:
    """A measured point on the tracing: lead, time in seconds from the record's start, label
    (e.g. ("V2", 3.412, "J+60 ST +0.25 mV"))."""

    lead: str
    t_s: float
    label: str

    def to_dict(self) -> dict:
        return {"lead": self.lead, "t_s": round(float(self.t_s), 4), "label": self.label}


@dataclass(frozen=True)
class Statement:
    """One interpretation statement.

    key: stable id ("1AVB", "CLBBB", "STEMI_INFERIOR"); text: what is printed; category: one of CATEGORIES;
    severity: one of SEVERITIES; leads: the leads it rests on; values: measured values with units in the
    name ({"PR_ms": 248.0}); criterion: the rule as text ("PR > 200 ms"); source: where the rule comes from;
    scp: PTB-XL SCP acronym or None; snomed: SNOMED-CT code (string) or None; reason: why "not assessable";
    marks: points to draw on the tracing.
    """

    key: str
    text: str
    category: str
    severity: str
    leads: tuple[str, ...]
    values: dict[str, float]
    criterion: str
    source: str
    scp: str | None
    snomed: str | None
    reason: str | None = None
    marks: tuple[Mark, ...] = ()

    @property
    def assessable(self) -> bool:
        return self.severity != "not assessable"

    def to_dict(self) -> dict:
        return {"key": self.key, "text": self.text, "category": self.category, "severity": self.severity,
                "leads": list(self.leads),
                "values": {k: _num(v) for k, v in self.values.items()},
                "criterion": self.criterion, "source": self.source, "scp": self.scp, "snomed": self.snomed,
                "reason": self.reason, "marks": [m.to_dict() for m in self.marks]}


@dataclass(frozen=True)
class Interpretation:
    """The statements of one record (in reading order: rhythm, conduction, axis, hypertrophy, infarct, ST-T,
    QT, voltage) and the measurement matrix they rest on."""

    statements: tuple[Statement, ...]
    measurements: "MeasurementMatrix"
    record_id: str = ""
    elapsed_ms: float = field(default=float("nan"), compare=False)
    #: criterion key -> "Met" | "Unmet" | "NotAssessable" for every criterion judged (validation, tests)
    verdicts: dict[str, str] = field(default_factory=dict, compare=False)

    def keys(self) -> set[str]:
        """Keys of the assessable statements that were made."""
        return {s.key for s in self.statements if s.assessable}

    def get(self, key: str) -> Statement | None:
        return next((s for s in self.statements if s.key == key), None)

    @property
    def urgent(self) -> tuple[Statement, ...]:
        return tuple(s for s in self.statements if s.severity == "urgent")

    def to_dict(self) -> dict:
        return {"record_id": self.record_id, "statements": [s.to_dict() for s in self.statements],
                "measurements": self.measurements.to_dict()}
