"""DICOM waveform ECGs (12-lead ECG, General ECG, and, by content, other waveform SOP classes holding ECG leads).

Read with `pydicom`: `Dataset.waveform_array(group)` applies each channel's sensitivity, correction and baseline;
the channel's sensitivity units (`uV`, `mV`, `V`) convert to mV. The rhythm group is the first multiplex group
that is ORIGINAL and not a median beat (else the longest). Channels map to leads by their SCP-ECG or MDC code
(e.g. 5.6.3-9-1 / 2:1 is lead I), else by code meaning ("Lead I (Einthoven)").

The SOP class is not required to be an ECG class: a GE file filed as Hemodynamic Waveform Storage that holds 12
ECG leads is read, because its channels are ECG leads. The cart's measurements and statements come from
`WaveformAnnotationSequence` (coded numeric values, by code meaning, the heart rate from the RR interval where
only that is coded; unformatted text). Age, sex and acquisition time are kept; the patient's name, id and birth
date are not.
"""
from __future__ import annotations

import io
import re
import warnings
from datetime import datetime
from typing import Any

import numpy as np
import pydicom

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGReadError
from ecgcore.io import clinical, validate
from ecgcore.core.leads import LEADS

_TO_UV = {"uv": 1.0, "µv": 1.0, "mv": 1000.0, "v": 1e6, "nv": 1e-3}
_SCP = {1: "I", 2: "II", 61: "III", 62: "aVR", 63: "aVL", 64: "aVF", 3: "V1", 4: "V2", 5: "V3", 6: "V4", 7: "V5",
        8: "V6"}
_MEANINGS = {"heart rate": "HR", "ventricular rate": "HR", "pr interval": "PR", "qrs duration": "QRS",
             "qt interval": "QT", "qtc interval": "QTc", "p axis": "P_axis", "qrs axis": "QRS_axis",
             "t axis": "T_axis", "rr interval": "RR"}


def read_dicom(data: bytes, *, name: str = "upload.dcm") -> ECG:
    """A 12-lead ECG (mV, the file's rate and length) from the bytes of a DICOM waveform file.

    Raises `ECGReadError` for a file that is not DICOM, holds no waveform, or whose channels are not ECG leads.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(io.BytesIO(data), force=True)
            groups = list(ds.get("WaveformSequence") or [])
    except Exception as exc:  # pydicom raises InvalidDicomError, struct/Value/EOF errors on damaged files
        raise ECGReadError(f"The file is not a readable DICOM file ({_reason(exc)}). Export the ECG from PACS or "
                           "the cart again as a DICOM waveform.") from None
    identities = _identities(ds)
    label = clinical.redact(name, identities)
    if not groups and data[128:132] != b"DICM":
        raise ECGReadError(f"{label} is not a DICOM file (it lacks the DICM marker at byte 128). Export the ECG "
                           "from PACS or the cart as a DICOM waveform.")
    if not groups:
        raise ECGReadError(f"{label} is DICOM but holds no waveform (no WaveformSequence): it may be an image or a "
                           "report. Export the ECG as a DICOM 12-lead waveform.")
    index = _rhythm_group(groups)
    group = groups[index]
    try:
        fs = float(group.SamplingFrequency)
        channels = int(group.NumberOfWaveformChannels)
        samples = int(group.NumberOfWaveformSamples)
        definitions = list(group.ChannelDefinitionSequence)
    except Exception as exc:  # missing or malformed attributes
        raise ECGReadError(f"{label}: the waveform lacks its rate, channel count or channel definitions "
                           f"({_reason(exc)}); the file is damaged. Export it again.") from None
    validate.check_fs(fs, label)
    if channels * samples > validate.MAX_VALUES or len(definitions) != channels:
        raise ECGReadError(f"{label}: the waveform announces {channels} channels x {samples} samples with "
                           f"{len(definitions)} channel definitions, which this file cannot hold. Export it again.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            array = np.asarray(ds.waveform_array(index), dtype=np.float64)
    except Exception as exc:  # data shorter than announced, unsupported sample format ...
        raise ECGReadError(f"{label}: the waveform data cannot be read ({_reason(exc)}); the file is damaged or "
                           "truncated. Export it again.") from None
    if array.ndim != 2 or array.shape[1] != channels:
        raise ECGReadError(f"{label}: the waveform data do not match their {channels} channel definitions; the "
                           "file is damaged. Export it again.")
    leads: dict[str, np.ndarray] = {}
    for i, definition in enumerate(definitions):
        lead = _lead(definition)
        units = _units(definition)
        if units is None:
            raise ECGReadError(f"{label}: channel {i + 1} ({lead}) gives no usable sensitivity units (µV, mV or V); "
                               "its amplitudes cannot be converted. Export the file again.")
        if lead not in leads:
            leads[lead] = array[:, i] * units
    acquired = _acquired(ds)
    cart, statements = _annotations(ds)
    meta: dict[str, Any] = {"cart_measurements": cart, "cart_statements": statements, "device": _device(ds),
                            "acquired": acquired.isoformat() if acquired else None}
    notes = []
    sop = str(ds.get("SOPClassUID", ""))
    if sop and not sop.startswith("1.2.840.10008.5.1.4.1.1.9.1."):
        notes.append(f"The DICOM file is filed as {_sop_name(ds)} rather than an ECG waveform; it was read because "
                     "its channels are ECG leads.")
    return clinical.finish(leads, fs, name=name, fmt="dicom", identities=identities, age=_age(ds, acquired),
                           sex=clinical.sex_of(str(ds.get("PatientSex", "") or "")),
                           meta={k: v for k, v in meta.items() if v}, notes=notes)


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0][:120] if str(exc) else ""
    return text or type(exc).__name__


def _rhythm_group(groups: list) -> int:
    def rank(i: int) -> tuple:
        g = groups[i]
        label = str(g.get("MultiplexGroupLabel", "") or "").upper()
        original = str(g.get("WaveformOriginality", "") or "").upper() == "ORIGINAL"
        median = "MEDIAN" in label or "REPRESENTATIVE" in label
        samples = g.get("NumberOfWaveformSamples", 0) or 0
        return (not original or median, -int(samples) if isinstance(samples, int) else 0, i)
    return min(range(len(groups)), key=rank)


def _lead(definition: Any) -> str:
    """The canonical lead of a channel, or its label as given when it is not an ECG lead."""
    source = (definition.get("ChannelSourceSequence") or [None])[0]
    code = str(source.get("CodeValue", "") or "") if source is not None else ""
    meaning = str(source.get("CodeMeaning", "") or "") if source is not None else ""
    match = re.fullmatch(r"(?:5\.6\.3-9-|2:)(\d+)", code.strip())
    if match and int(match.group(1)) in _SCP:
        return _SCP[int(match.group(1))]
    for text in (meaning, str(definition.get("ChannelLabel", "") or ""), code):
        plain = re.sub(r"\(.*?\)", "", text).strip()
        plain = re.sub(r"^(lead|ecg|ekg|mdc_ecg_lead_)[\s_]*", "", plain, flags=re.IGNORECASE).strip()
        for lead in LEADS:
            if plain.upper() == lead.upper():
                return lead
    return meaning or code or "unnamed channel"


def _units(definition: Any) -> float | None:
    """µV per unit of `waveform_array`'s output for this channel."""
    units = definition.get("ChannelSensitivityUnitsSequence")
    if not units:
        return 1.0 if definition.get("ChannelSensitivity") is None else None
    code = str(units[0].get("CodeValue", "") or "").strip().lower()
    return _TO_UV.get(code)


def _annotations(ds: Any) -> tuple[dict[str, float], list[str]]:
    values: dict[str, float] = {}
    lines: list[str] = []
    for annotation in ds.get("WaveformAnnotationSequence") or []:
        text = annotation.get("UnformattedTextValue")
        if text:
            lines.append(str(text))
            continue
        concept = annotation.get("ConceptNameCodeSequence")
        number = clinical.number(annotation.get("NumericValue"))
        if not concept or number is None:
            continue
        key = _measurement(str(concept[0].get("CodeMeaning", "") or ""))
        if key and key not in values:
            values[key] = number
    if "HR" not in values and values.get("RR", 0) > 0:  # carts such as Mortara's code the RR interval (ms), not HR
        values["HR"] = round(60000.0 / values["RR"], 1)
    return clinical.cart_measurements(values), clinical.clean_statements(lines)


def _measurement(meaning: str) -> str | None:
    """Our key for a coded measurement's meaning: exact ("QT Interval"), or with a qualifier after it
    ("QTc Interval (Bazett)")."""
    text = " ".join(meaning.lower().split())
    for phrase in sorted(_MEANINGS, key=len, reverse=True):
        if text == phrase or text.startswith(phrase + " "):
            return _MEANINGS[phrase]
    return None


def _identities(ds: Any) -> list[str]:
    out: list[str] = []
    for keyword in ("PatientName", "PatientID", "OtherPatientIDs", "IssuerOfPatientID", "PatientBirthName"):
        value = ds.get(keyword)
        if value:
            out += [part for part in re.split(r"[\^=\\]", str(value)) if part]
    return out


def _acquired(ds: Any) -> datetime | None:
    for keyword in ("AcquisitionDateTime", "ContentDate", "StudyDate"):
        stamp = clinical.parse_timestamp(str(ds.get(keyword, "") or ""))
        if stamp is not None:
            return stamp
    return None


def _age(ds: Any, acquired: datetime | None) -> float | None:
    match = re.fullmatch(r"(\d{3})([DWMY])", str(ds.get("PatientAge", "") or "").strip())
    if match:
        unit = {"D": "days", "W": "weeks", "M": "months", "Y": "years"}[match.group(2)]
        return clinical.age_in_years(int(match.group(1)), unit)
    return clinical.age_at(clinical.parse_date(str(ds.get("PatientBirthDate", "") or "")), acquired)


def _device(ds: Any) -> str:
    parts = [str(ds.get(k, "") or "").strip() for k in ("Manufacturer", "ManufacturerModelName", "SoftwareVersions")]
    return ", ".join(p for p in parts if p)


def _sop_name(ds: Any) -> str:
    try:
        return f"{ds.SOPClassUID.name} ({ds.SOPClassUID})"
    except Exception:  # an unknown or malformed UID
        return str(ds.get("SOPClassUID", "another SOP class"))
