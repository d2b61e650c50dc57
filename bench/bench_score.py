"""Scoring an archive: records/s of the serial loop, the local engine (1 and 2 workers) and Ray local (2 CPUs),
as ratios from one run; peak RSS per worker; kill and resume; a long synthetic Holter record.

    .venv/bin/python -m bench.bench_score                     # everything, defaults below
    .venv/bin/python -m bench.bench_score --real-limit 300 --synthetic 300 --holter-hours 2

- real: the records of the data root (`find_units`, every reader), every k-th one when --real-limit is given;
- synthetic: a generated PTB-XL-layout archive of --synthetic records (500 Hz files; `ecgcore.synth`);
- each engine scores the same set into a fresh run (`ecgcore.score.score_paths`, every trained model and their
  ensemble unless --models); the time includes starting the workers and loading the models, as a user waits
  for it; the rows of every engine are compared (`row_differences`: same rows up to float rounding);
- kill and resume: `score` on the synthetic archive in a subprocess, killed (SIGKILL) once --kill-after shards
  are written, then `--resume`: records scored once each, none lost, the time the resume took;
- holter: a SYNTHETIC --holter-hours, 3-lead, 250 Hz record (`ecgcore.synth.holter`), written as WFDB and scored
  by the local engine with 1 worker: time and the worker's peak RSS.
Goals (issue 21): local 2 workers >= 1.8x the serial loop; Ray local >= 0.8x local 2 workers; peak RSS per
worker <= 1 GB; kill and resume: none twice, none lost; 24-hour 3-lead record within 1 GB.
On a shared machine the ratios are noisy: run it with `nice` when the machine is quiet, and read the ratios,
not the absolute rates.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from ecgcore.core.settings import resolve  # noqa: E402
from ecgcore.score import load_rows, read_manifest, score_paths  # noqa: E402
from ecgcore.score.sources import find_units  # noqa: E402
from ecgcore.score.store import row_differences  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _subset(paths: list[str], limit: int | None, folder: Path) -> list[str]:
    """Every record under `paths`, or every k-th (`limit` of them), as a list of files to score (a folder of
    links keeps each record's files together)."""
    units = find_units(paths)
    if limit and limit < len(units):
        step = len(units) / limit
        units = [units[int(i * step)] for i in range(limit)]
    out = folder / "subset"
    out.mkdir(parents=True, exist_ok=True)
    named = []
    for i, u in enumerate(units):
        sub = out / f"{i:05d}"
        sub.mkdir(exist_ok=True)
        for f in u.files:
            link = sub / Path(f).name
            if not link.exists():
                link.symlink_to(Path(f).resolve())
        named.append(str(sub / Path(u.files[0]).name))
    return named


def _engines(name: str, paths: list[str], work: Path, models: list[str] | None, skip_ray: bool) -> list[dict]:
    runs = [("serial loop", dict(engine="serial")), ("local, 1 worker", dict(engine="local", workers=1)),
            ("local, 2 workers", dict(engine="local", workers=2))]
    if not skip_ray:
        runs.append(("Ray local, 2 CPUs", dict(engine="ray", ray_cpus=2)))
    out, first = [], None
    for label, kw in runs:
        folder = work / f"{name}-{label.replace(' ', '_').replace(',', '')}"
        t0 = time.perf_counter()
        result = score_paths(paths, folder, models=models, progress=False, **kw)
        wall = time.perf_counter() - t0
        rows = load_rows(folder)
        same = "-" if first is None else ("same" if not row_differences(first, rows) else
                                          "DIFFER: " + "; ".join(row_differences(first, rows))[:200])
        first = rows if first is None else first
        rss = max(result["workers"].values()) if result["workers"] else float("nan")
        load = os.getloadavg()[0]
        out.append({"set": name, "engine": label, "records": result["records"], "seconds": wall,
                    "rate": result["records"] / wall, "rss_mb": rss, "rows": same, "load": load,
                    "ok": result["status"].get("ok", 0)})
        print(f"  {name:9s} {label:18s} {result['records']:6d} records {wall:7.1f} s {out[-1]['rate']:6.2f} rec/s "
              f"peak RSS/worker {rss:5.0f} MB  load {load:.1f}  rows vs serial: {same}", flush=True)
    return out


def _kill_resume(paths: list[str], work: Path, models: list[str] | None, kill_after: int) -> dict:
    folder = work / "killed"
    cmd = [sys.executable, "-m", "ecgcore", "score", *paths, "--out", str(folder), "--workers", "2", "--shard-size",
           "16", "--quiet"] + (["--models", ",".join(models)] if models else [])
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    while len(list((folder / "rows").glob("part-*.parquet"))) < kill_after and proc.poll() is None:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)  # the driver and its workers, as a power cut would
    proc.wait()
    written = sum(1 for _ in (folder / "rows").glob("part-*.parquet"))
    n_shards = read_manifest(folder)["n_shards"]
    t0 = time.perf_counter()
    resume = [sys.executable, "-m", "ecgcore", "score", "--out", str(folder), "--resume", "--workers", "2", "--quiet"]
    resume += ["--models", ",".join(models)] if models else []
    done = subprocess.run(resume, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    import pandas as pd

    rows = load_rows(folder)
    plan = pd.read_parquet(folder / "plan.parquet")
    twice = int(rows["source"].duplicated().sum())
    lost = len(set(plan["source"]) - set(rows["source"]))
    return {"shards_at_kill": written, "shards": n_shards, "resume_s": seconds, "twice": twice, "lost": lost,
            "rc": done.returncode, "records": len(plan)}


def _holter(hours: float, work: Path, models: list[str] | None) -> dict:
    from ecgcore.synth.holter import simulate_holter, write_holter

    t0 = time.perf_counter()
    record = simulate_holter(hours=hours, fs=250)
    hea = write_holter(record, work / "holter")
    made = time.perf_counter() - t0
    del record
    t0 = time.perf_counter()
    result = score_paths([str(hea)], work / "holter-run", models=models, engine="local", workers=1, progress=False)
    seconds = time.perf_counter() - t0
    row = load_rows(work / "holter-run").iloc[0]
    return {"hours": hours, "make_s": made, "seconds": seconds, "rss_mb": max(result["workers"].values()),
            "segments": int(row["segments"]), "af_burden": row["af_burden"], "status": row["status"],
            "file_mb": sum(p.stat().st_size for p in (work / "holter").iterdir()) / 1e6}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_score", description=__doc__.splitlines()[0])
    parser.add_argument("--real-limit", type=int, default=None, help="score every k-th real record, this many "
                        "(default: all)")
    parser.add_argument("--synthetic", type=int, default=1000, help="records of the synthetic archive (issue: 20000)")
    parser.add_argument("--holter-hours", type=float, default=24.0, help="length of the synthetic Holter record")
    parser.add_argument("--kill-after", type=int, default=3, help="shards written before the kill")
    parser.add_argument("--models", default=None, help="comma-separated models (default: every trained model)")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: real, synthetic, resume, holter, ray")
    parser.add_argument("--work", default=None, help="working folder (default: a temporary one, removed)")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    models = [m for m in args.models.split(",") if m] if args.models else None
    tmp = tempfile.TemporaryDirectory(prefix="bench_score_") if args.work is None else None
    work = Path(args.work or tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    print(f"bench_score: {os.cpu_count()} CPUs seen; models {models or 'all trained'}; work {work}", flush=True)
    results: list[dict] = []
    if "real" not in skip:
        root = resolve().data_root
        if root is None:
            print("no data root (ECG_DATA_ROOT): the real set is skipped", file=sys.stderr)
        else:
            paths = _subset([str(root)], args.real_limit, work / "real") if args.real_limit else [str(root)]
            results += _engines("real", paths, work, models, "ray" in skip)
    synth_folder = work / "synthetic"
    if "synthetic" not in skip or "resume" not in skip:
        from ecgcore.synth import generate_corpus

        t0 = time.perf_counter()
        generate_corpus(synth_folder, records=args.synthetic, rates=(500,), workers=2, progress=False)
        print(f"  synthetic archive: {args.synthetic} records written in {time.perf_counter() - t0:.0f} s", flush=True)
    synth_paths = [str(synth_folder / "records500")]
    if "synthetic" not in skip:
        results += _engines("synthetic", synth_paths, work, models, "ray" in skip)
    print("\n| set | engine | records | s | records/s | vs serial | vs local 2 | peak RSS/worker (MB) | load (1 min) | rows |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        base = next(x for x in results if x["set"] == r["set"] and x["engine"] == "serial loop")
        local2 = next((x for x in results if x["set"] == r["set"] and x["engine"] == "local, 2 workers"), None)
        print(f"| {r['set']} | {r['engine']} | {r['records']} | {r['seconds']:.1f} | {r['rate']:.2f} | "
              f"{r['rate'] / base['rate']:.2f}x | {r['rate'] / local2['rate']:.2f}x | {r['rss_mb']:.0f} | {r['load']:.1f} | "
              f"{r['rows']} |"
              if local2 else "")
    if "resume" not in skip:
        k = _kill_resume(synth_paths, work, models, args.kill_after)
        print(f"\nkill and resume ({k['records']} synthetic records, 16 per shard, 2 workers): killed with "
              f"{k['shards_at_kill']} of {k['shards']} shards written; resume took {k['resume_s']:.1f} s (exit "
              f"{k['rc']}); records scored twice: {k['twice']}, lost: {k['lost']}")
    if "holter" not in skip:
        h = _holter(args.holter_hours, work, models)
        print(f"\nholter: {h['hours']:g} h, 3 leads, 250 Hz (SYNTHETIC; {h['file_mb']:.0f} MB WFDB, made in "
              f"{h['make_s']:.0f} s): scored in {h['seconds']:.0f} s ({h['segments']} segments, status {h['status']}, "
              f"AF burden {h['af_burden']:.3f}), worker peak RSS {h['rss_mb']:.0f} MB")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
