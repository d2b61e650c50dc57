"""`python -m ecgcore train`: train on folds 1-8, select on fold 9, save the checkpoint.

    train --model NAME --data DIR [--out F]   from scratch on a PTB-XL-layout folder (the synthetic corpus for
                                              pretraining: --out assets/models/NAME/synthetic)
    train --model NAME --real [--recipe R]    the shipped weights: the recipe chosen by the ablation
                                              (assets/models/recipes.json) on real PTB-XL folds 1-8 / 9

Writes assets/models/NAME/ (weights, config.json, card.json) or --out; with --data a checkpoint per epoch goes
to the run folder (default runs/NAME), and --resume continues an interrupted run from it.
"""
from __future__ import annotations

import argparse
import json
import sys

from ecgcore.core.errors import ECGError


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
    parser.add_argument("--data", default=None, help="a PTB-XL folder (real PTB-XL or the synthetic corpus)")
    parser.add_argument("--real", action="store_true", help="the shipped weights: the chosen recipe on real PTB-XL")
    parser.add_argument("--recipe", default=None, help="with --real: a recipe name (default: recipes.json)")
    parser.add_argument("--task", default="superdiagnostic",
                        help="PTB-XL task: superdiagnostic (default), subdiagnostic, diagnostic, form, rhythm, all")
    parser.add_argument("--epochs", type=int, default=None, help="epochs (default: the model's own setting)")
    parser.add_argument("--out", default=None, help="checkpoint folder (default assets/models/NAME)")
    parser.add_argument("--run-dir", default=None, help="per-epoch checkpoints (default runs/NAME)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --run-dir")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--aggregate", default=None,
                        help="window aggregation for validation and prediction: mean (default) or max "
                             "(the PTB-XL benchmark's, for comparison)")
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
        if args.real:
            model = _train_real(args)
        elif args.data:
            from ecgcore.learn.pretrain import train

            model = train(args.model, args.data, task=args.task, epochs=args.epochs, out=args.out,
                          run_dir=args.run_dir, resume=args.resume, seed=args.seed, limit=args.limit,
                          aggregate=args.aggregate, **dict(args.settings))
        else:
            print("error: give --data DIR (a PTB-XL-layout folder) or --real", file=sys.stderr)
            return 2
    except ECGError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    card = model.card()
    t = card.training
    print(f"{model.name}: {card.parameters:,} parameters, validation macro AUC {t.get('val_macro_auc')}, "
          f"trained in {t.get('train_seconds')} s; saved to {args.out or 'assets/models/' + model.name}")
    return 0


def _train_real(args: argparse.Namespace):
    from pathlib import Path

    from ecgcore.core.settings import resolve
    from ecgcore.core.errors import UnknownNameError
    from ecgcore.learn.protocol import recipes_for, train_shipped

    models_dir = Path(args.out).parent if args.out else resolve().models_dir
    recipe_name = args.recipe
    if recipe_name is None:
        chosen = resolve().models_dir / "recipes.json"
        recipe_name = json.loads(chosen.read_text()).get(args.model) if chosen.is_file() else None
    recipes = recipes_for(args.model)
    if recipe_name not in recipes:
        raise UnknownNameError(f"unknown recipe {recipe_name!r} for {args.model}; valid: {', '.join(recipes)} "
                               "(or run `python -m ecgcore evaluate --ablation --save` to choose one)")
    return train_shipped(args.model, recipes[recipe_name], models_dir, progress=True)
