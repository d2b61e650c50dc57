"""`python -m ecgcore evaluate`: figures of the shipped models; nothing is written without --save.

    evaluate --cv [--model NAME ...]      real PTB-XL 10-fold out-of-fold CV + fold 10 + every external set
    evaluate --cv --nested [--model NAME] the same, the CV nested: each split chooses its recipe among every
                                          candidate on its own validation fold (`ecgcore.learn.nested`;
                                          resumable, cached in data/cache/nested; one process per model may run
                                          side by side; `--model ensemble` afterwards averages the members')
    evaluate --ablation [--model NAME ...] every recipe on the shipped split (fold 9 chooses, fold 10 reports)
    evaluate --model NAME --data DIR      fold 10 of a PTB-XL-layout folder (synthetic corpus:
                                          "synthetic_fold10") or a folder of Challenge records

--save writes assets/models/NAME/results_<set>.json (schema: `ecgcore.learn.evaluation`) and the card's figures;
with --ablation it writes assets/models/ablation.json and the chosen recipes to assets/models/recipes.json (rows
and choices of the models not run are kept).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ecgcore.core.settings import resolve
from ecgcore.core.errors import ECGError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", action="append", default=None, help="model name (repeatable; default: all)")
    parser.add_argument("--data", default=None, help="a PTB-XL-layout folder or a folder of Challenge records")
    parser.add_argument("--cv", action="store_true", help="real PTB-XL cross-validation, fold 10 and external sets")
    parser.add_argument("--ablation", action="store_true", help="the recipe ablation on the shipped split")
    parser.add_argument("--nested", action="store_true",
                        help="with --cv: choose the recipe inside each split on its own validation fold (resumable)")
    parser.add_argument("--cache-dir", default=None,
                        help="with --nested: where each (model, recipe, split) result is cached "
                             "(default: $ECG_CACHE_DIR, else data/cache)")
    parser.add_argument("--models-dir", default=str(resolve().models_dir),
                        help="where the checkpoints are (default: $ECG_MODELS_DIR, else assets/models)")
    parser.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples for the 95%% intervals")
    parser.add_argument("--save", action="store_true", help="write results_<set>.json and the card's figures")
    parser.add_argument("--json", action="store_true", help="print the key figures as JSON")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")


def _ci(ci: list[float] | None) -> str:
    return "" if not ci else f" (95% CI {ci[0]:.3f}-{ci[1]:.3f})"


def _line(name: str, figures: dict) -> str:
    per = " ".join(f"{c} {'n/a' if a is None else f'{a:.3f}'}({figures['positives'][c]})"
                   for c, a in figures["per_class_auc"].items())
    auc = figures["macro_auc"]
    return (f"{name:12s} {figures['set']:22s} N={figures['n_records']:4d} macro AUC "
            f"{'n/a' if auc is None else f'{auc:.3f}'}{_ci(figures['macro_auc_ci95'])}  per class (positives): {per}")


def run(args: argparse.Namespace) -> int:
    import torch

    from ecgcore.learn.evaluation import evaluate
    from ecgcore.metrics.summary import key_figures
    from ecgcore.models import model_names

    torch.set_num_threads(max(1, args.threads))
    names = args.model or model_names()
    # the ensemble is not trained: its thresholds and figures come from its members (python -m ecgcore.learn.ensemble)
    ensemble = "ensemble" in names and (args.cv or args.ablation)
    if ensemble:
        names = [n for n in names if n != "ensemble"]
    log = (lambda s: print(s, file=sys.stderr, flush=True))
    if args.nested and not args.cv:
        print("error: --nested goes with --cv (the nested cross-validation); see --help", file=sys.stderr)
        return 2
    try:
        if args.ablation:
            return _ablation(names, args, log)
        if args.cv:
            from ecgcore.learn.figures import evaluate_real

            figures = {}
            for name in names:
                figures[name] = {k: key_figures(v) for k, v in
                                 evaluate_real(name, args.models_dir, save=args.save, n_boot=args.n_boot, log=log,
                                               nested=args.nested, cache_dir=args.cache_dir).items()}
                for fig in figures[name].values():
                    print(_line(name, fig), flush=True)
            if ensemble and args.save:
                from ecgcore.learn.ensemble import build

                figures["ensemble"] = {k: key_figures(v) for k, v in build(args.models_dir, log=log).items()}
                for fig in figures["ensemble"].values():
                    print(_line("ensemble", fig), flush=True)
        elif args.data:
            figures = {n: {"data": key_figures(evaluate(n, args.data, args.models_dir, args.n_boot, args.save))}
                       for n in names}
            for name, figs in figures.items():
                print(_line(name, figs["data"]))
        else:
            print("error: give --cv, --ablation or --data DIR (see --help)", file=sys.stderr)
            return 2
    except ECGError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(figures, indent=2))
    if not args.save:
        print("(nothing written: add --save to write results and cards)", file=sys.stderr)
    return 0


def _ablation(names: list[str], args: argparse.Namespace, log) -> int:
    from ecgcore.models import checkpoint
    from ecgcore.learn.protocol import ablation, choose, merge_rows
    from ecgcore.data.evalsets import ptbxl_set

    rows = ablation(names, ptbxl_set(), args.models_dir, log=log)
    chosen = choose(rows)
    print(f"{'model':12s} {'recipe':50s} {'fold 9 (selects)':>16s} {'fold 10 (test)':>15s} {'seconds':>8s}")
    for r in rows:
        mark = " <- chosen" if chosen.get(r["model"]) == r["recipe"] else ""
        print(f"{r['model']:12s} {r['recipe']:50s} {r['val_fold9_macro_auc']:16.3f} {r['test_fold10_macro_auc']:15.3f} "
              f"{r['seconds']:8.0f}{mark}")
    if args.save:  # the other models' rows and choices are kept: a run over some models replaces only theirs
        folder = Path(args.models_dir)
        path = folder / "ablation.json"
        stored = json.loads(path.read_text())["rows"] if path.is_file() else []
        merged = merge_rows(stored, rows)
        checkpoint.write_json(path, {"rows": merged, "chosen": choose(merged),
                                     "rule": "best fold-9 (validation) macro AUC per model"})
        recipes_file = folder / "recipes.json"
        stored = json.loads(recipes_file.read_text()) if recipes_file.is_file() else {}
        checkpoint.write_json(recipes_file, {**stored, **chosen})
    if args.json:
        print(json.dumps({"rows": rows, "chosen": chosen}, indent=2))
    return 0
