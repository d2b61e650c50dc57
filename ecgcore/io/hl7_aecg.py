"""HL7 annotated ECG (aECG, `<AnnotatedECG xmlns="urn:hl7-org:v3">`), the FDA's ECG exchange format.

The rhythm waveforms are the first `sequenceSet` under a `series` coded `RHYTHM` (else the first series). In a set,
the time sequence (`TIME_ABSOLUTE`/`TIME_RELATIVE`) gives the sample period in `<increment>`; every lead sequence
(`MDC_ECG_LEAD_*`) holds `SLIST_PQ` digits, with value = origin + scale x digit in the units of `<scale>` (µV, mV or
V). Leads are mapped by their code, never by position (files order them differently).

The cart's measurements are the first annotation of each code (MDC_ECG_HEART_RATE, MDC_ECG_TIME_PD_PR / _QRS / _QT /
_QTc / _QTcB, MDC_ECG_ANGLE_P_FRONT / _QRS_FRONT / _T_FRONT); statements are the MDC_ECG_INTERPRETATION* texts.
Sex and age come from the subject ("Reported Age", else the birth time at the recording date); names, ids and the
birth date are not kept.
"""
from __future__ import annotations

from datetime import datetime
from xml.etree.ElementTree import Element

import numpy as np

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGReadError
from ecgcore.io import clinical
from ecgcore.io.clinical import child, children, descendants, local, number

WHAT = "an HL7 aECG file"
_UV = {"uV": 1.0, "µV": 1.0, "mV": 1000.0, "V": 1e6, "nV": 1e-3}
_SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6}
_CODES = {"MDC_ECG_HEART_RATE": "HR", "MDC_ECG_TIME_PD_PR": "PR", "MDC_ECG_TIME_PD_QRS": "QRS",
          "MDC_ECG_TIME_PD_QT": "QT", "MDC_ECG_TIME_PD_QTc": "QTc", "MDC_ECG_TIME_PD_QTcB": "QTc",
          "MDC_ECG_ANGLE_P_FRONT": "P_axis", "MDC_ECG_ANGLE_QRS_FRONT": "QRS_axis", "MDC_ECG_ANGLE_T_FRONT": "T_axis"}
_STATEMENT_CODES = ("MDC_ECG_INTERPRETATION_STATEMENT", "MDC_ECG_INTERPRETATION_SUMMARY", "MDC_ECG_INTERPRETATION")


def read_aecg(data: bytes, *, name: str = "upload.xml") -> ECG:
    """A 12-lead ECG (mV, the file's rate and length) from the bytes of an HL7 aECG file. Raises `ECGReadError`."""
    root = clinical.parse_root(data, name, WHAT, "AnnotatedECG")
    identities = _identities(root)
    label = clinical.redact(name, identities)
    sets = _rhythm_sets(root)
    if not sets:
        raise ECGReadError(f"{label}: this aECG holds no waveform sequenceSet. Export the ECG with its rhythm "
                           "waveforms.")
    period, leads = _sequence_set(sets[0], label)
    if period is None:
        raise ECGReadError(f"{label}: the waveform has no time sequence with an <increment>, so its sampling rate "
                           "is unknown. Export the aECG again.")
    for other in sets[1:]:  # further simultaneous sets of the same series add the leads the first lacks
        more_period, more = _sequence_set(other, label)
        length = len(next(iter(leads.values()))) if leads else None
        for lead, values in more.items():
            if lead not in leads and more_period == period and len(values) == length:
                leads[lead] = values
    annotations = _annotations(root)
    acquired = _acquired(root)
    age = _reported_age(root)  # the file's own "Reported Age" first, else the birth date at the recording
    if age is None:
        age = clinical.age_at(clinical.parse_date(_attribute(child(root, *_SUBJECT, "birthTime"), "value")), acquired)
    meta = {"cart_measurements": clinical.cart_measurements(annotations[0]), "cart_statements": annotations[1],
            "device": _device(root), "acquired": acquired.isoformat() if acquired else None}
    return clinical.finish(leads, 1.0 / period, name=name, fmt="hl7_aecg", identities=identities, age=age,
                           sex=clinical.sex_of(_attribute(child(root, *_SUBJECT, "administrativeGenderCode"),
                                                          "code")),
                           meta={k: v for k, v in meta.items() if v})


_SUBJECT = ("componentOf", "timepointEvent", "componentOf", "subjectAssignment", "subject", "trialSubject",
            "subjectDemographicPerson")


def _code(elem: Element | None) -> str:
    code = child(elem, "code")
    return (code.get("code") or "").strip() if code is not None else ""


def _attribute(elem: Element | None, name: str) -> str | None:
    return elem.get(name) if elem is not None else None


def _rhythm_sets(root: Element) -> list[Element]:
    """The sequenceSets of the RHYTHM series (else of the first series that has any); its derived series
    (representative beats) are not rhythm."""
    series = [s for s in descendants(root, "series")]
    series.sort(key=lambda s: _code(s) != "RHYTHM")  # RHYTHM first, else document order
    for one in series:
        found = [s for c in children(one, "component") for s in children(c, "sequenceSet")]
        if found:
            return found
    return []


def _sequence_set(sequence_set: Element, label: str) -> tuple[float | None, dict[str, np.ndarray]]:
    """(sample period in s or None, lead code suffix -> µV) of one sequenceSet."""
    period = None
    leads: dict[str, np.ndarray] = {}
    for component in children(sequence_set, "component"):
        sequence = child(component, "sequence")
        code = _code(sequence)
        value = child(sequence, "value")
        if code.startswith("TIME_"):
            increment = child(value, "increment")
            if increment is not None:
                period = _period(increment, label)
        elif code.startswith("MDC_ECG_LEAD_") and value is not None:
            lead = code[len("MDC_ECG_LEAD_"):]
            if lead not in leads:
                leads[lead] = _digits(value, lead, label)
    return period, leads


def _period(increment: Element, label: str) -> float:
    value = number(increment.get("value"))
    factor = _SECONDS.get((increment.get("unit") or "s").strip())
    if value is None or factor is None or value <= 0:
        raise ECGReadError(f"{label}: the sample period {increment.get('value')!r} {increment.get('unit')!r} is not "
                           "usable (expected e.g. 0.002 s). Export the aECG again.")
    return value * factor


def _digits(value: Element, lead: str, label: str) -> np.ndarray:
    """One lead in µV."""
    origin, scale = child(value, "origin"), child(value, "scale")
    digits = child(value, "digits")
    o = number(origin.get("value")) if origin is not None else 0.0
    s = number(scale.get("value")) if scale is not None else None
    unit = (scale.get("unit") if scale is not None else "") or "uV"
    o_unit = (origin.get("unit") if origin is not None else "") or unit
    if s is None or o is None or unit not in _UV or o_unit not in _UV or digits is None:
        raise ECGReadError(f"{label}: lead {lead} lacks a usable origin/scale/digits (scale "
                           f"{None if scale is None else scale.get('value')!r} {unit!r}); the file is damaged.")
    try:
        values = np.array((digits.text or "").split(), dtype=np.float64)
    except ValueError:
        raise ECGReadError(f"{label}: lead {lead}'s digits are not all numbers; the file is damaged.") from None
    return o * _UV[o_unit] + s * _UV[unit] * values


def _annotations(root: Element) -> tuple[dict[str, float], list[str]]:
    """First value of each measurement code, and the interpretation texts, over every annotation."""
    values: dict[str, float] = {}
    lines: list[str] = []
    for annotation in descendants(root, "annotation"):
        code = _code(annotation)
        value = child(annotation, "value")
        if value is None:
            continue
        key = _CODES.get(code)
        if key and key not in values:
            amount = number(value.get("value"))
            if amount is not None and (value.get("unit") or "ms") != "s":
                values[key] = amount
        elif code in _STATEMENT_CODES and (value.text or "").strip():
            lines.append(value.text.strip().rstrip(", "))
    return values, clinical.clean_statements(lines)


def _identities(root: Element) -> list[str]:
    out = []
    for elem in root.iter():
        if local(elem.tag) == "name" and elem.text:
            out.append(elem.text)
        if local(elem.tag) in ("given", "family"):
            out.append(elem.text or "")
    person = child(root, *_SUBJECT[:-1])
    for ident in children(person, "id") if person is not None else []:
        out.append(ident.get("extension") or "")
    return [o for o in out if o.strip()]


def _acquired(root: Element) -> datetime | None:
    """The recording's time: the document's effectiveTime (low, else center), else the rhythm series' start."""
    stamp = ""
    for holder in [root] + list(descendants(root, "series"))[:1]:
        for tag in ("low", "center"):
            stamp = stamp or (_attribute(child(holder, "effectiveTime", tag), "value") or "")
    return clinical.parse_timestamp(stamp)


def _reported_age(root: Element) -> float | None:
    for variable in descendants(root, "relatedObservation"):
        if _code(variable) == "21612-7":
            value = child(variable, "value")
            if value is not None and (value.get("unit") or "a") == "a":
                return number(value.get("value"))
    return None


def _device(root: Element) -> str:
    model = next(descendants(root, "manufacturerModelName"), None)
    software = next(descendants(root, "softwareName"), None)
    parts = [(model.text or "").strip() if model is not None else "",
             (software.text or "").strip() if software is not None else ""]
    return ", ".join(p for p in parts if p)
