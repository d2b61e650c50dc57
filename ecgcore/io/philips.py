"""Philips Sierra / PageWriter / TraceMaster ECG XML (`<restingecgdata>`, SierraECG 1.03 to PhilipsECG 1.04.02).

The waveforms (`<parsedwaveforms>`, base64, usually XLI-compressed: per-lead LZW chunks of second differences) are
decoded by the `sierraecg` package, which also rebuilds III, aVR, aVL and aVF from I and II (the file stores them as
residuals). Values are scaled by `<signalcharacteristics>`'s `resolution` / `signalresolution` (µV per unit, 5 in
every sample file) at its `samplingrate`. Files may be ASCII or UTF-16 with a BOM; the XML parser reads both.

Checked against the HL7 aECG export of the same ECG (`hl7_aecg/ad4d3d80-d165_1-04_converted.xml`): the two agree
within 20 µV (4 units of 5 µV) sample for sample, correlation > 0.99 per lead (the aECG lacks the calibration pulse); see tests/test_io_formats.py.

The cart's global measurements come from the interpretation (`globalmeasurements` in 1.04,
`interpretationmeasurements` in 1.03), else the acquisition's global measurements; statements are the
interpretation's left-hand statements followed by its severity line. Age (years, or from the birth date at the
recording date; never the `defaultage`), sex and acquisition time are kept; names, ids and the birth date are not.
"""
from __future__ import annotations

import io
import warnings
from datetime import datetime
from xml.etree.ElementTree import Element

import numpy as np
import sierraecg

from ecgcore.ecg import ECG
from ecgcore.errors import ECGReadError
from ecgcore.io import clinical
from ecgcore.io.clinical import child, children, descendants, local, number, text

WHAT = "a Philips XML ECG"
_MEASUREMENTS = {"HR": ("heartrate", "meanventrate"), "PR": ("print", "meanprint"), "QRS": ("qrsdur", "meanqrsdur"),
                 "QT": ("qtint", "meanqtint"), "QTc": ("qtcb", "meanqtc", "qtc"), "P_axis": ("pfrontaxis",),
                 "QRS_axis": ("qrsfrontaxis",), "T_axis": ("tfrontaxis",)}
_IDENTITY_TAGS = ("patientid", "uniquepatientid", "MRN", "lastname", "firstname", "middlename")


def is_philips(root: Element) -> bool:
    return local(root.tag) == "restingecgdata"


def read_philips(data: bytes, *, name: str = "upload.xml") -> ECG:
    """A 12-lead ECG (mV, the file's rate and length) from the bytes of a Philips XML ECG. Raises `ECGReadError`."""
    root = clinical.parse_xml(data, name, WHAT)
    if not is_philips(root):
        raise ECGReadError(f"The file is XML but not a Philips ECG (its root element is <{local(root.tag)}>, not "
                           "<restingecgdata>).")
    patient = next(descendants(root, "generalpatientdata"), None)
    identities = [(e.text or "") for tag in _IDENTITY_TAGS for e in (descendants(patient, tag) if patient is not None else [])]
    label = clinical.redact(name, identities)
    signal = next(descendants(root, "signalcharacteristics"), None)
    resolution = number(text(signal, "resolution") or text(signal, "signalresolution"))
    if resolution is None or not 0 < resolution <= 1000:
        raise ECGReadError(f"{label}: the Philips XML gives no usable signal resolution (µV per unit) in "
                           "<signalcharacteristics>. Export the ECG again.")
    leads, fs = _waveforms(data, label)
    acquisition = next(descendants(root, "dataacquisition"), None)
    acquired = _acquired(acquisition)
    interpretation = next(descendants(root, "interpretation"), None)
    meta = {"cart_measurements": _measurements(root, interpretation),
            "cart_statements": _statements(interpretation),
            "device": _device(acquisition), "acquired": acquired.isoformat() if acquired else None}
    return clinical.finish({lab: v * resolution for lab, v in leads.items()}, fs, name=name, fmt="philips_xml",
                           identities=identities, age=_age(patient, acquired),
                           sex=clinical.sex_of(text(patient, "sex")), meta={k: v for k, v in meta.items() if v})


def _waveforms(data: bytes, label: str) -> tuple[dict[str, np.ndarray], float]:
    """Lead label -> samples (file units, float64), and the rate in Hz, decoded by `sierraecg`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # int16 overflow in a damaged file ends in the amplitude checks
            parsed = sierraecg.read_file(io.BytesIO(data))
    except Exception as exc:  # the package raises its own errors, and IndexError/ValueError on damaged data
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise ECGReadError(f"{label}: the Philips waveforms cannot be decoded ({reason}). The file is damaged or "
                           "of an unsupported version (1.03 to 1.04.02 are read). Export it again.") from None
    leads: dict[str, np.ndarray] = {}
    rates = set()
    for lead in parsed.leads:
        if lead.label not in leads:
            leads[lead.label] = np.asarray(lead.samples, dtype=np.float64)
            rates.add(lead.sampling_freq)
    if len(rates) != 1:
        raise ECGReadError(f"{label}: the Philips XML holds no waveforms with one sampling rate. Export the ECG "
                           "again with its rhythm data.")
    return leads, float(rates.pop())


def _measurements(root: Element, interpretation: Element | None) -> dict[str, float]:
    candidates = [child(interpretation, "globalmeasurements"), child(interpretation, "interpretationmeasurements"),
                  next(descendants(root, "globalmeasurements"), None),
                  next(descendants(root, "crossleadmeasurements"), None)]
    for element in candidates:
        if element is None:
            continue
        values = {}
        for key, tags in _MEASUREMENTS.items():
            for tag in tags:
                value = number(text(element, tag))
                if value is not None:
                    values[key] = value
                    break
        found = clinical.cart_measurements(values)
        if found:
            return found
    return {}


def _statements(interpretation: Element | None) -> list[str]:
    if interpretation is None:
        return []
    lines = [text(stmt, "leftstatement") for stmt in children(interpretation, "statement")]
    severity = text(interpretation, "severity").strip(" -")
    return clinical.clean_statements(lines + [severity])


def _acquired(acquisition: Element | None) -> datetime | None:
    if acquisition is None:
        return None
    try:
        return datetime.fromisoformat(f"{acquisition.get('date', '')}T{acquisition.get('time', '')}")
    except ValueError:
        return None


def _age(patient: Element | None, acquired: datetime | None) -> float | None:
    years = number(text(patient, "age", "years"))
    if years is not None:
        return years
    return clinical.age_at(clinical.parse_date(text(patient, "age", "dateofbirth")), acquired)


def _device(acquisition: Element | None) -> str:
    machine = child(acquisition, "machine")
    if machine is None:
        return ""
    return ", ".join(p for p in ((machine.text or "").strip(), (machine.get("detaildescription") or "").strip()) if p)
