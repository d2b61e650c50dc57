"""`python -m ecgcore records [filters] [--data-root DIR | --data DIR] [--json]`: list PTB-XL records as a table.

PTB-XL here is the data root's `ptbxl/` and `ptbxl_more/` merged (`ptbxl.data_root_folders`), or one PTB-XL
folder given with --data (a full download, a synthetic corpus). With --all it lists every real record of the
data root instead (PTB-XL, Challenge, ptbdb, LUDB, with their labels; `ecgcore.data.catalogue`).
"""
from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from ecgcore.core.labels import SUPERCLASSES
from ecgcore.core.errors import ECGError
from ecgcore.core.settings import resolve

_TABLE = ["ecg_id", "age", "sex", "superclasses", "scp_codes", "strat_fold", "validated_by_human", "has_100",
          "has_500"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-root", help="the data root (default: $ECG_DATA_ROOT, else ../shared)")
    parser.add_argument("--data", help="one PTB-XL folder instead of the data root's (e.g. a full download)")
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
    parser.add_argument("--all", action="store_true",
                        help="list every real record of the data root (PTB-XL, Challenge, ptbdb, LUDB) instead")
    parser.add_argument("--json", action="store_true", help="print JSON (all matching rows) instead of a table")


def _ptbxl_table(args: argparse.Namespace) -> pd.DataFrame:
    from ecgcore.data import ptbxl

    root = args.data or ptbxl.data_root_folders(resolve(data_root=args.data_root))
    db = ptbxl.load_database(root)
    if args.scp:
        ptbxl.check_scp_codes(args.scp, ptbxl.load_statements(root))
    rows = ptbxl.filter_records(
        db, superclass=args.superclass, scp=args.scp, age_min=args.age_min, age_max=args.age_max, sex=args.sex,
        fold=args.fold, validated=True if args.validated else None, with_signal=True if args.with_signal else None,
    )
    table = rows.assign(age=ptbxl.age_column(rows)).reset_index()  # PTB-XL's "over 89" (300) shown as 90
    return table[[c for c in _TABLE if c in table.columns]]


def _all_table(args: argparse.Namespace) -> pd.DataFrame:
    from ecgcore.data.catalogue import catalogue

    settings = resolve(data_root=args.data_root)
    settings.require_data_root()
    return catalogue(settings)[["record_id", "source", "fs", "duration", "age", "sex", "superclasses", "strat_fold",
                                "patient_id", "codes", "duplicate_of", "eval_set"]]


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
        table = _all_table(args) if args.all else _ptbxl_table(args)
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
