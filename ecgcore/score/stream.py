"""Reading a long WFDB record (a Holter) piece by piece, so its length does not bound what can be scored.

The readers (`ecgcore.io`) take a record whole, within `validate.MAX_UPLOAD_MB` and `validate.MAX_VALUES`
(a 24-hour 3-lead record at 250 Hz is 65 million values). `score` reads an on-disk single-segment WFDB record
longer than `STREAM_VALUES` values in spans of whole 10 s segments instead (`wfdb.rdrecord(sampfrom, sampto)`),
each span made an `ECG` by the readers' own rules (`ecgcore.io.assemble.build_ecg`: lead names, units, limb-lead
checks), so a worker's memory holds one span (at most an hour) whatever the record's length.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGReadError
from ecgcore.score.sources import Unit

#: records with more values (leads x samples) than this are streamed (a 12-lead 500 Hz record: 28 min)
STREAM_VALUES = 10_000_000
#: at most this many values per span read (well under `validate.MAX_VALUES`)
SPAN_VALUES = 8_000_000


@dataclass(frozen=True)
class WfdbLong:
    """A streamable record: its header's path stem, rate (Hz), samples, channel names, record name."""

    stem: str
    fs: float
    n_samples: int
    names: tuple[str, ...]
    record_name: str


def streamable(unit: Unit) -> WfdbLong | None:
    """The header of `unit` when it is an on-disk, single-segment WFDB record over `STREAM_VALUES` values;
    None otherwise (the readers take it whole)."""
    if unit.archive or not unit.files or not unit.files[0].lower().endswith(".hea"):
        return None
    import wfdb

    stem = str(Path(unit.files[0]).with_suffix(""))
    try:
        header = wfdb.rdheader(stem)
    except Exception:  # noqa: BLE001 - a header wfdb cannot parse goes to the readers, which say what is wrong
        return None
    if getattr(header, "n_seg", None) or not header.sig_len or not header.n_sig:
        return None
    if int(header.sig_len) * int(header.n_sig) <= STREAM_VALUES:
        return None
    return WfdbLong(stem, float(header.fs), int(header.sig_len), tuple(str(n) for n in header.sig_name),
                    str(header.record_name))


def read_span(rec: WfdbLong, start: int, end: int, source: str) -> ECG:
    """Samples [start, end) of a streamable record as an `ECG` (mV), by the readers' lead and unit rules.
    Raises ECGReadError / ECGSignalError as the readers do."""
    import wfdb

    from ecgcore.io.assemble import build_ecg
    from ecgcore.io.wfdb_reader import to_millivolts

    try:
        record = wfdb.rdrecord(rec.stem, sampfrom=int(start), sampto=int(end), physical=True, return_res=32)
    except Exception as exc:  # noqa: BLE001 - wfdb raises many types for a damaged file
        raise ECGReadError(f"{Path(rec.stem).name}: samples {start}-{end} could not be read ({type(exc).__name__}: "
                           f"{str(exc)[:200]}). Check that the .dat file is complete.") from None
    return build_ecg(list(rec.names), to_millivolts(record.p_signal.T, record.units), rec.fs, record_id=rec.record_name, source=source,
                     meta={"format": "wfdb", "streamed": True, "units": list(record.units or [])})


def spans(bounds: list[tuple[int, int]], n_leads: int) -> Iterator[list[tuple[int, int]]]:
    """Consecutive groups of segment bounds whose values (n_leads x samples) stay under `SPAN_VALUES`."""
    group: list[tuple[int, int]] = []
    values = 0
    for a, b in bounds:
        size = (b - a) * n_leads
        if group and values + size > SPAN_VALUES:
            yield group
            group, values = [], 0
        group.append((a, b))
        values += size
    if group:
        yield group
