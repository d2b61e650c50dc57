"""Time to load and filter a full-size (21,799-row) PTB-XL metadata index.

    .venv/bin/python -m bench.bench_index [--data DIR] [--rows 21799] [--repeat 5]

With --data (or when data/synth-ptbxl/ptbxl_database.csv exists) the folder's own table is timed. Otherwise a
full-size table is built in a temporary folder by sampling the 550 real rows of the data root's ptbxl/
ptbxl_database.csv with replacement (seeded), giving each copy a new ecg_id, file names, patient_id, jittered
age, a fold 1-10 and re-drawn SCP likelihoods (same codes, so the same labels; thousands of distinct
scp_codes strings to parse, as in PTB-XL); reports and every other column are real text. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


from ecgcore.core.settings import ROOT, resolve  # noqa: E402

DEMO_PTBXL = resolve().source("ptbxl")
from ecgcore.data import ptbxl  # noqa: E402

SYNTH = ROOT / "data" / "synth-ptbxl"


def build_full_size_table(out: Path, rows: int, seed: int = 0) -> Path:
    """A PTB-XL folder (csv files only) with `rows` rows resampled from the real rows of the data root's ptbxl/."""
    rng = np.random.default_rng(seed)
    real = pd.read_csv(DEMO_PTBXL / ptbxl.DATABASE_CSV)
    table = real.iloc[rng.integers(0, len(real), rows)].reset_index(drop=True)
    ids = np.arange(1, rows + 1)
    table["ecg_id"] = ids
    table["patient_id"] = rng.integers(1, 22000, rows).astype(float)
    table["age"] = (table["age"] + rng.integers(-3, 4, rows)).clip(18, 95)
    table["strat_fold"] = rng.integers(1, 11, rows)
    likelihoods = np.array([0.0, 15.0, 35.0, 50.0, 80.0, 100.0])  # the values PTB-XL uses
    table["scp_codes"] = [
        re.sub(r": [0-9.]+", lambda _: f": {rng.choice(likelihoods)}", text) for text in table["scp_codes"]
    ]
    table["filename_lr"] = [f"records100/{i // 1000 * 1000:05d}/{i:05d}_lr" for i in ids]
    table["filename_hr"] = [f"records500/{i // 1000 * 1000:05d}/{i:05d}_hr" for i in ids]
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / ptbxl.DATABASE_CSV, index=False)
    shutil.copy(DEMO_PTBXL / ptbxl.STATEMENTS_CSV, out)
    return out


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall time in ms over `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="a PTB-XL folder to time instead of a generated table")
    parser.add_argument("--rows", type=int, default=21799)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--signals", type=int, default=0, metavar="N",
                        help="also time load_signals (100 Hz) for the first N records with waveforms, first read "
                             "and cached read (0 = skip; CPU-heavy for a full corpus)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        if args.data:
            root, what = Path(args.data), f"folder {args.data}"
        elif (SYNTH / ptbxl.DATABASE_CSV).is_file():
            root, what = SYNTH, f"synthetic corpus {SYNTH}"
        else:
            root = build_full_size_table(Path(tmp) / "ptbxl", args.rows)
            what = f"{args.rows:,} rows resampled from the 550 real rows of ptbxl/"

        def cold():  # ecgcore keeps no cache: every call reads the csv (the app caches the frame)
            return ptbxl.load_database(root)

        raw_ms, _ = timed(lambda: pd.read_csv(root / ptbxl.DATABASE_CSV, index_col="ecg_id"), args.repeat)
        cold_ms, db = timed(cold, args.repeat)
        warm_ms, _ = timed(lambda: ptbxl.load_database(root), args.repeat)
        statements = ptbxl.load_statements(root)
        filters = {
            "superclass=MI": dict(superclass="MI"),
            "scp=IMI": dict(scp="IMI"),
            "age 50-70, sex F": dict(age_min=50, age_max=70, sex="F"),
            "fold 10, validated": dict(fold=10, validated=True),
            "all of: NORM, M, 20-60 y, folds 1-8, validated": dict(superclass="NORM", sex="M", age_min=20,
                                                                    age_max=60, fold=range(1, 9), validated=True),
        }
        print(f"PTB-XL metadata index: {what}")
        print(f"  rows: {len(db):,}   csv: {(root / ptbxl.DATABASE_CSV).stat().st_size / 1e6:.1f} MB   "
              f"(median of {args.repeat} runs)")
        print(f"  pandas.read_csv alone                 {raw_ms:8.1f} ms")
        print(f"  load_database, cold (parse + labels)  {cold_ms:8.1f} ms")
        print(f"  load_database, again (no cache)       {warm_ms:8.1f} ms")
        for name, kwargs in filters.items():
            ms, rows = timed(lambda: ptbxl.filter_records(db, **kwargs), args.repeat)
            print(f"  filter {name:<46} {ms:8.1f} ms  -> {len(rows):,} rows")
        ms, (classes, Y) = timed(lambda: ptbxl.task_labels(db, statements, "superdiagnostic"), args.repeat)
        print(f"  task_labels superdiagnostic           {ms:8.1f} ms  -> Y {Y.shape}")
        ms, parts = timed(lambda: ptbxl.split(db), args.repeat)
        print(f"  split (folds 1-8 / 9 / 10)            {ms:8.1f} ms  -> "
              + " / ".join(f"{k} {len(v):,}" for k, v in parts.items()))
        if args.signals:
            ids = db.index[db["has_100"] | db["has_500"]][: args.signals]
            cache = Path(tmp) / "cache"
            first_ms, X = timed(lambda: ptbxl.load_signals(root, ids, 100, cache_dir=cache, db=db), 1)
            again_ms, _ = timed(lambda: ptbxl.load_signals(root, ids, 100, cache_dir=cache, db=db), 1)
            print(f"  load_signals 100 Hz, {len(ids):,} records: first {first_ms / 1000:.1f} s (wfdb, "
                  f"process pool), cached {again_ms / 1000:.2f} s -> X {X.shape} {X.nbytes / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
