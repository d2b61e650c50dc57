"""`python -m ecgcore info FILE...`: one JSON line per file (rate, samples, duration, leads, derived, format).

A file that cannot be read prints `error: <message>` (naming the file) on stderr and the exit code is 2; the other
files are still printed.
"""
from __future__ import annotations

import argparse
import json

from ecgcore.cli import print_file_error
from ecgcore.core.errors import ECGError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="ECG files: WFDB .hea (its .dat/.mat beside it), .zip, .csv, .npy, .edf")
    parser.add_argument("--fs", type=float, default=None,
                        help="sampling rate in Hz for files that carry none (.npy, CSV without a time column)")


def describe(path: str, fs: float | None = None) -> dict:
    """What `info` prints for one file (raises ECGError for a bad one)."""
    from ecgcore.io import read_path

    ecg = read_path(path, fs=fs)
    summary = ecg.summary()
    return {
        "file": path,
        "record_id": ecg.record_id,
        "format": ecg.meta.get("format"),
        "container": ecg.meta.get("container"),
        "fs": ecg.fs,
        "samples": summary["samples"],
        "duration_s": summary["duration_s"],
        "leads": summary["leads"],
        "derived": summary["derived"],
        "age": ecg.age,
        "sex": ecg.sex,
        "ignored_channels": ecg.meta.get("ignored_channels", []),
        "notes": ecg.meta.get("notes", []),
    }


def run(args: argparse.Namespace) -> int:
    status = 0
    for path in args.files:
        try:
            print(json.dumps(describe(path, args.fs)), flush=True)
        except ECGError as exc:
            print_file_error(path, exc)
            status = 2
    return status
