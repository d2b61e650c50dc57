"""`python -m ecgcore synth --out DIR --records N --seed S [--rates 100 500] [--workers K]`."""
from __future__ import annotations

import argparse
import sys

from ecgcore.core.errors import ECGError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="folder to write (new, empty, or an earlier synthetic corpus)")
    parser.add_argument("--records", type=int, default=21799, help="number of records, 1-21799 (default: PTB-XL's 21799)")
    parser.add_argument("--seed", type=int, default=0, help="random seed; same seed, same bytes (default 0)")
    parser.add_argument("--rates", type=int, nargs="+", default=[100], choices=[100, 500],
                        help="sampling rates to write in Hz (default: 100)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from ecgcore.synth import generate_corpus

    try:
        summary = generate_corpus(args.out, records=args.records, seed=args.seed, rates=tuple(args.rates),
                                  workers=args.workers, progress=not args.quiet)
    except ECGError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rate = summary.records / max(summary.seconds, 1e-9)
    print(f"wrote {summary.records} SYNTHETIC records (seed {summary.seed}, {'/'.join(map(str, summary.rates))} Hz) "
          f"to {summary.out} in {summary.seconds:.1f} s ({rate:.1f} records/s)")
    return 0
