"""Speed of the synthetic corpus generator (goal: the full 21,799 records at 100 Hz in <= 10 min on 2 cores).

Times a smaller run (default 1,000 records, 2 workers, 100 Hz) end to end and extrapolates linearly to
21,799 records, saying so; `--records 21799` times the full run instead. Also prints the split between
simulating a record and writing it with wfdb.wrsamp (one process, CPU time), and the 500 Hz cost.

    .venv/bin/python -m bench.bench_synth [--records N] [--workers K]
"""
from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path


from ecgcore.synth import MAX_RECORDS, generate_corpus, sample_cohort, simulate_record  # noqa: E402
from ecgcore.synth import writer  # noqa: E402

GOAL_S = 600.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    print(f"cores visible: {os.cpu_count()}, load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    specs = sample_cohort(200, seed=11)
    t = time.process_time()
    recs = [simulate_record(s, (100,)) for s in specs]
    sim_ms = (time.process_time() - t) / len(specs) * 1000
    with tempfile.TemporaryDirectory() as tmp:
        t = time.process_time()
        for r in recs:
            writer.write_record(Path(tmp), r.ecg_id, 100, r.signals[100])
        write_ms = (time.process_time() - t) / len(recs) * 1000
    t = time.process_time()
    for s in specs[:50]:
        simulate_record(s, (100, 500))
    sim500_ms = (time.process_time() - t) / 50 * 1000
    print(f"per record, one process (CPU time): simulate {sim_ms:.1f} ms at 100 Hz, {sim500_ms:.1f} ms at 500+100 Hz; "
          f"wfdb.wrsamp {write_ms:.1f} ms per rate")

    def cpu() -> float:
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    c0 = cpu()
    with tempfile.TemporaryDirectory() as tmp:
        summary = generate_corpus(Path(tmp) / "corpus", records=args.records, seed=0, rates=(100,),
                                  workers=args.workers, progress=False)
    used = cpu() - c0
    kind = "measured" if args.records == MAX_RECORDS else f"extrapolated linearly from {args.records} records"
    scale = MAX_RECORDS / args.records
    wall, idle = summary.seconds * scale, used * scale / min(args.workers, 2)
    print(f"generate {args.records} records at 100 Hz, {args.workers} workers: {summary.seconds:.1f} s wall "
          f"({args.records / summary.seconds:.1f} records/s), {used:.1f} CPU-s")
    print(f"full corpus ({MAX_RECORDS} records, 100 Hz), {kind}: {wall:.0f} s = {wall / 60:.1f} min wall at this "
          f"machine's current load; {idle:.0f} s = {idle / 60:.1f} min on 2 otherwise idle cores (CPU-s / 2)")
    print(f"goal <= {GOAL_S / 60:.0f} min on 2 cores: {'met' if idle <= GOAL_S else 'NOT met'} (idle-core figure); "
          f"{'met' if wall <= GOAL_S else 'not met'} at the current load")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
