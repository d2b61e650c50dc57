"""Scoring a whole archive: one row per record (Parquet shards + a manifest), on one machine or a Ray cluster.

    from ecgcore.score import score_paths, load_rows, triage
    result = score_paths(["../shared/ptbxl"], "data/score/ptbxl", engine="local", workers=2)
    rows = triage(load_rows("data/score/ptbxl"))        # most urgent first

Modules: `sources` (PATH arguments -> one `Unit` per record), `record` (`Scorer`: one record -> one row, long
records per 10 s segment with a time course), `batch` (the per-batch functions every engine runs), `engines`
(process pool, Ray Data, serial), `store` (plan, shards, manifest, resume, reading back), `triage` (urgency,
filters, summary), `run` (`score_paths`). The CLI is `python -m ecgcore score`; the app's Worklist page reads runs.
"""
from ecgcore.score.run import score_paths
from ecgcore.score.store import is_run, load_rows, load_timecourse, read_manifest
from ecgcore.score.triage import summary, triage

__all__ = ["score_paths", "load_rows", "load_timecourse", "read_manifest", "is_run", "triage", "summary"]
