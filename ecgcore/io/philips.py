"""Philips Sierra / PageWriter / TraceMaster ECG XML (`<restingecgdata>`, SierraECG 1.03 to PhilipsECG 1.04.02).

The waveforms (`<parsedwaveforms>`, base64, usually XLI-compressed: per-lead LZW chunks of second differences) are
decoded with the `sierraecg` package's LZW decoder and delta reconstruction, driven here so that no chunk may
decompress to more than its lead's announced samples (`sierraecg.read_file` has no such bound). III, aVR, aVL and aVF are stored as residuals and rebuilt from I and II as `sierraecg` does. Values
are scaled by the `resolution` (µV per unit, 5 in every sample file) at `samplespersecond` of `<parsedwaveforms>`,
else of `<signalcharacteristics>` (`samplingrate`, `resolution`/`signalresolution`, version 1.03). Files may be
ASCII or UTF-16 with a BOM; the XML parser reads both.

Checked against the HL7 aECG export of the same ECG (`hl7_aecg/ad4d3d80-d165_1-04_converted.xml`): the two agree
within 20 µV (4 units of 5 µV) sample for sample, correlation > 0.99 per lead (the aECG lacks the calibration
pulse); see tests/test_io_formats.py.

The cart's global measurements come from the interpretation (`globalmeasurements` in 1.04,
`interpretationmeasurements` in 1.03), else the acquisition's global measurements; statements are the
interpretation's statements (the left-hand text, " — " and the right-hand criterion where there is one, e.g.
"Sinus bradycardia — rate< 50") followed by its severity line. Age (years, or from the birth date at the
recording date; never the `defaultage`), sex and acquisition time are kept; names, ids and the birth date are not.
"""
from __future__ import annotations

import binascii
import struct
import warnings
from datetime import datetime
from xml.etree.ElementTree import Element

import numpy as np
from sierraecg.lzw import LzwDecoder
from sierraecg.xli import xli_decode_deltas

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGReadError
from ecgcore.io import clinical, validate
from ecgcore.io.clinical import child, children, descendants, number, text
from ecgcore.core.leads import LEADS

WHAT = "a Philips XML ECG"
_MEASUREMENTS = {"HR": ("heartrate", "meanventrate"), "PR": ("print", "meanprint"), "QRS": ("qrsdur", "meanqrsdur"),
                 "QT": ("qtint", "meanqtint"), "QTc": ("qtcb", "meanqtc", "qtc"), "P_axis": ("pfrontaxis",),
                 "QRS_axis": ("qrsfrontaxis",), "T_axis": ("tfrontaxis",)}
_IDENTITY_TAGS = ("patientid", "uniquepatientid", "MRN", "lastname", "firstname", "middlename")


def read_philips(data: bytes, *, name: str = "upload.xml") -> ECG:
    """A 12-lead ECG (mV, the file's rate and length) from the bytes of a Philips XML ECG. Raises `ECGReadError`."""
    root = clinical.parse_root(data, name, WHAT, "restingecgdata")
    patient = next(descendants(root, "generalpatientdata"), None)
    found = [e for tag in _IDENTITY_TAGS for e in descendants(patient, tag)] if patient is not None else []
    identities = [e.text or "" for e in found]
    label = clinical.redact(name, identities)
    signal = next(descendants(root, "signalcharacteristics"), None)
    leads, fs, resolution = _waveforms(root, signal, label)
    acquisition = next(descendants(root, "dataacquisition"), None)
    acquired = _acquired(acquisition)
    interpretation = next(descendants(root, "interpretation"), None)
    meta = {"cart_measurements": _measurements(root, interpretation),
            "cart_statements": _statements(interpretation),
            "device": _device(acquisition), "acquired": acquired.isoformat() if acquired else None}
    return clinical.finish({lab: v * resolution for lab, v in leads.items()}, fs, name=name, fmt="philips_xml",
                           identities=identities, age=_age(patient, acquired),
                           sex=clinical.sex_of(text(patient, "sex")), meta={k: v for k, v in meta.items() if v})


def _waveforms(root: Element, signal: Element | None, label: str) -> tuple[dict[str, np.ndarray], float, float]:
    """Lead label -> samples (file units, float64), the rate in Hz and the resolution in µV per unit."""
    waveforms = next(descendants(root, "parsedwaveforms"), None)
    if waveforms is None:
        raise ECGReadError(f"{label}: the Philips XML holds no <parsedwaveforms> (no rhythm data). Export the ECG "
                           "again with its waveforms.")
    rate = number(waveforms.get("samplespersecond")) or number(text(signal, "samplingrate"))
    resolution = number(waveforms.get("resolution")) or number(text(signal, "resolution")) \
        or number(text(signal, "signalresolution"))
    duration = number(waveforms.get("durationperchannel"))
    if not rate or not duration or rate <= 0 or duration <= 0 or not resolution or not 0 < resolution <= 1000:
        raise ECGReadError(f"{label}: the Philips XML does not give a usable sampling rate, duration and resolution "
                           "(µV per unit) for its waveforms. Export the ECG again.")
    samples = int(round(duration * rate / 1000))
    labels = _labels(waveforms, signal)
    validate.check_length(samples, len(labels), rate)
    if (waveforms.get("dataencoding") or "Base64") != "Base64":
        raise ECGReadError(f"{label}: the waveforms are encoded as {waveforms.get('dataencoding')!r}; only Base64 "
                           "is read. Export the ECG again.")
    try:
        raw = clinical.base64_bytes(waveforms.text)
    except (binascii.Error, ValueError):
        raise ECGReadError(f"{label}: the waveform data are not valid base64; the file is damaged. Export it "
                           "again.") from None
    method = waveforms.get("compressmethod") or waveforms.get("compression") or "Uncompressed"
    if method == "XLI":
        stored = _xli(raw, len(labels), samples, label)
    elif method == "Uncompressed":
        if len(raw) < 2 * samples * len(labels):
            raise ECGReadError(f"{label}: the uncompressed waveforms are shorter than announced; the file is "
                               "truncated. Export it again.")
        flat = np.frombuffer(raw[:2 * samples * len(labels)], dtype="<i2").astype(np.int64)
        stored = list(flat.reshape(len(labels), samples))
    else:
        raise ECGReadError(f"{label}: the waveforms use {method!r} compression; XLI and uncompressed data are read. "
                           "Export the ECG again.")
    leads = dict(zip(labels, stored))
    if all(lead in leads for lead in ("I", "II", "III", "aVR", "aVL", "aVF")):
        _rebuild_limb_leads(leads)
    return {lab: v.astype(np.float64) for lab, v in leads.items()}, float(rate), float(resolution)


def _labels(waveforms: Element, signal: Element | None) -> list[str]:
    """Lead labels: `leadlabels` (1.04), else the standard 12 for a 12-lead acquisition (1.03), as sierraecg does."""
    given = (waveforms.get("leadlabels") or "").split()
    count = int(number(waveforms.get("numberofleads")) or len(given) or 0)
    if given:
        return given[:count or len(given)]
    channels = int(number(text(signal, "numberchannelsallocated")) or 12)
    if text(signal, "acquisitiontype") in ("STD-12", "10-WIRE") and channels <= 12:
        return list(LEADS[:channels])
    return [f"Channel {i + 1}" for i in range(min(channels, 64))]


def _xli(raw: bytes, n_leads: int, samples: int, label: str) -> list[np.ndarray]:
    """XLI chunks (int32 size, int16 code, int16 start value, then 10-bit LZW of the packed second differences),
    decoded with sierraecg's `LzwDecoder` and `xli_decode_deltas`. Each chunk may decompress to at most its
    lead's announced samples: a crafted chunk could otherwise expand some 600-fold and hold the server."""
    cap = 2 * samples + 1
    leads, offset = [], 0
    while offset < len(raw) and len(leads) < n_leads:
        if offset + 8 > len(raw):
            break
        size, _, start = struct.unpack_from("<ihh", raw, offset)
        offset += 8
        if size <= 0 or offset + size > len(raw):
            raise ECGReadError(f"{label}: an XLI chunk of the waveforms runs past the end of the data; the file is "
                               "damaged or truncated. Export it again.")
        decoder = LzwDecoder(raw[offset:offset + size], bits=10)
        offset += size
        buffer: list[int] = []
        while len(buffer) < cap and (byte := decoder.read()) != -1:
            buffer.append(byte & 0xFF)
        if len(buffer) >= cap:
            raise ECGReadError(f"{label}: an XLI chunk decompresses to more than its lead's {samples} samples; the "
                               "file is damaged. Export it again.")
        if len(buffer) % 2:
            buffer.append(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                leads.append(np.asarray(xli_decode_deltas(buffer, start), dtype=np.int64))
            except (OverflowError, IndexError, ValueError):
                raise ECGReadError(f"{label}: an XLI chunk holds values outside 16 bits; the file is damaged. "
                                   "Export it again.") from None
    if len(leads) < n_leads:
        raise ECGReadError(f"{label}: the waveforms hold {len(leads)} XLI chunks for {n_leads} leads; the file is "
                           "damaged or truncated. Export it again.")
    return leads


def _rebuild_limb_leads(leads: dict[str, np.ndarray]) -> None:
    """III, aVR, aVL and aVF from I, II and the stored residuals (in place), as sierraecg's `read_file` does."""
    lead_i, lead_ii = leads["I"], leads["II"]
    leads["III"] = lead_ii - lead_i - leads["III"]
    leads["aVR"] = -leads["aVR"] - np.floor_divide(lead_i + lead_ii, 2)
    leads["aVL"] = np.floor_divide(lead_i - leads["III"], 2) - leads["aVL"]
    leads["aVF"] = np.floor_divide(lead_ii + leads["III"], 2) - leads["aVF"]


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
    # a statement prints as its left text and, beside it, the criterion it rests on ("rate< 50"): keep both
    lines = [" — ".join(part for part in (text(stmt, "leftstatement"), text(stmt, "rightstatement")) if part)
             for stmt in children(interpretation, "statement")]
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
