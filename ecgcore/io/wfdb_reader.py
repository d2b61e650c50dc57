"""WFDB records (`.hea` + `.dat`, PhysioNet Challenge `.hea` + `.mat`, ptbdb `.hea` + `.dat` + `.xyz`) from bytes.

wfdb reads from paths, so the files are written to a private `tempfile.TemporaryDirectory` that is removed on
return, whatever happens. Before wfdb touches the data, the header is checked against the data files (rate,
sample count, format, file sizes), so a truncated or lying record gives a clear error and no large allocation.

Header quirks handled: the Challenge 2021 v1 record name written as `E07500.mat` on line 1, empty codes in
`#Dx:` lists, CRLF line endings. Header comment lines are kept in meta["comments"]; `#Dx:` codes in
meta["dx_codes"]; age/sex come from `#Age:`/`#Sex:` (Challenge) or `# age:`/`# sex:` (ptbdb) when present.
"""
from __future__ import annotations

import math
import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

import numpy as np
import wfdb
from wfdb.io._signal import BYTES_PER_SAMPLE, COMPRESSED_FMTS

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGError, ECGReadError
from ecgcore.io import validate
from ecgcore.io.assemble import build_ecg, plan_leads

#: largest header accepted (ptbdb's long clinical headers are ~3 kB)
MAX_HEADER_BYTES = 1_000_000
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,200}$")
_UNITS_TO_MV = {"mv": 1.0, "uv": 1e-3, "µv": 1e-3, "μv": 1e-3, "v": 1e3, "nv": 1e-6}


def basename(name: str) -> str:
    """The file name without any folder part (both / and \\ separators)."""
    return PurePosixPath(name.replace("\\", "/")).name


def fix_header_text(raw: bytes) -> str:
    """Header text that wfdb accepts: CRLF -> LF; a record name on line 1 that ends in .mat/.dat/.hea loses it."""
    if len(raw) > MAX_HEADER_BYTES:
        raise ECGReadError(f"The .hea file is {len(raw)} bytes; a WFDB header is a few kB. This is not a header.")
    if b"\x00" in raw:
        raise ECGReadError("The .hea file contains binary data; a WFDB header is plain text. "
                           "Upload the record's .hea text file with its .dat or .mat file.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for i, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("#"):
            tokens = line.split()
            tokens[0] = re.sub(r"\.(mat|dat|hea)$", "", tokens[0], flags=re.IGNORECASE)
            lines[i] = " ".join(_without_partial_date(tokens))
            break
    return "\n".join(lines).rstrip("\n") + "\n"


_TIME = re.compile(r"\d{1,2}:\d{1,2}(:\d{1,2}(\.\d+)?)?")
#: base-date spellings found in real headers -> (year, month, day) group order
_DATES = ((re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), (1, 2, 3)),  # ISO 8601, 2017-01-31
          (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), (1, 2, 3)),  # 2017/01/31
          (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), (3, 2, 1)),  # WFDB's own dd/mm/yyyy
          (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), (3, 2, 1)))  # 31.01.2017


def _without_partial_date(tokens: list[str]) -> list[str]:
    """Record-line tokens with the base time and date as wfdb's parser wants them (`HH:MM:SS dd/mm/yyyy`).

    Headers in the wild write the date in other forms PhysioNet's own files use: ISO 8601 (`2017-01-31`, also
    joined to the time with `T`), before the time, `yyyy/mm/dd`, `dd.mm.yyyy`, or a year only (`... 12:30:00
    2020`). Each is rewritten to WFDB's order and form; a year only, an impossible date or a token that is
    neither time nor date is dropped (base time and date carry nothing the reader uses; `base_date_text`
    keeps the date as written)."""
    if len(tokens) <= 4:
        return tokens
    rest = [t for token in tokens[4:] for t in token.split("T", 1) if t] if any(
        re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}T.+", t) for t in tokens[4:]) else tokens[4:]
    time = next((t for t in rest if _TIME.fullmatch(t)), None)
    date = None
    for token in rest:
        for pattern, (y, m, d) in _DATES:
            found = pattern.fullmatch(token)
            if found:
                year, month, day = (int(found.group(i)) for i in (y, m, d))
                if 1 <= month <= 12 and 1 <= day <= 31:
                    date = f"{day:02d}/{month:02d}/{year:04d}"
                break
        if date:
            break
    if date and not time:
        time = "00:00:00"  # wfdb reads a date only after a time; midnight stands for "no time given"
    if time and time.count(":") == 1:
        time += ":00"
    return tokens[:4] + [t for t in (time, date) if t]


def base_date_text(text: str) -> str | None:
    """The base date as written on the record line (a year only included), or None."""
    line = next((ln for ln in text.replace("\r", "\n").split("\n") if ln.strip() and not ln.lstrip().startswith("#")), "")
    tokens = line.split()
    for token in tokens[4:6]:
        token = token.split("T", 1)[0]
        if re.fullmatch(r"(\d{1,2}/){0,2}\d{4}|\d{4}[-/]\d{1,2}[-/]\d{1,2}|\d{1,2}\.\d{1,2}\.\d{4}", token):
            return token
    return None


def _comment_value(comments: list[str], key: str) -> str | None:
    for line in comments:
        m = re.match(rf"^\s*{key}\s*:\s*(.*?)\s*$", line, flags=re.IGNORECASE)
        if m:
            return m.group(1)
    return None


def parse_age(text: str | None) -> float | None:
    """Age in years from a header value; None when absent, 'NaN', 'n/a' or outside 0-130."""
    try:
        age = float(text) if text is not None else math.nan
    except ValueError:
        return None
    return age if 0 <= age <= 130 else None


def parse_sex(text: str | None) -> str | None:
    """'M' / 'F' from 'Male', 'female', 'M', 'f', ...; None otherwise."""
    value = (text or "").strip().lower()
    return {"male": "M", "m": "M", "female": "F", "f": "F"}.get(value)


def dx_codes(comments: list[str]) -> list[str]:
    """The codes of a `Dx:` comment line, empty entries dropped (e.g. `...,427084000,,427172004`)."""
    value = _comment_value(comments, "Dx")
    return [c.strip() for c in value.split(",") if c.strip()] if value else []


def _number(token: str) -> float | None:
    """The leading number of a header token such as `500`, `500/10(0)` or `1000.0(0)/mV`; None if not a number."""
    try:
        return float(re.split(r"[/(]", token, maxsplit=1)[0])
    except ValueError:
        return None


def _check_parse(text: str, header: Any, hea_name: str) -> None:
    """Catch the fields wfdb's header parser silently replaces by defaults (a rate of `-500` or `nan` becomes
    250 Hz, a gain of `abc` becomes 200/mV): each one present in the text must be what wfdb read."""
    lines = [ln.split() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    record, signals = lines[0], lines[1:]
    if len(record) < 2 or not record[1].isdigit() or int(record[1]) != len(signals) or header.n_sig != len(signals):
        raise ECGReadError(f"{hea_name} is not a valid WFDB header: its first line announces "
                           f"{record[1] if len(record) > 1 else 'no'} signals but {len(signals)} signal lines follow. "
                           "Upload the record's unmodified .hea file.")
    if len(record) > 2 and _number(record[2]) != float(header.fs):
        raise ECGReadError(f"{hea_name} is not a valid WFDB header: the sampling rate {record[2]!r} is not a "
                           "positive number of Hz. Upload the record's unmodified .hea file.")
    if len(record) > 3 and (not record[3].isdigit() or int(record[3]) != header.sig_len):
        raise ECGReadError(f"{hea_name} is not a valid WFDB header: the sample count {record[3]!r} is not a "
                           "whole number. Upload the record's unmodified .hea file.")
    for c, tokens in enumerate(signals):
        if len(tokens) < 3:
            continue
        gain = _number(tokens[2])
        if gain == 0:
            raise ECGReadError(f"{hea_name} marks signal {header.sig_name[c]!r} as uncalibrated (gain 0), so its "
                               "values cannot be turned into millivolts. Upload a calibrated record.")
        if gain is None or gain != float(header.adc_gain[c]) or "/" in str(header.units[c] or ""):
            raise ECGReadError(f"{hea_name} is not a valid WFDB header: the gain {tokens[2]!r} of signal "
                               f"{header.sig_name[c]!r} is not a number of units per mV. Upload the record's "
                               "unmodified .hea file.")


def _check_data_file(header: Any, file_name: str, size: int, hea_name: str) -> None:
    """The data file holds exactly what the header describes (format, byte offset, samples x signals)."""
    in_file = [c for c, f in enumerate(header.file_name) if f == file_name]
    fmts = {str(header.fmt[c]) for c in in_file}
    fmt = fmts.pop()
    if fmts or len({header.byte_offset[c] for c in in_file}) > 1:
        raise ECGReadError(f"{hea_name} gives different formats for signals stored in {file_name}; "
                           "the header is corrupt.")
    if fmt in COMPRESSED_FMTS or fmt not in BYTES_PER_SAMPLE:
        raise ECGReadError(f"{hea_name} uses WFDB storage format {fmt}, which is not supported. "
                           "Supported: uncompressed formats 8, 16, 24, 32, 61, 80, 160, 212, 310, 311.")
    if size == 0:
        raise ECGReadError(f"The data file {file_name} is empty (0 bytes): it was not copied completely. "
                           "Upload the complete file.")
    frame = sum(int(header.samps_per_frame[c] or 1) for c in in_file) * BYTES_PER_SAMPLE[fmt]  # bytes
    offset = int(header.byte_offset[in_file[0]] or 0)
    if not header.sig_len:
        header.sig_len = int(max(0, size - offset) // frame)
    expected = offset + header.sig_len * frame
    held = max(0.0, (size - offset) / frame / header.fs)
    if size < math.floor(expected):
        raise ECGReadError(
            f"The data file {file_name} is truncated: it holds {held:.2f} s of signal but {hea_name} says "
            f"{header.sig_len / header.fs:.2f} s ({header.sig_len} samples at {header.fs:g} Hz). The file was "
            "probably cut short in transfer; upload the complete file."
        )
    if size > math.ceil(expected) + 3:  # format 212/310/311 may pad the last bytes
        raise ECGReadError(
            f"{hea_name} and {file_name} do not match: the header describes {len(in_file)} signal(s) x "
            f"{header.sig_len} samples ({math.ceil(expected)} bytes) but the file has {size} bytes "
            f"({held:.2f} s). Upload the header that belongs to this data file."
        )


def _check_header(header: Any, text: str, data: Mapping[str, bytes], hea_name: str) -> tuple[list[int], list[str]]:
    """Validate header fields against the data files: (channel indices to read, names of non-ECG channels)."""
    if getattr(header, "seg_name", None):
        raise ECGReadError(f"{hea_name} describes a multi-segment WFDB record: upload it together with every "
                           "segment's .hea and .dat (or a .zip of them).")
    names = [str(n) for n in (header.sig_name or [])]
    if not names:
        raise ECGReadError(f"{hea_name} lists no signals. A 12-lead record's header has one line per lead.")
    if len(names) > 64:
        raise ECGReadError(f"{hea_name} lists {len(names)} signals; an ECG has 12 (or up to 15). Not an ECG record.")
    _check_parse(text, header, hea_name)
    validate.check_fs(header.fs, hea_name)
    files = sorted({str(f) for f in header.file_name})
    for file_name in files:
        if not _SAFE_NAME.match(file_name) or ".." in file_name:
            raise ECGReadError(f"{hea_name} points to a data file named {file_name!r}, which is not a plain file "
                               "name. Upload an unmodified WFDB record.")
    for file_name in files:
        if file_name in data:
            _check_data_file(header, file_name, len(data[file_name]), hea_name)
    index, unmatched = plan_leads(names)
    wanted = sorted(index.values())
    for file_name in sorted({str(header.file_name[c]) for c in wanted}):
        if file_name not in data:
            given = ", ".join(sorted(data)) or "none"
            raise ECGReadError(f"{hea_name} needs the data file {file_name}, which was not uploaded (got: {given}). "
                               "Upload the .hea together with its .dat/.mat file(s), or a .zip of them.")
    if not header.sig_len:
        raise ECGReadError(f"{hea_name} gives no sample count and its data file could not supply one.")
    validate.check_length(int(header.sig_len), len(index), float(header.fs))
    return wanted, unmatched


def _match_data_files(header: Any, data: dict[str, bytes]) -> list[str]:
    """Let `data` answer to the file names the header uses when the upload spelt them differently: another
    letter case (`REC.DAT`), or a renamed single data file (the size checks then confirm it fits)."""
    notes: list[str] = []
    if getattr(header, "seg_name", None) or not getattr(header, "file_name", None):
        return notes  # multi-segment or signal-less: refused by _check_header
    wanted = sorted({str(f) for f in header.file_name if f})
    missing = [f for f in wanted if f not in data]
    for file_name in missing:
        same = [n for n in data if n.lower() == file_name.lower()]
        if len(same) == 1:
            data[file_name] = data[same[0]]
    missing = [f for f in wanted if f not in data]
    candidates = [n for n in data if Path(n).suffix.lower() in (".dat", ".mat") and n not in wanted]
    if len(wanted) == 1 and len(missing) == 1 and len(candidates) == 1:
        data[missing[0]] = data[candidates[0]]
        notes.append(f"The header names its data file {missing[0]}; the uploaded {candidates[0]} was used.")
    return notes


def _whole_blocks(header: Any, file_name: str, raw: bytes) -> bytes:
    """The data bytes padded to whole blocks for the packed formats (212, 310, 311).

    A valid record whose total sample count is odd ends format 212 mid-block; writers differ in how many
    bytes of that last block they store, and wfdb 4 can only decode complete blocks (it fails with a shape
    error otherwise). Zero bytes complete the block; they fall on the last sample of the file's last
    signal, which `read_wfdb` reads only up to `sig_len` and a 12-lead record never keeps when it is an extra
    channel (e.g. ptbdb-like vx/vy/vz)."""
    in_file = [c for c, f in enumerate(header.file_name) if f == file_name]
    fmt = str(header.fmt[in_file[0]])
    if fmt not in ("212", "310", "311"):
        return raw
    frame = sum(int(header.samps_per_frame[c] or 1) for c in in_file)
    offset = int(header.byte_offset[in_file[0]] or 0)
    n = frame * int(header.sig_len)
    block_samples, block_bytes = (2, 3) if fmt == "212" else (3, 4)
    needed = offset + -(-n // block_samples) * block_bytes
    return raw + b"\0" * (needed - len(raw)) if len(raw) < needed else raw


def _multi_segment_master(by_name: Mapping[str, bytes], headers: list[str]) -> str | None:
    """The master header of a multi-segment record (first line `name/segments ...`) among `headers`, or None."""
    masters = []
    for name in headers:
        first = next((ln for ln in fix_header_text(by_name[name]).splitlines()
                      if ln.strip() and not ln.lstrip().startswith("#")), "")
        if "/" in (first.split() or [""])[0]:
            masters.append(name)
    return masters[0] if len(masters) == 1 else None


def is_null_record(text: str) -> bool:
    """True for a WFDB "null record" header: every signal line has storage format 0 (no samples stored; read
    as zeros by the WFDB library). The WFDB package's sample `multi` record uses one as a gap between segments.
    wfdb-python cannot parse such a header (its signal lines have no file name it accepts)."""
    lines = [ln.split() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    signals = lines[1:]
    return bool(signals) and all(len(t) >= 2 and re.split(r"[x:+]", t[1])[0] == "0" for t in signals)


def _null_segment_length(text: str, seg: str, master: str) -> int:
    tokens = next(ln.split() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#"))
    if len(tokens) < 4 or not tokens[3].isdigit():
        raise ECGReadError(f"{seg}.hea, a null segment of {master}, gives no sample count; it cannot be placed "
                           "in time. Upload the record's unmodified headers.")
    return int(tokens[3])


def _master_without_null_segments(text: str, nulls: set[str]) -> str:
    """The master header with each null segment's name replaced by `~` (WFDB's gap segment, which
    wfdb-python joins as NaN), the segment lengths kept."""
    lines = text.split("\n")
    seen_record = False
    for i, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not seen_record:
            seen_record = True
            continue
        tokens = line.split()
        if tokens[0] in nulls:
            lines[i] = " ".join(["~"] + tokens[1:])
    return "\n".join(lines)


def _read_multi_segment(by_name: Mapping[str, bytes], master: str, *, record_id: str | None,
                        source: str) -> ECG:
    """A multi-segment record (`name/n` header, one header and data file per segment) as one `ECG`: each
    segment passes the single-record checks, then `wfdb.rdrecord` joins them (`m2s`)."""
    text = fix_header_text(by_name[master])
    try:
        with tempfile.TemporaryDirectory(prefix="ecg-wfdb-") as tmp:
            stem = Path(tmp) / Path(master).stem
            (Path(tmp) / master).write_text(text, encoding="utf-8")
            try:
                header = wfdb.rdheader(str(stem))
            except Exception as exc:  # wfdb's parser raises many types for a malformed header
                raise ECGReadError(f"{master} is not a valid WFDB multi-segment header ({_short(exc)}).") from None
            if not getattr(header, "seg_name", None) or not getattr(header, "seg_len", None):
                raise ECGReadError(f"{master} names a multi-segment record on its first line ('name/segments') "
                                   "but lists no segments that can be read. Upload the record's unmodified headers.")
            validate.check_fs(header.fs, master)
            segments = [str(n) for n in header.seg_name]
            validate.check_length(int(header.sig_len or 0), int(header.n_sig or 12), float(header.fs))
            nulls: set[str] = set()
            for seg in segments:
                if seg == "~":
                    continue
                if not _SAFE_NAME.match(seg) or f"{seg}.hea" not in by_name:
                    raise ECGReadError(f"{master} is a multi-segment record; its segment {seg!r} was not uploaded. "
                                       "Upload the master header with every segment's .hea and .dat (or a .zip).")
                seg_text = fix_header_text(by_name[f"{seg}.hea"])
                if is_null_record(seg_text):  # format 0: no samples stored, a gap in the recording
                    _null_segment_length(seg_text, seg, master)
                    nulls.add(seg)
                    continue
                (Path(tmp) / f"{seg}.hea").write_text(seg_text, encoding="utf-8")
                try:
                    seg_header = wfdb.rdheader(str(Path(tmp) / seg))
                except Exception as exc:  # wfdb's parser raises many types for a malformed header
                    raise ECGReadError(f"{seg}.hea, a segment of {master}, is not a valid WFDB header "
                                       f"({_short(exc)}). Upload the record's unmodified headers.") from None
                data = {n: b for n, b in by_name.items() if not n.lower().endswith(".hea")}
                if getattr(seg_header, "seg_name", None):
                    raise ECGReadError(f"{seg}.hea is itself multi-segment; nested segments are not supported.")
                if seg.endswith("_layout") or not seg_header.sig_len:
                    continue  # a layout header holds no samples
                _check_header(seg_header, seg_text, data, f"{seg}.hea")
                for file_name in {str(f) for f in seg_header.file_name}:
                    (Path(tmp) / file_name).write_bytes(_whole_blocks(seg_header, file_name, data[file_name]))
            if nulls:
                (Path(tmp) / master).write_text(_master_without_null_segments(text, nulls), encoding="utf-8")
            try:
                record = wfdb.rdrecord(str(stem), physical=True, return_res=32, m2s=not nulls)
                if nulls:
                    record = _join_with_gaps(record, master)
            except Exception as exc:  # segments passed the checks, yet wfdb refused to join them
                raise ECGReadError(f"The multi-segment record {master} could not be decoded ({_short(exc)}).") from None
    except ECGError:
        raise
    except OSError as exc:
        raise ECGReadError(f"The record could not be unpacked for reading ({_short(exc)}).") from None
    if getattr(record, "p_signal", None) is None or not getattr(record, "sig_name", None):
        raise ECGReadError(f"The multi-segment record {master} holds no samples in its segments. Upload the "
                           "record's unmodified headers and data files.")
    signal = to_millivolts(np.ascontiguousarray(record.p_signal.T, dtype=np.float32), record.units)
    notes = [f"Read as one record from {len(segments)} segments."]
    gaps = _gap_spans(header, segments, nulls, float(record.fs))
    if gaps:
        signal = np.nan_to_num(signal, nan=0.0, copy=False)
        notes.append("The recording has a gap: " + "; ".join(
            f"{a:.1f}-{b:.1f} s ({'null segment ' + repr(n) if n != '~' else 'an empty segment'})" for a, b, n in gaps)
            + " holds no signal (WFDB null segments store no samples). It is drawn flat at 0 mV: a gap in the "
              "recording, not a flat ECG.")
    comments = [str(c) for c in (record.comments or [])]
    meta: dict[str, Any] = {"format": "wfdb", "file_names": sorted(by_name), "comments": comments,
                            "segments": [str(n) for n in header.seg_name], "units": list(record.units or [])}
    if gaps:
        meta["gaps_s"] = [(a, b) for a, b, _ in gaps]
    return build_ecg([str(n) for n in record.sig_name], signal, float(record.fs),
                     record_id=record_id or str(header.record_name), source=source,
                     age=parse_age(_comment_value(comments, "age")), sex=parse_sex(_comment_value(comments, "sex")),
                     meta=meta, notes=notes, assumptions=_wfdb_said(record.fs))


def _join_with_gaps(multi: Any, master: str) -> Any:
    """One record from a fixed-layout multi-segment record read with null segments as `~` (wfdb-python's own
    join, `m2s`, fails on an empty segment of a fixed layout): each segment's samples in turn, NaN where a
    segment stores none. Returns the first real segment's record with the joined `p_signal`."""
    real = [seg for seg in (getattr(multi, "segments", None) or []) if seg is not None
            and getattr(seg, "p_signal", None) is not None]
    if not real or str(multi.seg_name[0]).endswith("_layout"):
        raise ECGReadError(f"{master} is a variable-layout multi-segment record with null segments, which this "
                           "reader does not join. Export the record as one segment (e.g. with wfdb's m2s).")
    names = list(real[0].sig_name)
    if any(list(seg.sig_name) != names for seg in real):
        raise ECGReadError(f"The segments of {master} name different signals; a fixed-layout record's segments "
                           "must hold the same signals in the same order.")
    blocks = []
    for seg, length in zip(multi.segments, multi.seg_len):
        if seg is None or getattr(seg, "p_signal", None) is None:
            blocks.append(np.full((int(length), len(names)), np.nan, dtype=np.float32))
        else:
            blocks.append(np.asarray(seg.p_signal, dtype=np.float32))
    joined = real[0]
    joined.p_signal = np.concatenate(blocks, axis=0)
    joined.sig_len = joined.p_signal.shape[0]
    joined.comments = list(getattr(multi, "comments", None) or []) + list(joined.comments or [])
    return joined


def _gap_spans(header: Any, segments: list[str], nulls: set[str], fs: float) -> list[tuple[float, float, str]]:
    """(start s, end s, segment name) of each null or `~` segment of a multi-segment record."""
    spans, start = [], 0
    for seg, length in zip(segments, header.seg_len):
        length = int(length)
        if seg in nulls or seg == "~":
            spans.append((start / fs, (start + length) / fs, seg))
        start += length
    return spans


def _wfdb_said(fs: float) -> dict[str, str]:
    return {"rate": f"{float(fs):g} Hz, from the .hea header", "units": "from the .hea header's gains and units",
            "leads": "named in the .hea header"}


def to_millivolts(signal: np.ndarray, units: list[str] | None) -> np.ndarray:
    """(channels, samples) in a WFDB record's physical units (`record.units`, one per channel) -> mV: V, uV and nV
    rescaled, mV or a unit not stated kept (`_units_scale`). Returns `signal` itself when nothing changes."""
    scales = [_units_scale(u) for u in (units or [None] * signal.shape[0])]
    if any(s != 1.0 for s in scales):
        signal = signal * np.asarray(scales, dtype=np.float32)[:, None]
    return signal


def _units_scale(units: str | None) -> float:
    return _UNITS_TO_MV.get((units or "mV").strip().lower(), 1.0)


def read_wfdb(files: Mapping[str, bytes], *, record_id: str | None = None, source: str = "upload:wfdb") -> ECG:
    """Read one WFDB record given as {file name: bytes} (a .hea and the data files it names) -> 12-lead ECG in mV.

    Extra files are ignored; ptbdb's Frank leads (.xyz) are not needed. `record_id` defaults to the header's
    record name. Raises `ECGReadError` / `ECGSignalError` with a message for the user.
    """
    by_name = {basename(k): v for k, v in files.items()}
    headers = sorted(n for n in by_name if n.lower().endswith(".hea"))
    if not headers:
        raise ECGReadError("No .hea header among the files: a WFDB record needs its .hea text file "
                           "with the .dat or .mat data file.")
    master = _multi_segment_master(by_name, headers)
    if master is not None:
        return _read_multi_segment(by_name, master, record_id=record_id, source=source)
    if len(headers) > 1:
        raise ECGReadError(f"Several WFDB headers were given ({', '.join(headers)}); upload one record at a time.")
    hea_name = headers[0]
    text = fix_header_text(by_name[hea_name])
    data = {n: b for n, b in by_name.items() if n != hea_name}
    try:
        with tempfile.TemporaryDirectory(prefix="ecg-wfdb-") as tmp:
            stem = Path(tmp) / "record"
            (Path(tmp) / "record.hea").write_text(text, encoding="utf-8")
            try:
                header = wfdb.rdheader(str(stem))
            except Exception as exc:  # wfdb's parser raises many types for a malformed header
                raise ECGReadError(f"{hea_name} is not a valid WFDB header ({_short(exc)}). "
                                   "Upload the record's unmodified .hea file.") from None
            had_length = bool(header.sig_len)
            notes = _match_data_files(header, data)
            channels, ignored = _check_header(header, text, data, hea_name)
            if not had_length:  # wfdb cannot read a header without a sample count; give it the one the file holds
                (Path(tmp) / "record.hea").write_text(_with_sig_len(text, int(header.sig_len)), encoding="utf-8")
            for file_name in {str(header.file_name[c]) for c in channels}:
                (Path(tmp) / file_name).write_bytes(_whole_blocks(header, file_name, data[file_name]))
            try:
                record = wfdb.rdrecord(str(stem), channels=channels, physical=True, return_res=32,
                                       sampto=int(header.sig_len))
            except Exception as exc:  # header and data passed the checks, yet wfdb refused them
                raise ECGReadError(f"The record {hea_name} could not be decoded ({_short(exc)}). "
                                   "Upload an unmodified WFDB record.") from None
    except ECGError:
        raise
    except OSError as exc:
        raise ECGReadError(f"The record could not be unpacked for reading ({_short(exc)}).") from None
    signal = to_millivolts(record.p_signal.T, record.units)  # (channels, samples)
    comments = [str(c) for c in (record.comments or [])]
    meta: dict[str, Any] = {"format": "wfdb", "file_names": sorted(by_name), "comments": comments,
                            "units": list(record.units or [])}
    date = base_date_text(by_name[hea_name].decode("latin-1"))
    if date:
        meta["base_date"] = date
    codes = dx_codes(comments)
    if codes:
        meta["dx_codes"] = codes
    name = str(header.record_name)
    return build_ecg([str(n) for n in record.sig_name], signal, float(record.fs),
                     record_id=record_id or name, source=source,
                     age=parse_age(_comment_value(comments, "age")),
                     sex=parse_sex(_comment_value(comments, "sex")), meta=meta, ignored=ignored, notes=notes,
                     assumptions=_wfdb_said(record.fs))


def _with_sig_len(text: str, sig_len: int) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("#"):
            lines[i] = line.rstrip() + f" {sig_len}"
            break
    return "\n".join(lines)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
