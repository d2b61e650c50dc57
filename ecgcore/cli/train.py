"""`python -m ecgcore train --model NAME --data DIR`: train on folds 1-8, select on fold 9, save the checkpoint.

Writes assets/models/NAME/ (weights, config.json, card.json) or --out; a checkpoint per epoch goes to the run
folder (default runs/NAME), and --resume continues an interrupted run from it.
"""
from __future__ import annotations

import argparse
import json
import sys

from ecgcore.errors import ECGError


def _setting(text: str) -> tuple[str, object]:
    key, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        return key, json.loads(value)
    except ValueError:
        return key, value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="model name (see `python -m ecgcore models`)")
    parser.add_argument("--data", required=True, help="a PTB-XL folder (real PTB-XL or the synthetic corpus)")
    parser.add_argument("--task", default="superdiagnostic",
                        help="PTB-XL task: superdiagnostic (default), subdiagnostic, diagnostic, form, rhythm, all")
    parser.add_argument("--epochs", type=int, default=None, help="epochs (default: the model's own setting)")
    parser.add_argument("--out", default=None, help="checkpoint folder (default assets/models/NAME)")
    parser.add_argument("--run-dir", default=None, help="per-epoch checkpoints (default runs/NAME)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --run-dir")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None, help="use only the first N records of each split (smoke runs)")
    parser.add_argument("--set", dest="settings", action="append", type=_setting, default=[], metavar="KEY=VALUE",
                        help="override a hyper-parameter, e.g. --set lr=0.001 --set widths=[32,32,48,64]")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")


def run(args: argparse.Namespace) -> int:
    from ecgcore.models.registry import model_class

    try:
        model_class(args.model)  # unknown names fail before any data is read
        if args.threads:
            import torch

            torch.set_num_threads(args.threads)
        from ecgcore.training import train

        model = train(args.model, args.data, task=args.task, epochs=args.epochs, out=args.out, run_dir=args.run_dir,
                      resume=args.resume, seed=args.seed, limit=args.limit, **dict(args.settings))
    except ECGError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    card = model.card()
    t = card["training"]
    print(f"{model.name}: {card['parameters']:,} parameters, validation macro AUC {t.get('val_macro_auc')}, "
          f"trained in {t.get('train_seconds')} s; saved to {args.out or 'assets/models/' + model.name}")
    return 0
