"""SCP-ECG records (EN 1064 / ISO 11073-91064), decoded here from the standard; no maintained Python reader exists.

Layout read: the record's CRC-CCITT (bytes 0-1, over bytes 2..end) and length (2-5); Section 0's pointers (id,
length, 1-based index) to the other sections, each with a 16-byte header; Section 1 (patient and acquisition
tags: age, sex, date and time, device; names and ids are skipped); Section 2 (Huffman tables: the standard's
default table for code 19999, else the record's own tables, with table switching); Section 3 (leads: sample range
and lead code; flag bit 0 = reference-beat subtraction); Sections 4 and 5 (QRS locations and the reference beat,
added back where it was subtracted); Section 6 (rhythm data: AVM in nV, sample interval in µs, difference encoding
0/1/2, bimodal flag, per-lead byte counts, then the data); Section 7 (the cart's global measurements).

Without Section 2 the data are little-endian int16; with it they are a bit stream, most significant bit first,
decoded code by code (a prefix, then as many bits as the code's total length leaves, read as a signed value).
First (second) differences are undone as x[n] = d[n] + x[n-1] (x[n] = d[n] + 2 x[n-1] - x[n-2]). Bimodal
compression (the signal between QRS complexes stored at a lower rate) is refused with a clear message, not
guessed: no sample file has it, and a wrong interpolation would pass unnoticed.
"""
from __future__ import annotations

import binascii
import struct
from datetime import datetime
from typing import Any

import numpy as np

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGReadError
from ecgcore.io import clinical, validate

#: SCP-ECG lead codes (Section 3) -> canonical lead
LEAD_CODES = {1: "I", 2: "II", 3: "V1", 4: "V2", 5: "V3", 6: "V4", 7: "V5", 8: "V6", 61: "III", 62: "aVR",
              63: "aVL", 64: "aVF"}
DEFAULT_HUFFMAN = 19999
_SEX = {1: "M", 2: "F"}
_AGE_UNITS = {1: "years", 2: "months", 3: "weeks", 4: "days", 5: "hours"}
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
    length_note = None
    if length != len(data):
        layout = _layout(data)
        if layout == "zero-based":
            raise ECGReadError(
                f"{clinical.redact(name, [])}: this is a non-standard SCP-ECG variant, not a truncated file: its "
                "sections are complete, but its writer places them by 0-based offsets and does not give the file's "
                "length, as EN 1064 requires (Healforce handheld recorders, e.g. the Prince 180D, write such files, "
                "with their leads interleaved in one stream of packed samples). This reader decodes standard "
                "SCP-ECG only. Export the recording from the device's PC software in another format (PDF/CSV "
                "values, DICOM or HL7 aECG), or convert it with a decoder for that vendor's variant.")
        if layout != "complete" or length < len(data):
            raise _Damaged(f"the record says it is {length} bytes long but the file has {len(data)}"
                           + ("; it is truncated" if length > len(data) else ""))
        length_note = (f"The record's length field says {length} bytes but the file has {len(data)}; every section "
                       "it points to is complete, so it was read as it is.")
    if binascii.crc_hqx(data[2:], 0xFFFF) != crc:
        raise _Damaged("its CRC check fails, so the bytes were damaged")
    sections = _pointers(data)
    patient = _section1(data, sections.get(1))
    identities = patient.pop("identities")
    label = clinical.redact(name, identities)
    if 3 not in sections or 6 not in sections:
        raise ECGReadError(f"{label}: this SCP-ECG record has no rhythm data (Sections 3 and 6 are needed); it may "
                           "hold only measurements or a median beat. Export the full ECG.")
    tables = _huffman_tables(data, sections.get(2))
    leads, simultaneous_ok = _section3(data, sections[3])
    rhythm = _section6(data, sections[6], leads["ranges"], tables)
    if leads["subtraction"]:
        _add_reference_beats(data, sections, leads["ranges"], rhythm, tables)
    out = {}
    for (_, _, code), values in zip(leads["ranges"], rhythm["leads"]):
        lead = LEAD_CODES.get(code, f"SCP lead code {code}")
        if lead not in out:
            out[lead] = values
    notes = [] if simultaneous_ok else ["The SCP-ECG record does not flag its leads as recorded simultaneously."]
    if length_note:
        notes.append(length_note)
    meta = {"device": patient.pop("device", ""), "acquired": patient.pop("acquired", None),
            "cart_measurements": _section7(data, sections.get(7))}
    return clinical.finish(out, rhythm["fs"], name=name, fmt="scp_ecg", identities=identities,
                           age=patient.get("age"), sex=patient.get("sex"),
                           meta={k: v for k, v in meta.items() if v}, notes=notes)


def _layout(data: bytes) -> str:
    """Where Section 0's pointers lead: "complete" (every section's 16-byte header is at its 1-based index, as
    EN 1064 says, and within the file), "zero-based" (every header is at the index read as a 0-based offset: a
    non-standard writer), else "broken" (pointers past the end of the file: truncated, or damaged)."""
    try:
        entries = _pointers(data)
    except (_Damaged, struct.error):
        return "broken"

    def at(offset: int, sid: int, length: int, exact: bool = True) -> bool:
        if offset < 0 or offset + max(length, 16) > len(data):
            return False
        found_id, found_length = struct.unpack_from("<HI", data, offset + 2)
        return found_id == sid and (found_length == length or not exact)

    if entries and all(at(index - 1, sid, length) for sid, (length, index) in entries.items()):
        return "complete"
    if len(entries) > 2 and all(at(index, sid, length, exact=False) for sid, (length, index) in entries.items()):
        return "zero-based"  # the section ids sit at 0-based offsets (lengths may disagree, e.g. Healforce's Section 6)
    return "broken"


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
                out["age"] = clinical.age_in_years(age, _AGE_UNITS[unit])
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


#: the standard's default Huffman table: (prefix bits, total bits, mode switch, base value, base code), where the
#: base code holds the prefix with its first transmitted bit in the least significant bit
DEFAULT_TABLE = ((1, 1, 1, 0, 0), (3, 3, 1, 1, 1), (3, 3, 1, -1, 5), (4, 4, 1, 2, 3), (4, 4, 1, -2, 11),
                 (5, 5, 1, 3, 7), (5, 5, 1, -3, 23), (6, 6, 1, 4, 15), (6, 6, 1, -4, 47), (7, 7, 1, 5, 31),
                 (7, 7, 1, -5, 95), (8, 8, 1, 6, 63), (8, 8, 1, -6, 191), (9, 9, 1, 7, 127), (9, 9, 1, -7, 383),
                 (10, 10, 1, 8, 255), (10, 10, 1, -8, 767), (10, 18, 1, 0, 511), (10, 26, 1, 0, 1023))

_Table = dict  # (prefix length, prefix read most significant bit first) -> (total bits, mode switch, base value)


def _build_table(entries) -> _Table:
    table: _Table = {}
    for prefix, total, mode, value, code in entries:
        if not 1 <= prefix <= 32 or total < prefix or total - prefix > 32:
            raise _Damaged("Section 2 holds an impossible Huffman code")
        msb_first = int(f"{code & ((1 << prefix) - 1):0{prefix}b}"[::-1], 2)  # first sent bit stored in the LSB
        table[(prefix, msb_first)] = (total, mode, value)
    return table


def _huffman_tables(data: bytes, pointer: tuple[int, int] | None) -> list[_Table] | None:
    """The Huffman tables of Section 2 (the default table for code 19999), or None for uncompressed data."""
    if pointer is None:
        return None
    body = _section(data, pointer, 2)
    if len(body) < 2:
        raise _Damaged("Section 2 (Huffman tables) is empty")
    count = struct.unpack_from("<H", body)[0]
    if count == DEFAULT_HUFFMAN:
        return [_build_table(DEFAULT_TABLE)]
    if count == 0 or count > 256:
        raise _Damaged(f"Section 2 announces {count} Huffman tables")
    tables, offset = [], 2
    for _ in range(count):
        structures = struct.unpack_from("<H", body, offset)[0]
        offset += 2
        entries = [struct.unpack_from("<BBBhI", body, offset + 9 * k) for k in range(structures)]
        offset += 9 * structures
        tables.append(_build_table(entries))
    return tables


def _huffman_decode(chunk: bytes, count: int, tables: list[_Table]) -> np.ndarray:
    """Up to `count` values from a Huffman bit stream (most significant bit first), starting with table 1; a
    code whose mode switch is 0 selects table (base value) for what follows."""
    bits = np.unpackbits(np.frombuffer(chunk, dtype=np.uint8)).tolist()
    total_bits = len(bits)
    longest = [max(p for p, _ in t) for t in tables]
    table, limit = tables[0], longest[0]
    out = np.zeros(count, dtype=np.int64)
    i = n = 0
    while n < count and i < total_bits:
        acc = length = 0
        entry = None
        while entry is None:
            if i >= total_bits:
                return out[:n]
            acc = (acc << 1) | bits[i]
            i += 1
            length += 1
            entry = table.get((length, acc))
            if entry is None and length >= limit:
                raise _Damaged("the rhythm data hold a bit pattern that is not a code of their Huffman table")
        total, mode, value = entry
        if mode == 0:
            if not 1 <= value <= len(tables):
                raise _Damaged(f"a Huffman code switches to table {value}, which does not exist")
            table, limit = tables[value - 1], longest[value - 1]
            continue
        width = total - length
        if width:
            if i + width > total_bits:
                break
            value = 0
            for bit in bits[i:i + width]:
                value = (value << 1) | bit
            if value >= 1 << (width - 1):
                value -= 1 << width
            i += width
        out[n] = value
        n += 1
    return out[:n]


def _decode_leads(body: bytes, offset: int, sizes: tuple[int, ...], counts: list[int],
                  tables: list[_Table] | None, difference: int, what: str) -> list[np.ndarray]:
    """Each lead's values (file units) from consecutive byte blocks of `sizes`, `counts` values each."""
    leads = []
    for size, count in zip(sizes, counts):
        chunk = body[offset:offset + size]
        offset += size
        if len(chunk) != size:
            raise _Damaged(f"{what}'s lead data are shorter than announced")
        values = _huffman_decode(chunk, count, tables) if tables else np.frombuffer(chunk[:2 * count], dtype="<i2")
        if len(values) < count:
            raise _Damaged(f"a lead of {what} holds {len(values)} samples where {count} are announced")
        leads.append(_undifference(np.asarray(values[:count], dtype=np.int64), difference).astype(np.float64))
    return leads


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


def _section6(data: bytes, pointer: tuple[int, int], ranges: list, tables: list[_Table] | None) -> dict[str, Any]:
    body = _section(data, pointer, 6)
    avm, interval, difference, bimodal = struct.unpack_from("<HHBB", body)
    if avm == 0 or interval == 0:
        raise _Damaged("Section 6 gives no amplitude or sampling interval")
    if bimodal:
        raise ECGReadError("This SCP-ECG record uses bimodal compression (the signal between QRS complexes stored "
                           "at a lower rate), which this reader does not decode. Export the ECG without "
                           "compression, or as DICOM, XML or aECG.")
    if difference not in (0, 1, 2):
        raise _Damaged(f"Section 6 gives an unknown difference encoding ({difference})")
    sizes = struct.unpack_from(f"<{len(ranges)}H", body, 6)
    counts = [end - start + 1 for start, end, _ in ranges]
    sizes = _byte_counts(sizes, counts, len(body) - 6 - 2 * len(ranges), tables)
    leads = _decode_leads(body, 6 + 2 * len(ranges), sizes, counts, tables, difference, "Section 6")
    return {"leads": [lead * (avm / 1000.0) for lead in leads], "fs": 1e6 / interval, "interval": interval}


def _byte_counts(sizes: tuple[int, ...], counts: list[int], available: int,
                 tables: list[_Table] | None) -> tuple[int, ...]:
    """Section 6's per-lead byte counts, corrected where a lead holds more than 32,767 samples.

    EN 1064 gives each lead's byte count 16 bits, so a lead of more than 32,767 uncompressed 16-bit samples
    (65,535 bytes) cannot state its size: writers store it modulo 65,536. Uncompressed data need 2 bytes per
    sample, so the true count is 2 x samples whenever that agrees with the stored one modulo 65,536 and the
    section holds the bytes. Huffman-coded data have no fixed size per sample: such a record is refused saying
    so, never decoded from the wrong offsets."""
    if not any(2 * c > 0xFFFF for c in counts):
        return sizes
    if tables is None:
        fixed = tuple(2 * c if 2 * c > 0xFFFF and (2 * c) % 0x10000 == size else size
                      for size, c in zip(sizes, counts))
        if sum(fixed) <= available:
            return fixed
    raise ECGReadError(f"This SCP-ECG record's leads hold {max(counts):,} samples each, more than the 16-bit byte "
                       "counts of its Section 6 can state, and its data are Huffman-coded, so where each lead "
                       "starts cannot be known. Export the record in shorter parts (up to 32,767 samples per lead), "
                       "or without compression, or as DICOM or HL7 aECG.")


def _add_reference_beats(data: bytes, sections: dict, ranges: list, rhythm: dict[str, Any],
                         tables: list[_Table] | None) -> None:
    """Undo reference-beat subtraction: add the Section 5 beat back over each type-0 QRS of Section 4 (µV, in place).

    Section 4: beat length (ms), the beat's fiducial sample (1-based), the number of QRS complexes, then per complex
    its type, subtraction start, fiducial and end samples (1-based, of the rhythm). Section 5: AVM (nV), interval
    (µs), difference encoding, a reserved byte, per-lead byte counts, then the beats.
    """
    if 4 not in sections or 5 not in sections:
        raise _Damaged("reference-beat subtraction is flagged but Section 4 or 5 is missing")
    qrs = _section(data, sections[4], 4)
    length_ms, first_fiducial, n_qrs = struct.unpack_from("<HHH", qrs)
    complexes = [struct.unpack_from("<HIII", qrs, 6 + 14 * k) for k in range(n_qrs)]
    beat = _section(data, sections[5], 5)
    avm, interval, difference = struct.unpack_from("<HHB", beat)
    if avm == 0 or interval != rhythm["interval"] or difference not in (0, 1, 2):
        raise _Damaged("the reference beat (Section 5) has no amplitude, another sampling interval than the rhythm, "
                       "or an unknown difference encoding")
    sizes = struct.unpack_from(f"<{len(ranges)}H", beat, 6)
    n_beat = int(round(length_ms * 1000 / interval))
    medians = _decode_leads(beat, 6 + 2 * len(ranges), sizes, [n_beat] * len(ranges), tables, difference,
                            "Section 5")
    for lead, median, (lead_start, _, _) in zip(rhythm["leads"], medians, ranges):
        median = median * (avm / 1000.0)
        for kind, start, fiducial, end in complexes:
            if kind != 0:
                continue
            first = start - lead_start
            first_median = first_fiducial - fiducial + start - 1
            stop = min(end - lead_start + 1, len(lead), first + len(median) - first_median)
            if first >= 0 and first_median >= 0 and stop > first:
                lead[first:stop] += median[first_median:first_median + stop - first]


#: Section 7 marks a value it does not have with 29999 (undefined) or 29998 (not calculated) and above
_UNDEFINED = 29998


def _section7(data: bytes, pointer: tuple[int, int] | None) -> dict[str, float]:
    """The cart's global measurements: from the first reference beat's P onset/offset, QRS onset/offset and
    T offset (ms) and its P, QRS and T axes (degrees), and the average RR interval (ms) for the heart rate."""
    if pointer is None:
        return {}
    body = _section(data, pointer, 7)
    if len(body) < 6 + 16:
        return {}
    _, _, rr, _ = struct.unpack_from("<BBHH", body)
    p_on, _, qrs_on, qrs_off, t_off, p_axis, qrs_axis, t_axis = struct.unpack_from("<HHHHHhhh", body, 6)

    def known(*values: int) -> bool:
        return all(v < _UNDEFINED for v in values)

    values = {}
    if known(rr) and rr > 0:
        values["HR"] = round(60000.0 / rr, 1)
    if known(p_on, qrs_on) and qrs_on > p_on:
        values["PR"] = qrs_on - p_on
    if known(qrs_on, qrs_off) and qrs_off > qrs_on:
        values["QRS"] = qrs_off - qrs_on
    if known(qrs_on, t_off) and t_off > qrs_on:
        values["QT"] = t_off - qrs_on
    for key, axis in (("P_axis", p_axis), ("QRS_axis", qrs_axis), ("T_axis", t_axis)):
        if abs(axis) < _UNDEFINED:
            values[key] = axis
    return clinical.cart_measurements(values)


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
