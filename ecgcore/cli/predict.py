"""`python -m ecgcore predict FILE... [--model NAME] [--json]`: class probabilities and decisions per file.

One line per file (a JSON object with --json). A file that cannot be read or scored prints
`error: <message>` on stderr, the exit code becomes 2, and the other files are still printed.
"""
from __future__ import annotations

import argparse
import json
import sys

from ecgcore.cli import print_file_error
from ecgcore.core.errors import ECGError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="ECG files: WFDB .hea (its .dat/.mat beside it), .zip, .csv, .npy, .edf")
    parser.add_argument("--model", default="resnet1d", help="model name (default resnet1d; see `models`)")
    parser.add_argument("--models-dir", default=None,
                        help="where the checkpoints are (default: $ECG_MODELS_DIR, else assets/models)")
    parser.add_argument("--fs", type=float, default=None, help="sampling rate in Hz for files that carry none")
    parser.add_argument("--json", action="store_true", help="one JSON object per file")


def predict_file(model, path: str, fs: float | None = None) -> dict:
    """What `predict` prints for one file (raises ECGError for a bad one)."""
    from ecgcore.io import read_path

    ecg = read_path(path, fs=fs)
    probs = model.predict_proba(ecg)[0]
    return {
        "file": path, "record_id": ecg.record_id, "model": model.name, "fs": ecg.fs, "duration_s": round(ecg.duration, 3),
        "probabilities": {c: round(float(p), 4) for c, p in zip(model.classes, probs)},
        "decisions": {c: bool(p >= t) for c, p, t in zip(model.classes, probs, model.thresholds)},
        "thresholds": {c: round(float(t), 4) for c, t in zip(model.classes, model.thresholds)},
    }


def run(args: argparse.Namespace) -> int:
    from ecgcore.models import load_model

    try:
        model = load_model(args.model, args.models_dir)
    except ECGError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    status = 0
    for path in args.files:
        try:
            out = predict_file(model, path, args.fs)
        except ECGError as exc:
            print_file_error(path, exc)
            status = 2
            continue
        if args.json:
            print(json.dumps(out), flush=True)
        else:
            shown = "  ".join(f"{c} {p:.2f}{'*' if out['decisions'][c] else ''}" for c, p in out["probabilities"].items())
            print(f"{path}: {shown}   (* = above the class threshold)", flush=True)
    return status
