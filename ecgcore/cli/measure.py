"""`python -m ecgcore measure FILE... [--json]`: rhythm, HR, PR, QRS, QT, QTc (Bazett, Fridericia) and axis.

Each measurement is a value or "—" (JSON: null) with the reason it is not measurable, followed by the clinical
flags (`ecgcore.signal.flags`) and the analysis notes. With --json, one JSON line per file. A file that
cannot be read prints `error: <message>` (naming the file) on stderr and the exit code is 2; the other files
are still measured.
"""
from __future__ import annotations

import argparse

from ecgcore.cli import for_each_file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="ECG files: WFDB .hea (its .dat/.mat beside it), .zip, .csv, .npy, .edf")
    parser.add_argument("--fs", type=float, default=None,
                        help="sampling rate in Hz for files that carry none (.npy, CSV without a time column)")
    parser.add_argument("--json", action="store_true", help="one JSON line per file")


def measure_file(path: str, fs: float | None = None) -> dict:
    """What `measure` prints for one file (raises ECGError for a bad one)."""
    from ecgcore.io import read_path
    from ecgcore.signal import analyse_record

    ecg = read_path(path, fs=fs)
    return {"file": path, **analyse_record(ecg).to_dict()}


def text(result: dict) -> str:
    """The human-readable block for one file."""
    from ecgcore.signal.analysis import LABELS

    lines = [f"{result['file']}: {result['rhythm']}"]
    for key, label in LABELS.items():
        m = result["measurements"][key]
        value = "—" if m["value"] is None else f"{m['value']:.0f} {m['unit']}"
        flags = [f["text"] for f in result["flags"] if f["key"] == ("QTc" if key == "QTc_Bazett" else key)]
        extra = f"  ({m['reason']})" if m["reason"] else ""
        extra += "".join(f"  [flag: {f}]" for f in flags)
        lines.append(f"  {label:<16} {value:>9}{extra}")
    lines += [f"  note: {n}" for n in result["notes"]]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    return for_each_file(args.files, lambda path: measure_file(path, args.fs), text, args.json)
