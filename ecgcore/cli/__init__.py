"""`python -m ecgcore COMMAND ...`: each command lives in its own module, imported only when used.

A command module defines `add_arguments(parser)` and `run(args) -> int` (the exit code).
"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

COMMANDS: dict[str, str] = {
    "info": "Print what each ECG file holds (JSON per file).",
    "data": "What the data root holds per source: records, rates, labels per superclass, duplicates removed.",
    "records": "List the real records (or PTB-XL's index, with filters) as a table.",
    "download": "Download PTB-XL and LUDB from PhysioNet into data/ (needs internet).",
    "synth": "Write a synthetic PTB-XL-shaped corpus (clearly marked synthetic).",
    "train": "Train a model and write its checkpoint folder.",
    "evaluate": "Evaluate a model on a test fold or a folder of Challenge-format records.",
    "predict": "Predict class probabilities for ECG files.",
    "models": "List the shipped models with their key figures.",
    "explain": "Predictions, class activation map (HiResCAM by default, or Grad-CAM), per-lead attribution, lead evidence, beats and measurements for one file.",
    "measure": "Rhythm, HR, PR, QRS, QT, QTc, axis (value or not measurable with its reason) and flags per file.",
    "interpret": "Interpretation statements from criteria (leads, values, severity, SCP, SNOMED) and the per-lead "
                 "measurement matrix per file.",
    "score": "Score a whole archive (files, folders, globs, zips) into Parquet shards; local pool or Ray.",
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    top = argparse.ArgumentParser(prog="python -m ecgcore", description=__doc__.splitlines()[0])
    top.add_argument("command", choices=sorted(COMMANDS), help="; ".join(f"{k}: {v}" for k, v in COMMANDS.items()))
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        top.parse_args(argv[:1])  # prints usage / the valid choices and exits 2
        return 2
    name = argv[0]
    module = importlib.import_module(f"ecgcore.cli.{name}")
    parser = argparse.ArgumentParser(prog=f"python -m ecgcore {name}", description=COMMANDS[name])
    module.add_arguments(parser)
    return int(module.run(parser.parse_args(argv[1:])))


def print_file_error(path: str, exc: Exception) -> None:
    """`error: <path>: <message>` on stderr, for per-file commands (the caller returns exit code 2)."""
    message = str(exc)
    if not message.startswith((path, Path(path).name)):
        message = f"{path}: {message}"
    print(f"error: {message}", file=sys.stderr, flush=True)


def for_each_file(paths: list[str], compute, render, as_json: bool) -> int:
    """The per-file commands' loop: `compute(path)` -> a JSON-able dict, printed as one JSON line (`as_json`) or
    as `render(result)`; a file that fails prints `error: ...` and the command goes on. Exit code 2 if any
    file failed, else 0."""
    import json

    from ecgcore.core.errors import ECGError

    status = 0
    for path in paths:
        try:
            result = compute(path)
        except ECGError as exc:
            print_file_error(path, exc)
            status = 2
            continue
        print(json.dumps(result) if as_json else render(result), flush=True)
    return status
