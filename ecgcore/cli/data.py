"""`python -m ecgcore data [--data-root DIR] [--json]`: what the data root holds, per source.

Per source: records (with a waveform, duplicates removed), file rates, labelled records per superclass,
duplicates removed, metadata rows without a waveform, and the size of the source's real evaluation set.
"""
from __future__ import annotations

import argparse
import json
import sys

from ecgcore.core.labels import SUPERCLASSES
from ecgcore.core.errors import ECGError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-root", help="the data root (default: $ECG_DATA_ROOT, else ../shared)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args: argparse.Namespace) -> int:
    from ecgcore.data import catalogue
    from ecgcore.core.settings import resolve

    try:
        settings = resolve(data_root=args.data_root)
        settings.require_data_root()
        counts = catalogue.summary(settings)
    except ECGError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"data_root": str(settings.data_root), "sources": counts}, indent=1))
        return 0
    print(f"data root: {settings.data_root}")
    header = ["source", "records", "rates (Hz: records)", "labelled", *SUPERCLASSES, "duplicates removed",
              "no waveform", "eval set"]
    rows = [header]
    for source, c in counts.items():
        rates = ", ".join(f"{k}: {v}" for k, v in c.get("rates_hz", {}).items())
        rows.append([source, c["records"], rates, c["labelled"], *(c["superclasses"][s] for s in SUPERCLASSES),
                     c["duplicates_removed"], c["no_waveform"], c["eval_set"]])
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(str(v).ljust(w) if i == 0 or i == 2 else str(v).rjust(w)
                        for i, (v, w) in enumerate(zip(row, widths))))
    return 0
