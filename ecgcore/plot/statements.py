"""Interpretation statements as a reader sees them: urgent first, each with its leads and the values that met
its criterion, and what the tracing marks when one is selected.

Statements are duck-typed (`key`, `text`, `severity`, `leads`, `values`, `criterion`, `source`, `scp`,
`snomed`, `reason`, `marks`, as `ecgcore.interpret.Statement`), so the plotting package does not depend on
the interpretation package.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

SEVERITY_ORDER = {"urgent": 0, "abnormal": 1, "normal": 2, "not assessable": 3}
SEVERITY_MARK = {"urgent": "‼ urgent", "abnormal": "abnormal", "normal": "normal", "not assessable": "not assessable"}
#: unit suffixes of value names ("PR_ms" -> "PR 248 ms"), as the interpretation names its values
UNITS = {"ms": "ms", "mV": "mV", "mv": "mV", "deg": "°", "bpm": "/min", "per_min": "/min", "mm": "mm",
         "s": "s", "pct": "%", "mVms": "mV·ms", "mVs": "mV·s", "uVs": "µV·s"}


def ordered(statements: Iterable[Any]) -> list[Any]:
    """Urgent statements first, then the other statements made, in the interpretation's own (reading) order,
    then those that could not be assessed."""
    rank = {"urgent": 0, "not assessable": 2}
    ranked = sorted(enumerate(statements), key=lambda pair: (rank.get(pair[1].severity, 1), pair[0]))
    return [s for _, s in ranked]


def format_value(name: str, value: float | None) -> str:
    """One measured value with its unit: ("PR_ms", 248.0) -> "PR 248 ms", ("ST_J60_V2_mV", 0.25) ->
    "ST J60 V2 0.25 mV"; None or NaN -> "... not measurable"."""
    unit = next((u for u in sorted(UNITS, key=len, reverse=True) if name.endswith("_" + u)), "")
    head = name[:len(name) - len(unit) - 1] if unit else name
    label = head.replace("_", " ")
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return f"{label} not measurable"
    v = float(value)
    digits = 2 if unit in ("mV", "mv", "mm", "mVs") or abs(v) < 10 and not float(v).is_integer() else 0
    return f"{label} {v:.{digits}f}{'' if unit in ('deg', 'pct') else ' '}{UNITS.get(unit, '')}".rstrip()


def format_values(values: Mapping[str, float | None]) -> str:
    """All of a statement's values, "; "-joined."""
    return "; ".join(format_value(k, v) for k, v in values.items())


def statement_rows(statements: Sequence[Any]) -> list[dict[str, str]]:
    """One row per statement in `ordered` order: severity, statement, leads, values (with units), criterion
    (or, for "not assessable", the reason), source, SCP acronym and SNOMED-CT code."""
    rows = []
    for s in ordered(statements):
        rows.append({
            "severity": SEVERITY_MARK.get(s.severity, s.severity),
            "statement": s.text,
            "leads": ", ".join(s.leads),
            "values": format_values(s.values),
            "criterion": s.criterion if s.severity != "not assessable" else f"not assessable: {s.reason or ''}".rstrip(": "),
            "source": s.source,
            "SCP": s.scp or "",
            "SNOMED": s.snomed or "",
        })
    return rows


def overlay(statement: Any | None) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """What the tracing shows for a selected statement: (leads to shade, marks to circle); nothing for None."""
    if statement is None:
        return (), ()
    return tuple(statement.leads), tuple(statement.marks)


def report_lines(statements: Sequence[Any]) -> list[str]:
    """The statements as printed lines for the PDF report: "‼ " before urgent ones, leads and values after."""
    lines = []
    for s in ordered(statements):
        mark = "‼ " if s.severity == "urgent" else ("? " if s.severity == "not assessable" else "")
        tail = [f"leads {', '.join(s.leads)}"] if s.leads else []
        if s.values:
            tail.append(format_values(s.values))
        if s.severity == "not assessable" and s.reason:
            tail.append(f"not assessable: {s.reason}")
        lines.append(f"{mark}{s.text}" + (f" ({'; '.join(tail)})" if tail else ""))
    return lines


def _rate(k: int, n: int) -> str:
    from ecgcore.interpret.validation import wilson

    if n == 0:
        return "—"
    lo, hi = wilson(k, n)
    return f"{k / n:.2f} [{lo:.2f}-{hi:.2f}] ({k}/{n})"


def validation_rows(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> list[dict[str, Any]]:
    """How each statement in `keys` agreed with cardiologists, per source, from the validation rows that
    `python -m bench.bench_interpret --json FILE` writes ({"statement", "source", "tp", "fp", "fn", "tn"}):
    sensitivity, specificity and PPV with Wilson 95% intervals and their counts; "—" where the denominator is
    0; a note where a source has fewer than 10 positives (the interval is what to read). Sources where the
    statement was never judged (no records) are left out."""
    out = []
    for key in keys:
        for r in sorted((r for r in rows if r.get("statement") == key), key=lambda r: str(r.get("source"))):
            tp, fp, fn, tn = (int(r.get(k, 0)) for k in ("tp", "fp", "fn", "tn"))
            if tp + fp + fn + tn == 0:
                continue
            positives = tp + fn
            note = ("no positives here: specificity only" if positives == 0 else
                    "fewer than 10 positives: read the interval" if positives < 10 else "")
            out.append({"statement": key, "source": r.get("source"), "positives": positives,
                        "sensitivity": _rate(tp, positives), "specificity": _rate(tn, tn + fp),
                        "PPV": _rate(tp, tp + fp), "note": note})
    return out
