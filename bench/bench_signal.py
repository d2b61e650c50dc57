"""Speed and memory of `ecgcore.signal.analyse_record`, one thread.

    nice -n 10 .venv/bin/python -m bench.bench_signal [--repeats 20] [--long-minutes 30]

Goals (issue 11): a 10 s 500 Hz record in at most 100 ms; a 30-minute record in at most 5 s and 500 MB.
The 10 s records are real (PTB-XL 00001-00010 at 500 Hz); the long record is real LUDB records 1-100 joined end
to end and resampled to 257 Hz (a Holter-like rate), 12 leads. Memory: the process's peak resident set (ru_maxrss)
over the analysis, less the resident set before it.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from ecgcore.data import ludb, ptbxl  # noqa: E402
from ecgcore.core.ecg import ECG  # noqa: E402
from ecgcore.core.settings import resolve  # noqa: E402
from ecgcore.signal import analyse_record  # noqa: E402
from ecgcore.signal.resample import resample_signal  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--long-minutes", type=float, default=30.0)
    args = ap.parse_args()
    root = resolve().require_data_root()
    short = [ptbxl.load_ecg(root / "ptbxl", i, rate=500) for i in range(1, 11)]
    analyse_record(short[0])  # imports, filter designs
    times = []
    for _ in range(max(1, args.repeats // len(short))):
        for ecg in short:
            t0 = time.perf_counter()
            analyse_record(ecg)
            times.append((time.perf_counter() - t0) * 1000)
    print(f"10 s, 500 Hz, 12 leads: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms "
          f"over {len(times)} runs (goal <= 100 ms)")
    parts = [ludb.load_ecg(root / "ludb", n).signal for n in ludb.list_records(root / "ludb")]
    sig = np.concatenate(parts, axis=1)
    reps = int(np.ceil(args.long_minutes * 60 * 500 / sig.shape[1]))
    sig = resample_signal(np.tile(sig, (1, reps))[:, : int(args.long_minutes * 60 * 500)], 500.0, 257.0)
    ecg = ECG(sig, 257.0, "ludb-joined", "bench")
    del parts
    before = rss_mb()
    t0 = time.perf_counter()
    a = analyse_record(ecg)
    dt = time.perf_counter() - t0
    print(f"{ecg.duration / 60:.0f} min, 257 Hz, 12 leads: {dt:.1f} s, peak resident +{rss_mb() - before:.0f} MB "
          f"(goal <= 5 s, 500 MB); {a.beats.n} beats, rhythm {a.rhythm.name}")


if __name__ == "__main__":
    main()
