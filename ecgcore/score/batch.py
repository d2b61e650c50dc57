"""The per-batch functions both engines run: `read_batch` (files -> bytes) and `score_batch` (bytes -> rows).

A batch is a dict of equal-length columns: shard (int), source, files (list of paths or zip members), archive
(the zip, or ""). `read_batch` adds `blob` (the pickled {file name: bytes}, the header of a long WFDB record that is read span
by span where it is scored (`ecgcore.score.stream`; a shared file system on a cluster), or the read error);
`score_batch` (given blobs, or reading each record itself) returns a `pyarrow.Table` with the row schema (`row_schema`) plus the columns the driver strips
before writing: `_timecourse` (a long record's time course as Arrow IPC bytes, empty otherwise), `_pid` and
`_rss_mb` (the worker's process id and peak RSS, for the run's memory figures). The local engine calls
`score_batch` on the units (it reads each record as it goes); the Ray engine runs `read_batch` as parallel tasks and `score_batch` in an actor pool
(`ecgcore.score.engines`). The rows do not depend on the engine.
"""
from __future__ import annotations

import io
import os
import pickle
from typing import Any

import pyarrow as pa

from ecgcore.score.record import MEASURES, Scorer, _reason, peak_rss_mb, status_of
from ecgcore.score.sources import Unit, read_unit
from ecgcore.score.stream import WfdbLong, streamable

STRING_COLUMNS = ("source", "record_id", "format", "status", "reason", "rhythm", "not_measurable", "flags",
                  "confidence", "quality", "model_note", "interpretation")
FLOAT_COLUMNS = ("fs", "duration_s", "seconds", *MEASURES, "af_burden", "premature_per_hour")
BOOL_COLUMNS = ("critical", "urgent")
INT_COLUMNS = ("leads", "segments", "premature_beats")
#: columns that say how the run went rather than what the record is (left out when two runs are compared)
RUN_COLUMNS = ("seconds",)
#: the record columns in the order written (probabilities and decisions follow)
ROW_ORDER = ("source", "record_id", "format", "fs", "duration_s", "leads", "status", "reason", "seconds", "rhythm",
             *MEASURES, "not_measurable", "flags", "critical", "confidence", "quality", "model_note",
             "interpretation", "urgent", "segments", "af_burden", "premature_beats", "premature_per_hour")


def row_schema(prob_columns: list[str]) -> pa.Schema:
    """The Parquet schema of a run's rows: `shard` (int), the record columns, then probabilities/decisions."""
    fields = [pa.field("shard", pa.int64())]
    for name in ROW_ORDER:
        fields.append(pa.field(name, _type(name)))
    for name in prob_columns:
        fields.append(pa.field(name, pa.float64() if name.startswith("p.") else pa.bool_()))
    return pa.schema(fields)



def _type(name: str) -> pa.DataType:
    if name in STRING_COLUMNS:
        return pa.string()
    if name in BOOL_COLUMNS:
        return pa.bool_()
    if name in INT_COLUMNS:
        return pa.int64()
    return pa.float64()


def timecourse_schema(columns: list[str]) -> pa.Schema:
    """The time-course table: source, record_id, segment, start_s, end_s, rhythm, HR, premature_beats, p.*."""
    types = {"source": pa.string(), "record_id": pa.string(), "segment": pa.int64(), "start_s": pa.float64(),
             "end_s": pa.float64(), "rhythm": pa.string(), "HR": pa.float64(), "premature_beats": pa.int64()}
    return pa.schema([pa.field(c, types.get(c, pa.float64())) for c in columns])


def units_batch(shard: int, units: list[Unit]) -> dict[str, list]:
    """The columns of a batch for `units` of one shard."""
    return {"shard": [shard] * len(units), "source": [u.source for u in units],
            "files": [list(u.files) for u in units], "archive": [u.archive for u in units]}


def read_batch(batch: dict[str, Any]) -> dict[str, list]:
    """Add `blob` to a batch: each record's files as pickled {name: bytes}, or its pickled ECGReadError."""
    blobs = []
    for source, files, archive in zip(batch["source"], batch["files"], batch["archive"]):
        value = _read(Unit(str(source), tuple(str(f) for f in files), str(archive or "")))
        blobs.append(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return {"shard": [int(s) for s in batch["shard"]], "source": [str(s) for s in batch["source"]], "blob": blobs}


def _read(unit: Unit) -> Any:
    """A unit's {file name: bytes}, its `WfdbLong` header when it is streamed (`ecgcore.score.stream`), or
    the exception that stopped reading it."""
    try:
        return streamable(unit) or read_unit(unit)
    except Exception as exc:  # noqa: BLE001 - a file that cannot be read is that record's row, not a stop
        return exc


def score_batch(batch: dict[str, Any], scorer: Scorer) -> pa.Table:
    """Score a batch: one row per record, with the row schema and the `_` columns. The batch carries `blob`
    (`read_batch` ran before it, as Ray's read tasks do) or the units' `files` and `archive`, read here one
    record at a time (the local engine: one record's bytes in memory at a time)."""
    rows, courses = [], []
    n = len(batch["source"])
    for i in range(n):
        source = str(batch["source"][i])
        if "blob" in batch:
            value: Any = pickle.loads(batch["blob"][i])
        else:
            value = _read(Unit(source, tuple(str(f) for f in batch["files"][i]), str(batch["archive"][i] or "")))
        if isinstance(value, WfdbLong):  # a long record on disk: read span by span while it is scored
            scored = scorer.score_stream(value, source)
            row, course = scored.row, scored.timecourse
        elif isinstance(value, Exception):
            row = scorer.empty_row(source)
            row.update(status=status_of(value), reason=_reason(value), seconds=0.0)
            course: list[dict] = []
        else:
            scored = scorer.score(value, source)
            row, course = scored.row, scored.timecourse
        del value
        row["shard"] = int(batch["shard"][i])
        rows.append(row)
        courses.append(_ipc(course) if course else b"")
    table = pa.Table.from_pylist(rows, schema=row_schema(scorer.prob_columns()))
    return (table.append_column("_timecourse", pa.array(courses, pa.binary()))
            .append_column("_pid", pa.array([os.getpid()] * n, pa.int64()))
            .append_column("_rss_mb", pa.array([peak_rss_mb()] * n, pa.float64())))


def _ipc(course: list[dict]) -> bytes:
    table = pa.Table.from_pylist(course, schema=timecourse_schema(list(course[0])))
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def timecourse_table(blob: bytes) -> pa.Table:
    """The time course carried in a `_timecourse` cell."""
    with pa.ipc.open_stream(pa.py_buffer(blob)) as reader:
        return reader.read_all()
