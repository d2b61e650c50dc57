"""A score run on disk: the plan, the Parquet shards, the manifest; resuming; reading a run back.

    DIR/plan.parquet          every record to score (shard, source, files, archive), fixed when the run starts
    DIR/rows/part-000012.parquet        the rows of shard 12 (one per record of the plan's shard 12)
    DIR/timecourse/part-000012.parquet  the per-segment time course of shard 12's long records (when any)
    DIR/manifest.json         what was asked (paths, models, classes, shard size), the shards written (records,
                              statuses, time), the workers' peak RSS, whether the run is complete

A shard is written to a temporary name and renamed (atomic on one file system), and only then listed in the
manifest: a shard exists whole or not at all. `--resume` scores the plan's shards that have no file, so a run
that was stopped loses at most the shards in flight and never scores a record twice.
"""
from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ecgcore.core.errors import ECGError
from ecgcore.score.batch import timecourse_table
from ecgcore.score.sources import Unit

FORMAT = "ecgcore-score/1"
MANIFEST = "manifest.json"
PLAN = "plan.parquet"


class RunError(ECGError):
    """A score run folder that cannot be used as asked (exists without --resume, not a run, other models)."""


def _atomic_write(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    os.replace(tmp, path)


def write_json(path: Path, value: dict) -> None:
    _atomic_write(path, lambda p: p.write_text(json.dumps(value, indent=1, default=str), encoding="utf-8"))


def shard_name(shard: int) -> str:
    return f"part-{shard:06d}.parquet"


def is_run(folder: str | Path) -> bool:
    """True when `folder` holds a score run (its manifest)."""
    return (Path(folder) / MANIFEST).is_file()


def read_manifest(folder: str | Path) -> dict:
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunError(f"{folder} is not a score run (no readable {MANIFEST}): run `python -m ecgcore score PATH... "
                       f"--out {folder}` first.") from exc
    if manifest.get("format") != FORMAT:
        raise RunError(f"{path}: format {manifest.get('format')!r} is not {FORMAT!r}.")
    return manifest


def plan_shards(units: list[Unit], shard_size: int) -> list[tuple[int, list[Unit]]]:
    """[(shard, units)]: consecutive groups of `shard_size` records of the sorted plan."""
    return [(i // shard_size, units[i:i + shard_size]) for i in range(0, len(units), shard_size)]


@dataclass
class RunStore:
    """The run folder being written: plan, shards, manifest (one writer: the driver process)."""

    folder: Path
    manifest: dict
    shards: list[tuple[int, list[Unit]]]
    pending: dict[int, list[pa.Table]] = field(default_factory=dict)

    @classmethod
    def create(cls, folder: str | Path, units: list[Unit], shard_size: int, info: dict[str, Any]) -> "RunStore":
        """A new run in `folder` (which must not hold a run yet)."""
        out = Path(folder)
        if is_run(out):
            raise RunError(f"{out} already holds a score run: add --resume to finish it, or give another --out.")
        (out / "rows").mkdir(parents=True, exist_ok=True)
        (out / "timecourse").mkdir(exist_ok=True)
        shards = plan_shards(units, shard_size)
        plan = pa.table({"shard": [s for s, us in shards for _ in us],
                         "source": [u.source for _, us in shards for u in us],
                         "files": [list(u.files) for _, us in shards for u in us],
                         "archive": [u.archive for _, us in shards for u in us]})
        _atomic_write(out / PLAN, lambda p: pq.write_table(plan, p))
        manifest = {"format": FORMAT, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "records": len(units),
                    "shard_size": shard_size, "n_shards": len(shards), "shards": {}, "workers": {},
                    "complete": False, **info}
        write_json(out / MANIFEST, manifest)
        return cls(out, manifest, shards)

    @classmethod
    def resume(cls, folder: str | Path, info: dict[str, Any]) -> "RunStore":
        """The run in `folder`, to be finished with the same models (the plan is the one written at its start)."""
        out = Path(folder)
        manifest = read_manifest(out)
        for key in ("models", "classes"):
            if key in info and manifest.get(key) != info[key]:
                raise RunError(f"{out} was scored with {key} {manifest.get(key)}, not {info[key]}: resume it with "
                               "the same models, or give another --out.")
        plan = pq.read_table(out / PLAN).to_pylist()
        by_shard: dict[int, list[Unit]] = {}
        for r in plan:
            by_shard.setdefault(int(r["shard"]), []).append(Unit(r["source"], tuple(r["files"]), r["archive"] or ""))
        done = {int(p.name[5:11]) for p in (out / "rows").glob("part-*.parquet")}
        for shard in done:  # a shard file written before a stop came at the manifest's write: list it now
            manifest["shards"].setdefault(f"{shard:06d}", {"records": len(by_shard.get(shard, []))})
        return cls(out, manifest, sorted(by_shard.items()))

    def todo(self) -> list[tuple[int, list[Unit]]]:
        """The shards without a file yet."""
        return [(s, us) for s, us in self.shards if not (self.folder / "rows" / shard_name(s)).exists()]

    def add(self, table: pa.Table) -> int:
        """Take scored rows (any shards, any order); write every shard that is now complete. Returns the number
        of records written."""
        written = 0
        shards = table.column("shard").to_pylist()
        for shard in sorted(set(shards)):
            mask = pa.array([s == shard for s in shards])
            self.pending.setdefault(shard, []).append(table.filter(mask))
            expected = self._sizes[shard]
            have = sum(t.num_rows for t in self.pending[shard])
            if have >= expected:
                written += self._write(shard, pa.concat_tables(self.pending.pop(shard)))
        return written

    def __post_init__(self) -> None:
        self._sizes = {s: len(us) for s, us in self.shards}

    def _write(self, shard: int, table: pa.Table) -> int:
        courses = [timecourse_table(b) for b in table.column("_timecourse").to_pylist() if b]
        for pid, rss in zip(table.column("_pid").to_pylist(), table.column("_rss_mb").to_pylist()):
            key = str(pid)
            self.manifest["workers"][key] = max(float(rss), float(self.manifest["workers"].get(key, 0.0)))
        rows = table.drop_columns(["_timecourse", "_pid", "_rss_mb"]).sort_by("source")
        if courses:
            course = pa.concat_tables(courses, promote_options="default")
            _atomic_write(self.folder / "timecourse" / shard_name(shard), lambda p: pq.write_table(course, p))
        _atomic_write(self.folder / "rows" / shard_name(shard), lambda p: pq.write_table(rows, p))
        status = Counter(rows.column("status").to_pylist())
        seconds = rows.column("seconds").to_pylist()
        self.manifest["shards"][f"{shard:06d}"] = {"records": rows.num_rows, "status": dict(status),
                                                   "seconds": round(sum(s or 0.0 for s in seconds), 3),
                                                   "written": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        self.save()
        return rows.num_rows

    def save(self, **changes: Any) -> None:
        self.manifest.update(changes)
        self.manifest["complete"] = len(self.manifest["shards"]) >= self.manifest["n_shards"]
        write_json(self.folder / MANIFEST, self.manifest)


# ------------------------------------------------------------------------------------------------ reading
def load_rows(folder: str | Path) -> pd.DataFrame:
    """Every row written so far (a stopped run gives the shards it finished), sorted by source."""
    read_manifest(folder)
    files = sorted((Path(folder) / "rows").glob("part-*.parquet"))
    if not files:
        return pd.DataFrame()
    frame = pa.concat_tables([pq.read_table(f) for f in files], promote_options="default").to_pandas()
    return frame.sort_values("source", kind="stable").reset_index(drop=True)


def load_timecourse(folder: str | Path, source: str | None = None) -> pd.DataFrame:
    """The time course of the run's long records (one row per segment), or of one record (`source`)."""
    files = sorted((Path(folder) / "timecourse").glob("part-*.parquet"))
    if not files:
        return pd.DataFrame()
    filters = [("source", "=", source)] if source is not None else None
    tables = [pq.read_table(f, filters=filters) for f in files]
    frame = pa.concat_tables(tables, promote_options="default").to_pandas()
    return frame.sort_values(["source", "segment"], kind="stable").reset_index(drop=True)


def row_differences(a: pd.DataFrame, b: pd.DataFrame, atol: float = 1e-5) -> list[str]:
    """What differs between two runs' rows (empty: the same rows up to float rounding `atol`), by source;
    the run columns (`batch.RUN_COLUMNS`: time taken) and the shard numbers are not compared."""
    import numpy as np

    from ecgcore.score.batch import RUN_COLUMNS

    out = []
    if set(a.columns) != set(b.columns):
        out.append(f"columns differ: {sorted(set(a.columns) ^ set(b.columns))}")
        return out
    sa, sb = set(a["source"]), set(b["source"])
    if sa != sb:
        out.append(f"sources differ: {len(sa - sb)} only in the first, {len(sb - sa)} only in the second")
        return out
    a = a.set_index("source").sort_index()
    b = b.set_index("source").sort_index()
    for col in a.columns:
        if col in RUN_COLUMNS or col == "shard":
            continue
        x, y = a[col], b[col]
        if pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
            xv, yv = x.astype(float).to_numpy(), y.astype(float).to_numpy()
            bad = ~(np.isclose(xv, yv, atol=atol, rtol=0) | (np.isnan(xv) & np.isnan(yv)))
        else:
            bad = ~((x == y) | (x.isna() & y.isna())).to_numpy()
        if bad.any():
            first = a.index[bad][0]
            out.append(f"{col}: {int(bad.sum())} rows differ (e.g. {first}: {x[first]!r} vs {y[first]!r})")
    return out


def runs_folder() -> Path:
    """Where the project keeps its score runs: `data/score/` in the checkout (git-ignored)."""
    from ecgcore.core.settings import DATA_DIR

    return Path(DATA_DIR) / "score"


def find_runs(folder: str | Path | None = None) -> list[Path]:
    """The score runs in `folder` (default `runs_folder()`) and its subfolders, two levels deep, by name."""
    top = Path(folder) if folder is not None else runs_folder()
    if not top.is_dir():
        return []
    found = [top] if is_run(top) else []
    found += [p.parent for p in top.glob("*/" + MANIFEST)] + [p.parent for p in top.glob("*/*/" + MANIFEST)]
    return sorted(set(found))


def unit_of(folder: str | Path, source: str) -> Unit:
    """The plan's unit (files to read) of one scored record. Raises RunError for a source not in the run."""
    table = pq.read_table(Path(folder) / PLAN, filters=[("source", "=", source)]).to_pylist()
    if not table:
        raise RunError(f"{source} is not a record of the run in {folder}.")
    r = table[0]
    return Unit(r["source"], tuple(r["files"]), r["archive"] or "")


def open_record(folder: str | Path, source: str, at_s: float = 0.0, span_s: float = 600.0) -> tuple[Any, float]:
    """(the `ECG` of one scored record read again from its files, the time in it of `at_s`), for the viewer.
    A record too long for the readers (a Holter streamed by `ecgcore.score.stream`) gives the `span_s` seconds
    around `at_s` (record id "<name> from <h:mm:ss>"). Raises ECGError (the reader's message, or RunError)
    when it cannot be read now."""
    from ecgcore.io import read_upload
    from ecgcore.score.sources import read_unit
    from ecgcore.score.stream import read_span, streamable

    unit = unit_of(folder, source)
    rec = streamable(unit)
    if rec is None:
        return read_upload(read_unit(unit)), float(at_s)
    start = max(0.0, min(float(at_s) - span_s / 2, rec.n_samples / rec.fs - span_s))
    a = int(start * rec.fs)
    b = min(rec.n_samples, a + int(span_s * rec.fs))
    hms = time.strftime("%H:%M:%S", time.gmtime(start))
    ecg = read_span(rec, a, b, source)
    ecg = ecg.with_signal(ecg.signal, record_id=f"{rec.record_name} from {hms}")
    return ecg, float(at_s) - a / rec.fs
