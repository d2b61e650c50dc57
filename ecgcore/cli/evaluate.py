"""`python -m ecgcore evaluate --model NAME --data DIR|real`: test-fold / real-record figures of a shipped model.

Writes assets/models/NAME/results_<dataset>.json (AUC with bootstrap 95% CIs, accuracy, precision, recall, F1
at the fold-9 thresholds, confusion matrices, ROC points, calibration, raw predictions) and adds the key figures
to the model card. --json prints the key figures.
"""
from __future__ import annotations

import argparse
import json
import sys

from ecgcore.config import MODELS_DIR
from ecgcore.errors import ECGError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="model name (see `python -m ecgcore models`)")
    parser.add_argument("--data", required=True,
                        help="a PTB-XL folder (fold 10 is used), a folder of Challenge-format records, or 'real'")
    parser.add_argument("--models-dir", default=str(MODELS_DIR), help="where the checkpoints are")
    parser.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples for the 95%% intervals")
    parser.add_argument("--json", action="store_true", help="print the key figures as JSON")


def _ci(ci: list[float] | None) -> str:
    return "" if not ci else f" (95% CI {ci[0]:.3f}-{ci[1]:.3f})"


def run(args: argparse.Namespace) -> int:
    from ecgcore.evaluation import evaluate, key_figures

    try:
        results = evaluate(args.model, args.data, models_dir=args.models_dir, n_boot=args.n_boot)
    except ECGError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    figures = {"model": args.model, **key_figures(results)}
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    auc = figures["macro_auc"]
    print(f"{args.model} on {figures['dataset']}: {figures['n_records']} records, macro AUC "
          f"{auc:.3f}{_ci(figures['macro_auc_ci95'])} over {', '.join(figures['classes_in_macro'])}; "
          f"macro F1 {figures['macro_f1']:.3f}")
    for c, a in figures["per_class_auc"].items():
        print(f"  {c:5s} AUC {'n/a (no positives or negatives)' if a is None else f'{a:.3f}'}  "
              f"positives {figures['positives'][c]}")
    print(f"written: {args.models_dir}/{args.model}/{figures['results_file']}")
    return 0
