"""SCP-ECG records (EN 1064 / ISO 11073-91064), decoded here from the standard; no maintained Python reader exists.

Layout read: the record's CRC-CCITT (bytes 0-1, over bytes 2..end) and length (2-5); Section 0's pointers (id,
length, 1-based index) to the other sections, each with a 16-byte header; Section 1 (patient and acquisition
tags: age, sex, date and time, device; names and ids are skipped); Section 2 (Huffman tables: only the standard's
default table, code 19999, is supported); Section 3 (leads: sample range and lead code); Section 6 (rhythm data: AVM
in nV, sample interval in µs, difference encoding 0/1/2, bimodal flag, per-lead byte counts, then the data).

Without Section 2 the rhythm data are little-endian int16; with the default Huffman table they are a bit stream,
most significant bit first, where k ones, a zero and a sign bit code ±k (k = 1..8), a single zero codes 0, nine
ones and a zero escape to an 8-bit value, ten ones to a 16-bit value. First (second) differences are undone as
x[n] = d[n] + x[n-1] (x[n] = d[n] + 2 x[n-1] - x[n-2]). Records that need reference-beat subtraction or bimodal
compression are refused with a clear message, not decoded wrongly.
"""
from __future__ import annotations

import binascii
import struct
from datetime import datetime
from typing import Any

import numpy as np

from ecgcore.ecg import ECG
from ecgcore.errors import ECGReadError
from ecgcore.io import clinical, validate

#: SCP-ECG lead codes (Section 3) -> canonical lead
LEAD_CODES = {1: "I", 2: "II", 3: "V1", 4: "V2", 5: "V3", 6: "V4", 7: "V5", 8: "V6", 61: "III", 62: "aVR",
              63: "aVL", 64: "aVF"}
DEFAULT_HUFFMAN = 19999
_SEX = {1: "M", 2: "F"}
_AGE_UNITS = {1: 1.0, 2: 12.0, 3: 52.18, 4: 365.25, 5: 8766.0}
_IDENTITY_TAGS = (0, 1, 2, 3)  # last name, first name, patient id, second last name


class _Damaged(Exception):
    """Internal: the record's structure is inconsistent (turned into an ECGReadError with the file name)."""


def read_scp(data: bytes, *, name: str = "upload.scp") -> ECG:
    """A 12-lead ECG (mV, the record's rate and length) from the bytes of an SCP-ECG record. Raises `ECGReadError`."""
    try:
        return _read(data, name)
    except _Damaged as exc:
        raise ECGReadError(f"The file is not a readable SCP-ECG record ({exc}). Export it again from the cart.") \
            from None
    except (struct.error, IndexError, ValueError, OverflowError) as exc:
        if isinstance(exc, ECGReadError):
            raise
        raise ECGReadError(f"The file is not a readable SCP-ECG record (its sections are truncated or inconsistent: "
                           f"{type(exc).__name__}). Export it again from the cart.") from None


def _read(data: bytes, name: str) -> ECG:
    if len(data) < 6 + 16:
        raise _Damaged("too short for an SCP-ECG header")
    crc, length = struct.unpack_from("<HI", data, 0)
    if length != len(data):
        raise _Damaged(f"the record says it is {length} bytes long but the file has {len(data)}; it is truncated")
    if binascii.crc_hqx(data[2:], 0xFFFF) != crc:
        raise _Damaged("its CRC check fails, so the bytes were damaged")
    sections = _pointers(data)
    patient = _section1(data, sections.get(1))
    identities = patient.pop("identities")
    label = clinical.redact(name, identities)
    if 3 not in sections or 6 not in sections:
        raise ECGReadError(f"{label}: this SCP-ECG record has no rhythm data (Sections 3 and 6 are needed); it may "
                           "hold only measurements or a median beat. Export the full ECG.")
    huffman = _huffman_tables(data, sections.get(2))
    leads, simultaneous_ok = _section3(data, sections[3])
    if leads["subtraction"]:
        raise ECGReadError(f"{label} uses reference-beat subtraction (SCP-ECG Section 4), which this reader does "
                           "not decode. Export the ECG without compression, or as DICOM, XML or aECG.")
    rhythm = _section6(data, sections[6], leads["ranges"], huffman)
    counts = [end - start + 1 for start, end, _ in leads["ranges"]]
    out = {}
    for (start, end, code), values, count in zip(leads["ranges"], rhythm["leads"], counts):
        lead = LEAD_CODES.get(code, f"SCP lead code {code}")
        if lead not in out:
            out[lead] = values[:count] * rhythm["uv_per_unit"]
    notes = [] if simultaneous_ok else ["The SCP-ECG record does not flag its leads as recorded simultaneously."]
    meta = {"device": patient.pop("device", ""), "acquired": patient.pop("acquired", None)}
    return clinical.finish(out, rhythm["fs"], name=name, fmt="scp_ecg", identities=identities,
                           age=patient.get("age"), sex=patient.get("sex"),
                           meta={k: v for k, v in meta.items() if v}, notes=notes)


def _section(data: bytes, pointer: tuple[int, int], expected_id: int) -> bytes:
    """A section's body (after its 16-byte header), checked against its pointer."""
    length, index = pointer
    start = index - 1
    if start < 6 or length < 16 or start + length > len(data):
        raise _Damaged(f"Section {expected_id} points outside the record")
    section_id, section_length = struct.unpack_from("<HI", data, start + 2)
    if section_id != expected_id or section_length != length:
        raise _Damaged(f"Section {expected_id}'s header does not match its pointer")
    return data[start + 16:start + length]


def _pointers(data: bytes) -> dict[int, tuple[int, int]]:
    """Section id -> (length, 1-based index) from Section 0, for sections that are present."""
    section_id, length = struct.unpack_from("<HI", data, 8)
    if section_id != 0 or length < 16 or 6 + length > len(data):
        raise _Damaged("Section 0 (the section pointers) is missing")
    body = data[6 + 16:6 + length]
    out = {}
    for offset in range(0, len(body) - 9, 10):
        sid, slen, index = struct.unpack_from("<HII", body, offset)
        if slen > 0 and index > 0:
            out[sid] = (slen, index)
    return out


def _section1(data: bytes, pointer: tuple[int, int] | None) -> dict[str, Any]:
    """Age, sex, acquisition time and device from the patient tags; the names and ids only to redact them."""
    out: dict[str, Any] = {"identities": []}
    if pointer is None:
        return out
    body = _section(data, pointer, 1)
    offset = 0
    day = clock = birth = None
    while offset + 3 <= len(body):
        tag, size = body[offset], struct.unpack_from("<H", body, offset + 1)[0]
        value = body[offset + 3:offset + 3 + size]
        offset += 3 + size
        if tag == 255:
            break
        if tag in _IDENTITY_TAGS:
            out["identities"].append(value.split(b"\0")[0].decode("latin-1", "replace"))
        elif tag == 4 and len(value) >= 3:
            age, unit = struct.unpack_from("<HB", value)
            if unit in _AGE_UNITS and age:
                out["age"] = round(age / _AGE_UNITS[unit], 2)
        elif tag == 8 and value:
            out["sex"] = _SEX.get(value[0])
        elif tag == 5 and len(value) >= 4:
            birth = struct.unpack_from("<HBB", value)
        elif tag == 14 and len(value) >= 14:
            out["device"] = value[8:14].split(b"\0")[0].decode("latin-1", "replace").strip()  # model description
        elif tag == 25 and len(value) >= 4:
            day = struct.unpack_from("<HBB", value)
        elif tag == 26 and len(value) >= 3:
            clock = struct.unpack_from("<BBB", value)
    try:
        acquired = datetime(*day, *(clock or (0, 0, 0))) if day else None
        born = datetime(*birth) if birth and birth[0] else None
    except ValueError:
        acquired = born = None
    if acquired:
        out["acquired"] = acquired.isoformat()
    if "age" not in out:
        out["age"] = clinical.age_at(born, acquired)
    return out


def _huffman_tables(data: bytes, pointer: tuple[int, int] | None) -> bool:
    """True when the rhythm data are Huffman-coded with the default table; False when uncompressed."""
    if pointer is None:
        return False
    body = _section(data, pointer, 2)
    if len(body) < 2:
        raise _Damaged("Section 2 (Huffman tables) is empty")
    if struct.unpack_from("<H", body)[0] != DEFAULT_HUFFMAN:
        raise ECGReadError("This SCP-ECG record uses its own Huffman tables; only the standard's default table is "
                           "decoded here. Export the ECG with the default table, or as DICOM, XML or aECG.")
    return True


def _section3(data: bytes, pointer: tuple[int, int]) -> tuple[dict[str, Any], bool]:
    body = _section(data, pointer, 3)
    count, flags = body[0], body[1]
    if count == 0 or len(body) < 2 + 9 * count:
        raise _Damaged("Section 3 (lead definitions) is empty or truncated")
    ranges = []
    for i in range(count):
        start, end, code = struct.unpack_from("<IIB", body, 2 + 9 * i)
        if start == 0:  # some writers number samples from 0 with an exclusive end, not from 1 inclusive
            start, end = 1, end
        if end < start or end - start + 1 > validate.MAX_VALUES // count:
            raise _Damaged("Section 3 gives an impossible sample range")
        ranges.append((start, end, code))
    return {"subtraction": bool(flags & 0x01), "ranges": ranges}, bool(flags & 0x04)


def _section6(data: bytes, pointer: tuple[int, int], ranges: list, huffman: bool) -> dict[str, Any]:
    body = _section(data, pointer, 6)
    avm, interval, difference, bimodal = struct.unpack_from("<HHBB", body)
    if avm == 0 or interval == 0:
        raise _Damaged("Section 6 gives no amplitude or sampling interval")
    if bimodal:
        raise ECGReadError("This SCP-ECG record uses bimodal compression, which this reader does not decode. "
                           "Export the ECG without compression, or as DICOM, XML or aECG.")
    if difference not in (0, 1, 2):
        raise _Damaged(f"Section 6 gives an unknown difference encoding ({difference})")
    sizes = struct.unpack_from(f"<{len(ranges)}H", body, 6)
    offset = 6 + 2 * len(ranges)
    leads = []
    for size, (start, end, _) in zip(sizes, ranges):
        chunk = body[offset:offset + size]
        offset += size
        if len(chunk) != size:
            raise _Damaged("Section 6's lead data are shorter than announced")
        count = end - start + 1
        values = _huffman_default(chunk, count) if huffman else np.frombuffer(chunk[:2 * count], dtype="<i2")
        if len(values) < count:
            raise _Damaged(f"a lead holds {len(values)} samples where Section 3 announces {count}")
        leads.append(_undifference(np.asarray(values[:count], dtype=np.int64), difference).astype(np.float64))
    return {"leads": leads, "uv_per_unit": avm / 1000.0, "fs": 1e6 / interval}


def _huffman_default(chunk: bytes, count: int) -> np.ndarray:
    """Up to `count` values from a bit stream coded with SCP-ECG's default Huffman table (see the module doc)."""
    bits = "".join(f"{b:08b}" for b in chunk)
    out = np.zeros(count, dtype=np.int64)
    i = n = 0
    total = len(bits)
    while n < count and i < total:
        zero = bits.find("0", i, i + 10)
        ones = 10 if zero < 0 else zero - i
        if ones <= 8:
            if ones == 0:
                value, i = 0, i + 1
            else:
                if i + ones + 2 > total:
                    break
                value = -ones if bits[i + ones + 1] == "1" else ones
                i += ones + 2
        else:
            width = 8 if ones == 9 else 16
            start = i + 10
            if start + width > total:
                break
            value = int(bits[start:start + width], 2)
            if value >= 1 << (width - 1):
                value -= 1 << width
            i = start + width
        out[n] = value
        n += 1
    return out[:n]


def _undifference(values: np.ndarray, difference: int) -> np.ndarray:
    if difference == 0 or len(values) < difference:
        return values
    out = values.copy()
    if difference == 1:
        return np.cumsum(out)
    for n in range(2, len(out)):
        out[n] = out[n] + 2 * out[n - 1] - out[n - 2]
        if abs(out[n]) > 1 << 40:
            raise _Damaged("the second differences run away; the data are damaged")
    return out
