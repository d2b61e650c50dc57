"""GE MUSE resting ECG XML (`<RestingECG>`, MUSE 8/9 exports).

The 10 s `Rhythm` waveform is read: per lead, base64 of little-endian int16 (`WaveFormData`), scaled by
`LeadAmplitudeUnitsPerBit` (4.88 µV per bit in MUSE 9 exports), at `SampleBase` x 10^`SampleExponent` Hz. MUSE stores
only I, II and V1-V6; III, aVR, aVL and aVF are derived (Einthoven/Goldberger) and listed in `ECG.derived`.
Each lead's `LeadDataCRC32` is checked when present. The 1.2 s `Median` beat is not used.

The cart's measurements come from `RestingECGMeasurements` (else `OriginalRestingECGMeasurements`), its statements
from `Diagnosis` (else `OriginalDiagnosis`): a statement runs over several `DiagnosisStatement` elements until one
flagged `ENDSLINE`. Age, sex and acquisition time are kept; the patient's name and id are not.
"""
from __future__ import annotations

import binascii
import zlib
from datetime import date, datetime
from xml.etree.ElementTree import Element

import numpy as np

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGReadError
from ecgcore.io import clinical
from ecgcore.io.clinical import child, children, number, text

WHAT = "a GE MUSE XML ECG"
_UNITS_UV = {"MICROVOLTS": 1.0, "MILLIVOLTS": 1000.0, "UV": 1.0, "MV": 1000.0}
_MEASUREMENTS = {"HR": "VentricularRate", "PR": "PRInterval", "QRS": "QRSDuration", "QT": "QTInterval",
                 "QTc": "QTCorrected", "P_axis": "PAxis", "QRS_axis": "RAxis", "T_axis": "TAxis"}
_IDENTITY_TAGS = ("PatientID", "PatientLastName", "PatientFirstName", "PatientMiddleName", "SecondaryID")


def read_muse(data: bytes, *, name: str = "upload.xml") -> ECG:
    """A 12-lead ECG (mV, the file's rate and length) from the bytes of a GE MUSE XML file.

    Raises `ECGReadError` for a file that is not MUSE XML, has no rhythm waveform or holds damaged lead data.
    """
    root = clinical.parse_root(data, name, WHAT, "RestingECG")
    demographics = child(root, "PatientDemographics")
    identities = [text(demographics, tag) for tag in _IDENTITY_TAGS]
    label = clinical.redact(name, identities)
    rhythm = next((w for w in children(root, "Waveform") if text(w, "WaveformType").lower() == "rhythm"), None)
    if rhythm is None:
        raise ECGReadError(f"{label}: this MUSE XML has no Rhythm waveform (only a median beat or none). Export "
                           "the ECG from MUSE with its full waveforms.")
    fs = _rate(rhythm, label)
    leads = {}
    for lead in children(rhythm, "LeadData"):
        lead_id = text(lead, "LeadID")
        if lead_id and lead_id not in leads:
            leads[lead_id] = _samples(lead, lead_id, label)
    acquired = _acquired(child(root, "TestDemographics"))
    measurements = child(root, "RestingECGMeasurements")
    if measurements is None:
        measurements = child(root, "OriginalRestingECGMeasurements")
    cart = clinical.cart_measurements({key: text(measurements, tag) for key, tag in _MEASUREMENTS.items()})
    diagnosis = child(root, "Diagnosis")
    if diagnosis is None:
        diagnosis = child(root, "OriginalDiagnosis")
    meta = {"cart_measurements": cart, "cart_statements": statements(diagnosis),
            "device": _device(root), "acquired": acquired.isoformat() if acquired else None}
    return clinical.finish(leads, fs, name=name, fmt="muse_xml", identities=identities,
                           age=_age(demographics), sex=clinical.sex_of(text(demographics, "Gender")),
                           meta={k: v for k, v in meta.items() if v})


def _rate(waveform: Element, label: str) -> float:
    base = number(text(waveform, "SampleBase"))
    exponent = number(text(waveform, "SampleExponent") or "0")
    if base is None or exponent is None or base <= 0 or abs(exponent) > 3:
        raise ECGReadError(f"{label}: the Rhythm waveform has no valid SampleBase/SampleExponent, so its sampling "
                           "rate is unknown. Export the ECG from MUSE again.")
    return base * 10.0 ** exponent


def _samples(lead: Element, lead_id: str, label: str) -> np.ndarray:
    """One lead in µV."""
    scale = number(text(lead, "LeadAmplitudeUnitsPerBit"))
    units = text(lead, "LeadAmplitudeUnits").upper() or "MICROVOLTS"
    if scale is None or scale <= 0 or units not in _UNITS_UV:
        raise ECGReadError(f"{label}: lead {lead_id} has no usable amplitude scale (LeadAmplitudeUnitsPerBit "
                           f"{text(lead, 'LeadAmplitudeUnitsPerBit')!r} {units}); expected e.g. 4.88 MICROVOLTS.")
    try:
        raw = clinical.base64_bytes(text(lead, "WaveFormData"))
    except (binascii.Error, ValueError):
        raise ECGReadError(f"{label}: lead {lead_id}'s waveform data are not valid base64; the file is damaged. "
                           "Export it again.") from None
    if len(raw) % 2:
        raise ECGReadError(f"{label}: lead {lead_id} holds an odd number of bytes ({len(raw)}) for 16-bit samples; "
                           "the file is damaged. Export it again.")
    crc = number(text(lead, "LeadDataCRC32"))
    if crc is not None and zlib.crc32(raw) != int(crc):
        raise ECGReadError(f"{label}: lead {lead_id}'s waveform data fail their CRC32 check; the file was damaged "
                           "or edited. Export it again from MUSE.")
    count = number(text(lead, "LeadSampleCountTotal"))
    values = np.frombuffer(raw, dtype="<i2")
    if count is not None and int(count) != len(values):
        raise ECGReadError(f"{label}: lead {lead_id} announces {int(count)} samples but holds {len(values)}; the "
                           "file is damaged or truncated. Export it again.")
    return values.astype(np.float64) * scale * _UNITS_UV[units]


def statements(diagnosis: Element | None) -> list[str]:
    """The interpretation lines: statement fragments joined until one flagged ENDSLINE."""
    if diagnosis is None:
        return []
    lines: list[str] = []
    current = ""
    for stmt in children(diagnosis, "DiagnosisStatement"):
        fragment = text(stmt, "StmtText")
        if fragment:
            joiner = "" if not current or fragment[0] in ",.;:)" else " "
            current = current + joiner + fragment
        if any(text(flag).upper() == "ENDSLINE" for flag in children(stmt, "StmtFlag")):
            lines.append(current)
            current = ""
    lines.append(current)
    return clinical.clean_statements(lines)


def _age(demographics: Element | None) -> float | None:
    value = number(text(demographics, "PatientAge"))
    if value is None:
        return None
    unit = text(demographics, "AgeUnits").lower() or "years"
    return clinical.age_in_years(value, unit) if unit in clinical.PER_YEAR else None


def _acquired(test: Element | None) -> date | datetime | None:
    day = clinical.parse_date(text(test, "AcquisitionDate"))
    if day is None:
        return None
    clock = text(test, "AcquisitionTime")
    try:
        hours, minutes, seconds = (int(p) for p in clock.split(":"))
        return datetime(day.year, day.month, day.day, hours, minutes, seconds)
    except (ValueError, TypeError):
        return day


def _device(root: Element) -> str:
    test = child(root, "TestDemographics")
    parts = [text(test, "AcquisitionDevice"), text(test, "AcquisitionSoftwareVersion"),
             "MUSE " + text(root, "MuseInfo", "MuseVersion") if text(root, "MuseInfo", "MuseVersion") else ""]
    return ", ".join(p for p in parts if p)
