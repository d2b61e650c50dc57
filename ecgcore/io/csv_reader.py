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

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGReadError
from ecgcore.io import validate
from ecgcore.io.assemble import build_ecg, lead_of, plan_leads
from ecgcore.io.opensignals import is_opensignals, read_opensignals
from ecgcore.core.leads import is_unspecified_lead

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


_KEY_VALUE = re.compile(r"^\s*[\"']?(?P<key>[A-Za-z][A-Za-z0-9 _()/.-]{0,40}?)[\"']?\s*[,;:\t=]\s*[\"']?(?P<value>[^,;\t]*?)[\"']?\s*[,;\t]*$")
_RATE_KEY = re.compile(r"sampl|frequency|^fs$|^(sample )?rate$", re.IGNORECASE)
_UNITS_KEY = re.compile(r"^(amplitude |signal |value )?units?$", re.IGNORECASE)
_LEAD_KEY = re.compile(r"^lead$|^leads?$|^channel$", re.IGNORECASE)
_UNIT_CELL = {"s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s", "ms": "ms", "msec": "ms",
              "mv": "mV", "uv": "µV", "µv": "µV", "μv": "µV", "microvolts": "µV", "millivolts": "mV", "v": "V",
              "nv": "nV"}
_UNIT_TO_MV = {"mV": 1.0, "µV": 1e-3, "V": 1e3, "nV": 1e-6}
#: lines read to find the lead header under a metadata preamble
MAX_PREAMBLE_LINES = 200


def _cells(line: str, sep: str) -> list[str]:
    parts = line.split() if sep == r"\s+" else line.split(sep)
    return [c.strip().strip('"').strip("'").strip() for c in parts]


def _numeric_cells(cells: list[str]) -> bool:
    return bool(cells) and all(re.fullmatch(r"[-+]?[0-9.,eE+-]*|nan|NaN|-?inf|", c) for c in cells) and any(cells)


class _Layout:
    """Where the table starts in a CSV: header line, separator, columns, units row, preamble key-value pairs."""

    def __init__(self, text: str) -> None:
        lines = text.split("\n")
        self.preamble: dict[str, str] = {}
        self.units: list[str] | None = None
        self.header_line = -1
        self.columns: list[str] = []
        self.sep = ","
        content = [(i, ln.rstrip("\r")) for i, ln in enumerate(lines[:MAX_PREAMBLE_LINES + 2])
                   if ln.strip() and not ln.lstrip().startswith("#")]
        if not content:
            raise ECGReadError("The CSV file is empty. Upload a CSV with a header row of lead names and one row "
                               "per sample.")
        self.first = content[0]
        self.second = content[1] if len(content) > 1 else None
        for i, line in content:
            sep = _separator(line)
            cells = _cells(line, sep)
            key_value = len(cells) == 2 and bool(_LEAD_KEY.match(cells[0]) or _UNITS_KEY.match(cells[0])
                                                 or _RATE_KEY.search(cells[0]))
            named = any(lead_of(_split_unit(c)[0]) is not None for c in cells) or \
                sum(is_unspecified_lead(_split_unit(c)[0]) for c in cells) == 1
            if not key_value and named and len(cells) > 1 or (
                    len(cells) == 1 and lead_of(_split_unit(cells[0])[0]) is not None and not self.preamble):
                self.header_line, self.columns, self.sep = i, cells, sep
                break
            if _numeric_cells(cells):
                self._headerless(i, cells, sep)
                break
            m = _KEY_VALUE.match(line)
            if m:
                self.preamble[m.group("key").strip()] = m.group("value").strip()
        else:
            return
        self.data_line = self.header_line + 1 if self.header_line >= 0 else self.data_line
        rest = [(i, ln) for i, ln in content if i >= self.data_line]
        if self.header_line >= 0 and rest:
            cells = _cells(rest[0][1], self.sep)
            units = [_UNIT_CELL.get(c.lower()) for c in cells]
            if not _numeric_cells(cells) and len(cells) == len(self.columns) and all(
                    u is not None or not c for u, c in zip(units, cells)):
                self.units = [u or "" for u in units]
                self.data_line = rest[0][0] + 1

    def _headerless(self, i: int, cells: list[str], sep: str) -> None:
        """Numbers right after a preamble that names the lead (a single-lead wearable export): one column."""
        lead = next((lead_of(v) for k, v in self.preamble.items() if _LEAD_KEY.match(k) and lead_of(v)), None)
        self.sep, self.data_line = sep, i
        if lead is not None and len(cells) == 1:
            self.columns = [lead]

    def preamble_value(self, key: re.Pattern) -> tuple[str, str] | None:
        """(key, value) of the first preamble line whose key matches."""
        return next(((k, v) for k, v in self.preamble.items() if key.search(k)), None)


def _preamble_rate(layout: _Layout) -> tuple[float, str] | None:
    found = layout.preamble_value(_RATE_KEY)
    if found is None:
        return None
    key, value = found
    m = re.match(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*(k?hz|hertz|sps|samples?/s|/s)?\s*$", value, re.IGNORECASE)
    if not m:
        raise ECGReadError(f"The CSV's metadata line {key!r} does not give a sampling rate in Hz (e.g. "
                           "`Sampling Rate,500 Hz`). Correct that line, or remove it and give the rate.")
    rate = float(m.group(1).replace(",", "."))
    if (m.group(2) or "").lower() == "khz":
        rate *= 1000
    return rate, key


def _preamble_units(layout: _Layout) -> tuple[str, str] | None:
    found = layout.preamble_value(_UNITS_KEY)
    if found is None:
        return None
    key, value = found
    unit = _UNIT_CELL.get(value.strip().lower())
    if unit not in _UNIT_TO_MV:
        raise ECGReadError(f"The CSV's metadata line {key!r} names a unit that is not a voltage (mV, µV or V). "
                           "Correct that line, or remove it and state the units.")
    return unit, key


_GAIN_KEY = re.compile(r"gain|resolution|lsb|^scal(e|ing)( factor)?$|^calibration$", re.IGNORECASE)
_VOLT = r"(?P<volt>[nuµμm]?v|(?:nano|micro|milli)?volts?)"
_COUNT = r"(?:digits?|counts?|adu|adcu?|lsbs?|bits?|units?|steps?)"
#: "digit/millivolt", "counts per mV", "adu/mV", "/mV": counts per volt unit (a gain)
_PER_VOLT = re.compile(rf"^(?:{_COUNT})?\s*(?:/|per)\s*{_VOLT}$", re.IGNORECASE)
#: "uV/LSB", "mV per digit", "µV": volts per count (a resolution)
_VOLT_PER = re.compile(rf"^{_VOLT}(?:\s*(?:/|per)\s*{_COUNT})?$", re.IGNORECASE)
_VOLT_MV = {"nv": 1e-6, "uv": 1e-3, "µv": 1e-3, "μv": 1e-3, "mv": 1.0, "v": 1e3}


def _volt_scale(word: str) -> float:
    """mV per volt unit named by `word` ("mV", "uV", "millivolt", "microvolts", ...)."""
    word = word.lower().rstrip("s")
    for prefix, short in (("nano", "n"), ("micro", "u"), ("milli", "m")):
        if word.startswith(prefix):
            word = short + word[len(prefix):]
    return _VOLT_MV[word.replace("volt", "v")]


def _preamble_gain(layout: _Layout, units_line: tuple[str, str] | None) -> tuple[float, str, str] | None:
    """(mV per stored value, the key, how it was read) from a gain or resolution line of the preamble:
    `Gain (digit/millivolt): 2048`, `ADC gain,200`, `Gain,1000 counts/mV` (counts per volt unit: the values are
    divided by it) or `Resolution,0.5 uV`, `Resolution (uV/LSB): 0.5`, `LSB,4.88 uV` (volts per count: the values
    are multiplied by it). A unit in the key's brackets or after the number; without one, a gain is counts per
    the `Units` line's unit (WFDB's meaning of an ADC gain: counts per physical unit), else per mV. None when
    the preamble has no such line; `ECGReadError` for a line whose number or unit cannot be read."""
    found = layout.preamble_value(_GAIN_KEY)
    if found is None:
        return None
    key, value = found
    m = re.match(r"^\s*(?P<number>[0-9]+(?:[.,][0-9]+)?(?:e[-+]?[0-9]+)?)\s*(?P<unit>.*?)\s*$", value, re.IGNORECASE)
    bracket = re.search(r"[\(\[](?P<unit>[^\)\]]+)[\)\]]", key)
    if not m:
        raise ECGReadError(f"The CSV's metadata line {key!r} does not give a number (e.g. `Gain (digit/millivolt): "
                           "2048` or `Resolution,0.5 uV`). Correct that line, or remove it and state the units.")
    number = float(m.group("number").replace(",", "."))
    unit = (m.group("unit") or (bracket.group("unit") if bracket else "")).strip()
    if not number > 0:
        raise ECGReadError(f"The CSV's metadata line {key!r} gives {number:g}, which is not a positive gain. "
                           "Correct that line, or remove it and state the units.")
    if re.fullmatch(r"[- ]?bits?", unit, re.IGNORECASE):
        return None  # `Resolution,12 bit`: the ADC's depth, not a scale
    per_volt, volt_per = _PER_VOLT.match(unit), _VOLT_PER.match(unit)
    is_gain = "gain" in key.lower()
    if per_volt:
        scale = _volt_scale(per_volt.group("volt"))
        return scale / number, key, f"counts, {number:g} per {_unit_name(scale)}, from the file's {key!r} line"
    if volt_per:
        scale = _volt_scale(volt_per.group("volt"))
        return number * scale, key, (f"counts of {number:g} {_unit_name(scale)} each, from the file's {key!r} "
                                     "line")
    if not unit and is_gain:
        physical = units_line[0] if units_line is not None else "mV"
        scale = _UNIT_TO_MV[physical]
        where = f" and {units_line[1]!r} lines" if units_line is not None else " line (counts per mV assumed: the line names no unit)"
        return scale / number, key, f"counts, {number:g} per {physical}, from the file's {key!r}{where}"
    raise ECGReadError(f"The CSV's metadata line {key!r} gives no unit that can be read (e.g. `Gain (digit/millivolt): "
                       "2048`, `Resolution,0.5 uV`), so the values' scale is unknown. Correct that line, or remove it "
                       "and state the units.")


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


def _numeric_column(frame: pd.DataFrame, column: str, first_line: int) -> np.ndarray:
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
        where = f"column {column!r}, line {row + first_line} holds {str(values.iloc[row])[:30]!r}"
        raise ECGReadError(f"The CSV holds text where numbers are expected ({where}). "
                           "Every lead cell must be a number in mV.")
    return numeric.to_numpy(dtype=np.float64, na_value=np.nan)


def read_csv(data: bytes, fs: float | None = None, *, name: str = "upload.csv", units: str | None = None,
             gain: float | None = None) -> ECG:
    """An `ECG` (mV) from CSV bytes.

    The rate comes from a time column or a metadata line (`Sampling Rate,500 Hz`), else from `fs` (Hz). The
    units come from the lead header (`I (uV)`), a units row under it, or a metadata line (`Units,uV`), else
    from `units` ("mV", "µV", or "counts" with `gain` counts per mV), else mV is assumed. What the file said
    and what was assumed is in meta["assumptions"]. Errors never quote metadata values (they may identify the
    patient).
    """
    encoding = text_encoding(data)
    head = data[:1 << 16]
    text = head[: len(head) // 2 * 2 if encoding == "utf-16" else len(head)].decode(encoding, errors="ignore")
    if is_opensignals(text):  # BITalino / biosignalsplux: a JSON header line, then tab-separated counts
        return read_opensignals(data, text, name=name, units=units, gain=gain)
    layout = _Layout(text)
    if not layout.columns:
        raise ECGReadError(_no_header_message(layout))
    sep, columns = layout.sep, layout.columns
    first = text.split("\n")[layout.data_line: layout.data_line + 200]
    sample = "\n".join(first)
    decimal = "," if sep in (";", "\t", "|", r"\s+") and re.search(r"\d,\d", sample) and not re.search(
        r"\d\.\d", sample) else "."
    named = [c for c in columns if c]
    if len(set(named)) != len(named):
        raise ECGReadError("The CSV header names a column twice. Give each lead its own column name.")
    names = [c if c else f"Unnamed: {i}" for i, c in enumerate(columns)]
    try:
        frame = pd.read_csv(io.BytesIO(data), encoding=encoding, sep=sep, decimal=decimal,
                            skiprows=layout.data_line, header=None, names=names, skipinitialspace=True,
                            engine="c", on_bad_lines="error", skip_blank_lines=True, quotechar='"', comment=None)
    except (pd.errors.ParserError, ValueError, UnicodeError) as exc:
        raise ECGReadError(f"The CSV could not be parsed ({str(exc).splitlines()[0][:160]}). Every row must have "
                           "the same number of cells as the header.") from None
    if len(frame) == 0:
        raise ECGReadError("The CSV has a header row but no samples under it. Upload the complete export.")
    row_units = dict(zip(names, layout.units)) if layout.units else {}
    # time and index columns
    notes: list[str] = []
    said: dict[str, str] = {}
    time_fs = None
    used: list[str] = []
    for column in list(frame.columns):
        key = column.strip().lower()
        if _TIME_NAMES.match(key) or row_units.get(column) in ("s", "ms"):
            time_fs = _rate_from_time(frame[column], column, in_ms=row_units.get(column) == "ms" or None)
            used.append(column)
        elif key in _INDEX_NAMES or key.startswith("unnamed:"):
            used.append(column)
    stated = _preamble_rate(layout)
    if time_fs is not None:
        rate, said["rate"] = time_fs, f"{time_fs:g} Hz, from the file's time column"
        if stated and abs(stated[0] - time_fs) > 0.01 * time_fs:
            notes.append(f"The time column gives {time_fs:g} Hz; the metadata line {stated[1]!r} says otherwise "
                         "and was not used.")
    elif stated is not None:
        rate, said["rate"] = stated[0], f"{stated[0]:g} Hz, from the file's {stated[1]!r} line"
    elif fs is not None:
        rate, said["rate"] = fs, f"{float(fs):g} Hz, as you entered it (the file does not say)"
    else:
        raise ECGReadError("The CSV has no time column and no sampling-rate line, so its sampling rate is unknown: "
                           "give the rate in Hz (e.g. 500), or add a `time` column in seconds.")
    if fs is not None and not said["rate"].startswith(f"{float(fs):g} Hz, as you") and abs(float(fs) - rate) > 0.01 * rate:
        notes.append(f"The file gives {rate:g} Hz; the {float(fs):g} Hz entered was not used.")
    rate = validate.check_fs(rate, name)
    leads = [c for c in frame.columns if c not in used]
    lead_names = [_split_unit(c)[0] for c in leads]
    index, unmatched = plan_leads(lead_names)
    keep = [leads[i] for i in sorted(index.values())]
    units_line = _preamble_units(layout)
    scales, said["units"] = _units(keep, row_units, units_line, _preamble_gain(layout, units_line), units, gain,
                                   notes)
    signal = np.empty((len(keep), len(frame)), dtype=np.float32)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow to inf is reported by the signal checks
        for i, column in enumerate(keep):
            signal[i] = _numeric_column(frame, column, layout.data_line + 1) * scales[i]
    del frame
    said["leads"] = "named in the file's header row" if layout.header_line >= 0 else \
        f"{', '.join(columns)}, named by the file's metadata"
    return build_ecg([_split_unit(c)[0] for c in keep], signal, rate, ignored=unmatched,
                     record_id=name.rsplit(".", 1)[0], source="upload:csv",
                     meta={"format": "csv", "file_names": [name], "separator": sep, "decimal": decimal,
                           "preamble_keys": list(layout.preamble)},
                     notes=notes, assumptions=said)


def _no_header_message(layout: _Layout) -> str:
    """Why no lead header was found, quoting the first line only when it is a table header (never metadata)."""
    advice = "The first row must name the leads, e.g. `time,I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6`."
    if layout.preamble and getattr(layout, "data_line", None) is not None:
        return ("The CSV's metadata lines name no lead for the numbers under them, and no header row names "
                "the leads. " + advice)
    _, line = layout.first
    sep = _separator(line)
    cells = _cells(line, sep)
    if _numeric_cells(cells):
        return "The CSV has no header row. " + advice
    below = _cells(layout.second[1], sep) if layout.second else []
    if len(below) == len(cells) and _numeric_cells(below):  # a table header: its names can be shown
        return f"The CSV header ({', '.join(cells[:14])}) names no standard lead. " + advice
    return "The CSV has no header row that names the leads (its first lines are not a table header). " + advice


def _units(columns: list[str], row_units: dict[str, str], preamble: tuple[str, str] | None,
           preamble_gain: tuple[float, str, str] | None, units: str | None, gain: float | None,
           notes: list[str]) -> tuple[list[float], str]:
    """mV per stored value for each lead column, and the sentence that says where the units came from: the
    lead header's units, else a units row, else a gain/resolution line (`_preamble_gain`), else a `Units` line,
    else what the user stated (`validate.stated_units`)."""
    in_header = [_split_unit(c)[1] for c in columns]
    if any(_UNIT.match(c.strip()) for c in columns):
        file_scale, where = in_header, "from the lead header"
    elif row_units and any(row_units.get(c) for c in columns):
        bad = [c for c in columns if row_units.get(c) not in _UNIT_TO_MV]
        if bad:
            raise ECGReadError(f"The units row gives no voltage unit for lead(s) {', '.join(bad)}; "
                               "expected mV, uV or V.")
        file_scale, where = [_UNIT_TO_MV[row_units[c]] for c in columns], "from the file's units row"
    elif preamble_gain is not None:
        if units is not None or gain is not None:
            notes.append(f"The file states its gain ({preamble_gain[2]}); the units entered were not used.")
        return [preamble_gain[0]] * len(columns), preamble_gain[2]
    elif preamble is not None:
        file_scale, where = [_UNIT_TO_MV[preamble[0]]] * len(columns), f"from the file's {preamble[1]!r} line"
    else:
        file_scale = None
    if file_scale is not None:
        if units is not None:
            notes.append(f"The file states its units ({where}); the units entered were not used.")
        shown = sorted({_unit_name(f) for f in file_scale})
        return file_scale, f"{', '.join(shown)}, {where}"
    scale, words = validate.stated_units(units, gain)
    return [scale] * len(columns), words


def _unit_name(scale: float) -> str:
    return {1.0: "mV", 1e-3: "µV", 1e3: "V", 1e-6: "nV"}.get(scale, f"{scale:g} mV per unit")


def _rate_from_time(values: pd.Series, column: str, in_ms: bool | None = None) -> float:
    """Sampling rate (Hz) from an evenly spaced time column in seconds (ms when `in_ms` or the name says so)."""
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
    if in_ms or (in_ms is None and "ms" in column.lower()):
        step /= 1000.0
    rate = 1.0 / step
    return float(round(rate)) if abs(rate - round(rate)) < 1e-4 * rate else round(rate, 6)
