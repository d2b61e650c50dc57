"""`python -m ecgcore records [filters] [--data DIR] [--json]`: list PTB-XL records as a table.

With --demo it lists every shipped real record instead (PTB-XL, Challenge and ptbdb, with their labels).
"""
from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from ecgcore.config import SUPERCLASSES, ptbxl_dir
from ecgcore.errors import ECGError

_TABLE = ["ecg_id", "age", "sex", "superclasses", "scp_codes", "strat_fold", "validated_by_human", "has_100",
          "has_500"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", help="PTB-XL folder (default: $ECG_PTBXL_DIR, else the shipped demo folder)")
    parser.add_argument("--superclass", nargs="+", type=str.upper, choices=SUPERCLASSES, metavar="CLASS",
                        help=f"records with any of these superclasses ({', '.join(SUPERCLASSES)})")
    parser.add_argument("--scp", nargs="+", metavar="CODE", help="records with any of these SCP codes (e.g. IMI)")
    parser.add_argument("--age-min", type=float, help="youngest age in years (inclusive)")
    parser.add_argument("--age-max", type=float, help="oldest age in years (inclusive)")
    parser.add_argument("--sex", type=str.upper, choices=("M", "F"))
    parser.add_argument("--fold", nargs="+", type=int, metavar="N", help="strat_fold(s), 1-10")
    parser.add_argument("--validated", action="store_true", help="only records validated by a human")
    parser.add_argument("--with-signal", action="store_true", help="only records whose waveform files exist")
    parser.add_argument("--limit", type=int, default=50, help="rows to print in the table (default 50; 0 = all)")
    parser.add_argument("--demo", action="store_true",
                        help="list every shipped real record (PTB-XL, Challenge, ptbdb) instead")
    parser.add_argument("--json", action="store_true", help="print JSON (all matching rows) instead of a table")


def _ptbxl_table(args: argparse.Namespace) -> pd.DataFrame:
    from ecgcore.data import ptbxl

    root = ptbxl_dir(args.data)
    db = ptbxl.load_database(root)
    if args.scp:
        ptbxl.check_scp_codes(args.scp, ptbxl.load_statements(root))
    rows = ptbxl.filter_records(
        db, superclass=args.superclass, scp=args.scp, age_min=args.age_min, age_max=args.age_max, sex=args.sex,
        fold=args.fold, validated=True if args.validated else None, with_signal=True if args.with_signal else None,
    )
    table = rows.reset_index()
    return table[[c for c in _TABLE if c in table.columns]]


def _demo_table() -> pd.DataFrame:
    from ecgcore.data.catalogue import demo_catalogue

    return demo_catalogue()[["record_id", "source", "fs", "duration", "age", "sex", "superclasses", "strat_fold",
                             "codes", "duplicate_of", "in_real_set"]]


def _plain(value: object) -> object:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return value
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


def run(args: argparse.Namespace) -> int:
    try:
        table = _demo_table() if args.demo else _ptbxl_table(args)
    except ECGError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        rows = [{k: _plain(v) for k, v in row.items()} for row in table.to_dict(orient="records")]
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    shown = table if args.limit <= 0 else table.head(args.limit)
    shown = shown.assign(**{c: shown[c].map(lambda v: ", ".join(v) if isinstance(v, (tuple, dict)) else
                                            ("-" if v is None else v))
                            for c in ("superclasses", "scp_codes") if c in shown.columns})
    print(shown.to_string(index=False) if len(shown) else "(no record matches)")
    if len(shown) < len(table):
        print(f"... {len(table) - len(shown)} more; {len(table)} records match (use --limit 0 or --json for all)")
    else:
        print(f"{len(table)} records")
    return 0
