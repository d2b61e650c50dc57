"""`python -m ecgcore score PATH... --out DIR [--resume] [--workers N] [--ray [ADDRESS]]`: score an archive.

PATH: ECG files, folders (walked), glob patterns (quote them) or zip archives, in any format the readers take.
One row per record goes into Parquet shards under DIR with a manifest (`ecgcore.score.store`); a bad file
becomes a row with its status and reason, never a stopped run. A progress bar shows records/s and the time
left; a summary follows (records per status, positives per class, statements, failures by reason, slowest
files). Exit code 0 when the run is complete (bad files included), 2 for a run that cannot start.
"""
from __future__ import annotations

import argparse
import json
import sys

from ecgcore.core.errors import ECGError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="ECG files, folders, quoted glob patterns or zip archives (omit with --resume)")
    parser.add_argument("--out", required=True, help="the run folder (created; with --resume, the run to finish)")
    parser.add_argument("--resume", action="store_true", help="finish the run in --out (the shards not written yet)")
    parser.add_argument("--models", default=None,
                        help="comma-separated model names (default: every trained model, plus their ensemble)")
    parser.add_argument("--models-dir", default=None,
                        help="where the checkpoints are (default: $ECG_MODELS_DIR, else assets/models)")
    parser.add_argument("--workers", type=int, default=2, help="local engine: worker processes (default 2)")
    parser.add_argument("--serial", action="store_true", help="score in this process (no pool; the baseline)")
    parser.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                        help="run on Ray Data: a cluster's head address, or nothing for $RAY_ADDRESS or a local "
                             "instance (needs pip install 'ecgcore[scale]')")
    parser.add_argument("--ray-cpus", type=int, default=None, help="CPUs of a local Ray instance (default: all)")
    parser.add_argument("--shard-size", type=int, default=32, help="records per Parquet shard (default 32)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def run(args: argparse.Namespace) -> int:
    from ecgcore.score import score_paths

    if args.workers < 1 or args.shard_size < 1:
        print("error: --workers and --shard-size must be at least 1", file=sys.stderr)
        return 2
    engine = "ray" if args.ray is not None else "serial" if args.serial else "local"
    models = [m.strip() for m in args.models.split(",") if m.strip()] if args.models else None
    try:
        result = score_paths(args.paths, args.out, models=models, models_dir=args.models_dir, engine=engine,
                             workers=args.workers, shard_size=args.shard_size, resume=args.resume,
                             ray_address=args.ray or None, ray_cpus=args.ray_cpus, progress=not args.quiet)
    except (ECGError, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, default=str))
        return 0
    print(format_summary(result))
    return 0


def format_summary(result: dict) -> str:
    """The end-of-run summary as text."""
    rate = result["scored"] / result["elapsed_s"] if result["elapsed_s"] else 0.0
    lines = [f"{result['folder']}: {result['records']} records ({'complete' if result['complete'] else 'incomplete'}); "
             f"this call scored {result['scored']} in {result['elapsed_s']:.1f} s ({rate:.1f} records/s, "
             f"engine {result['engine']})",
             "status: " + ", ".join(f"{k} {v}" for k, v in sorted(result["status"].items())),
             "positive: " + (", ".join(f"{k} {v}" for k, v in result["positive"].items()) or "none")]
    if result["statements"]:
        lines.append("statements: " + ", ".join(f"{k} {v}" for k, v in result["statements"].items()))
    if result["failures"]:
        lines.append("failures by reason:")
        lines += [f"  {n:5d}  {reason}" for reason, n in result["failures"].items()]
    lines.append("slowest: " + ", ".join(f"{s} ({t:.2f} s)" for s, t in result["slowest"]))
    if result["workers"]:
        lines.append("peak RSS per worker (MB): " + ", ".join(f"{v:.0f}" for v in result["workers"].values()))
    return "\n".join(lines)
