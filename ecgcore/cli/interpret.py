"""`python -m ecgcore interpret FILE... [--json]`: the interpretation statements of each file, with their leads,
values, severity, PTB-XL SCP acronym and SNOMED-CT code, and the per-lead measurement matrix.

Text: one line per statement ("urgent" ones marked "!!"), "not assessable" with its reason. With --json, one
JSON object per line and file: {"file", "record_id", "statements": [{text, key, scp, snomed, leads,
severity, values, criterion, source, reason, marks}], "measurements": {global, leads, pacing, ...}}. A file
that cannot be read prints `error: <message>` on stderr and the exit code is 2; the other files go on.
"""
from __future__ import annotations

import argparse

from ecgcore.cli import for_each_file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="ECG files: WFDB .hea, .zip, .csv, .npy, .edf, GE MUSE / Philips / HL7 aECG XML, DICOM, "
                             "SCP-ECG")
    parser.add_argument("--fs", type=float, default=None,
                        help="sampling rate in Hz for files that carry none (.npy, CSV without a time column)")
    parser.add_argument("--json", action="store_true", help="one JSON object per file and line")


def interpret_file(path: str, fs: float | None = None) -> dict:
    """What `interpret --json` prints for one file (raises ECGError for a bad one)."""
    from ecgcore.interpret import interpret
    from ecgcore.io import read_path

    return {"file": path, **interpret(read_path(path, fs=fs)).to_dict()}


def _fmt(v) -> str:
    return "—" if v is None else f"{v:.3g}" if abs(v) < 10 else f"{v:.0f}"


def text(result: dict) -> str:
    """The human-readable block for one file."""
    lines = [f"{result['file']}:"]
    for s in result["statements"]:
        mark = {"urgent": "!!", "abnormal": " *", "normal": "  ", "not assessable": " ?"}[s["severity"]]
        codes = ", ".join(c for c in (s["scp"], s["snomed"] and f"SNOMED {s['snomed']}") if c)
        if s["severity"] == "not assessable":
            lines.append(f" {mark} {s['text']} ({s['reason']})")
            continue
        vals = ", ".join(f"{k} {_fmt(v)}" for k, v in s["values"].items() if v is not None)
        leads = f" [{', '.join(s['leads'])}]" if s["leads"] else ""
        lines.append(f" {mark} {s['text']}{leads}: {vals}" + (f"  ({codes})" if codes else ""))
    g = result["measurements"]["global"]
    lines.append("    " + ", ".join(f"{k} {_fmt(g.get(k))}" for k in ("HR", "PR", "QRS", "QT", "QTc_Bazett",
                                                                        "P_axis", "QRS_axis", "T_axis")))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    return for_each_file(args.files, lambda path: interpret_file(path, args.fs), text, args.json)
