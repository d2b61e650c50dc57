"""CSV/TSV/TXT exports: one column per lead, a header row naming the leads, an optional time column.

The sampling rate comes from the time column (seconds, or milliseconds when its name says `ms`) or, without
one, from the `fs` argument. Handles a UTF-8/UTF-16 byte-order mark, `,` `;` tab `|` separators, decimal
commas when the separator is not a comma, a pandas index column, and a unit in the lead header
(`I (uV)`, `V1 [mV]`). Units otherwise follow the rule in `ecgcore.io.validate` (mV, µV detected).
"""
from __future__ import annotations

import codecs
import io
import re

import numpy as np
import pandas as pd

from ecgcore.ecg import ECG
from ecgcore.errors import ECGReadError
from ecgcore.io import validate
from ecgcore.io.assemble import build_ecg, lead_of, plan_leads

_SEPARATORS = (";", "\t", ",", "|")
_TIME_NAMES = re.compile(r"^(t|time|times|timestamp|seconds?|secs?|ms|msec|elapsed[ _]?time)([ _]?\(?\[?(s|sec|ms)\]?\)?)?$",
                         re.IGNORECASE)
_INDEX_NAMES = {"", "index", "sample", "samples", "sample#", "n", "#", "unnamed: 0"}
_UNIT = re.compile(r"^(?P<name>.*?)[ _]*[\(\[](?P<unit>[uµμm]?v)[\)\]]$", re.IGNORECASE)
_TO_MV = {"mv": 1.0, "uv": 1e-3, "µv": 1e-3, "μv": 1e-3, "v": 1e3}


def text_encoding(data: bytes) -> str:
    """The encoding of a CSV: UTF-16 (BOM), UTF-8 (with or without BOM), else Latin-1.

    Checked incrementally, so a large file is never held as a decoded string besides its bytes.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in data[:4096]:
        raise ECGReadError("This file contains binary data, not CSV text. Upload a CSV with one column per lead.")
    else:
        encoding = "utf-8-sig"
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for start in range(0, len(data), 1 << 20):
            decoder.decode(data[start:start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        if encoding == "utf-16":
            raise ECGReadError("The CSV file says it is UTF-16 text but cannot be decoded as such. "
                               "Save it again as UTF-8 CSV.") from None
        encoding = "latin-1"
    return encoding


def _header_line(text: str) -> tuple[int, str]:
    for i, line in enumerate(io.StringIO(text)):
        if line.strip() and not line.lstrip().startswith("#"):
            return i, line.rstrip("\r\n")
        if i > 1000:
            break
    raise ECGReadError("The CSV file is empty. Upload a CSV with a header row of lead names and one row per sample.")


def _separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in _SEPARATORS}
    sep = max(counts, key=lambda s: counts[s])
    if counts[sep] == 0:
        return r"\s+"
    return sep


def _split_unit(column: str) -> tuple[str, float]:
    m = _UNIT.match(column.strip())
    if m and m.group("name"):
        return m.group("name").strip(), _TO_MV[m.group("unit").lower()]
    return column.strip(), 1.0


def _numeric_column(frame: pd.DataFrame, column: str, skip: int) -> np.ndarray:
    """One column as float64 values, or an `ECGReadError` naming the first cell that is not a number.

    Decided on the values, never on the dtype's name: pandas 3 reads a text column as `StringDtype` (not
    `object`), and any later dtype change would slip past a name check the same way. Empty cells stay NaN
    (reported by the signal checks); `inf`/`nan` as text parse as numbers, as pandas reads them.
    """
    values = frame[column]
    numeric = pd.to_numeric(values, errors="coerce")
    bad = numeric.isna().to_numpy() & values.notna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        where = f"column {column!r}, line {row + skip + 2} holds {str(values.iloc[row])[:30]!r}"
        raise ECGReadError(f"The CSV holds text where numbers are expected ({where}). "
                           "Every lead cell must be a number in mV.")
    return numeric.to_numpy(dtype=np.float64, na_value=np.nan)


def read_csv(data: bytes, fs: float | None = None, *, name: str = "upload.csv") -> ECG:
    """A 12-lead ECG (mV) from CSV bytes; `fs` (Hz) is needed only when there is no time column."""
    encoding = text_encoding(data)
    head = data[:1 << 16]
    text = head[: len(head) // 2 * 2 if encoding == "utf-16" else len(head)].decode(encoding, errors="ignore")
    skip, header = _header_line(text)
    sep = _separator(header)
    columns = [c.strip().strip('"').strip("'") for c in (header.split() if sep == r"\s+" else header.split(sep))]
    lead_like = [c for c in columns if lead_of(_split_unit(c)[0]) is not None]
    if not lead_like:
        looks_numeric = all(re.fullmatch(r"[-+0-9.,eE ]*", c) for c in columns)
        raise ECGReadError(
            ("The CSV has no header row. " if looks_numeric else f"The CSV header ({', '.join(columns[:14])}) names "
             "no standard lead. ")
            + "The first row must name the leads, e.g. `time,I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6`."
        )
    sample = text[len(header): len(header) + 20000]
    decimal = "," if sep in (";", "\t", "|", r"\s+") and re.search(r"\d,\d", sample) and not re.search(
        r"\d\.\d", sample) else "."
    try:
        frame = pd.read_csv(io.BytesIO(data), encoding=encoding, sep=sep, decimal=decimal, skiprows=skip, header=0, skipinitialspace=True,
                            engine="c", on_bad_lines="error", skip_blank_lines=True)
    except (pd.errors.ParserError, ValueError, UnicodeError) as exc:
        raise ECGReadError(f"The CSV could not be parsed ({str(exc).splitlines()[0][:160]}). Every row must have "
                           "the same number of cells as the header.") from None
    if len(frame) == 0:
        raise ECGReadError("The CSV has a header row but no samples under it. Upload the complete export.")
    frame.columns = [str(c).strip() for c in frame.columns]
    named = [c for c in columns if c]
    if len(set(named)) != len(named):
        raise ECGReadError("The CSV header names a column twice. Give each lead its own column name.")
    # time and index columns
    notes: list[str] = []
    time_fs = None
    used: list[str] = []
    for column in list(frame.columns):
        key = column.strip().lower()
        if _TIME_NAMES.match(key):
            time_fs = _rate_from_time(frame[column], column)
            used.append(column)
        elif key in _INDEX_NAMES or key.startswith("unnamed:"):
            used.append(column)
    if time_fs is not None and fs is not None and abs(time_fs - float(fs)) > 0.01 * time_fs:
        notes.append(f"The time column gives {time_fs:g} Hz; the {float(fs):g} Hz entered was not used.")
    rate = time_fs if time_fs is not None else fs
    if rate is None:
        raise ECGReadError("The CSV has no time column, so its sampling rate is unknown: give the rate in Hz "
                           "(e.g. 500), or add a `time` column in seconds.")
    rate = validate.check_fs(rate, name)
    leads = [c for c in frame.columns if c not in used]
    names = [_split_unit(c)[0] for c in leads]
    index, unmatched = plan_leads(names)
    keep = [leads[i] for i in sorted(index.values())]
    signal = np.empty((len(keep), len(frame)), dtype=np.float32)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow to inf is reported by the signal checks
        for i, column in enumerate(keep):
            signal[i] = _numeric_column(frame, column, skip) * _split_unit(column)[1]
    del frame
    return build_ecg([_split_unit(c)[0] for c in keep], signal, rate, ignored=unmatched, record_id=name.rsplit(".", 1)[0], source="upload:csv",
                     meta={"format": "csv", "file_names": [name], "separator": sep, "decimal": decimal},
                     notes=notes)


def _rate_from_time(values: pd.Series, column: str) -> float:
    """Sampling rate (Hz) from an evenly spaced time column in seconds (ms when the name says so)."""
    t = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
    if len(t) < 3 or not np.isfinite(t).all():
        raise ECGReadError(f"The time column {column!r} has missing or non-numeric values; it must give each "
                           "row's time in seconds.")
    dt = np.diff(t)
    step = float(np.median(dt))
    if not step > 0 or np.max(np.abs(dt - step)) > 0.05 * step + 1e-9 * abs(t).max():
        raise ECGReadError(f"The time column {column!r} is not evenly spaced (steps from {dt.min():g} to "
                           f"{dt.max():g}); an ECG export samples at a fixed rate. Fix the column or drop it and "
                           "give the sampling rate.")
    step = (t[-1] - t[0]) / (len(t) - 1)  # the whole span: exact even when each time is rounded
    if "ms" in column.lower():
        step /= 1000.0
    rate = 1.0 / step
    return float(round(rate)) if abs(rate - round(rate)) < 1e-4 * rate else round(rate, 6)
