"""`python -m ecgcore models [--json]`: the registered models, whether their checkpoint is usable, and their key
figures: the real PTB-XL out-of-fold figure ("ptbxl_cv", with `nested` as its results store it, its provenance
(`ecgcore.models.card.cv_provenance`), the figure without fold 9, and for a nested figure the candidates, each
split's choice and the same run's non-nested figure), fold 10 and every external set."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ecgcore.core.settings import resolve
from ecgcore.core.errors import ECGError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--models-dir", default=None,
                        help="where the checkpoints are (default: $ECG_MODELS_DIR, else assets/models)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def describe(name: str, models_dir: str | Path | None = None) -> dict[str, Any]:
    """One model's entry: status "ok" with its card's key figures, or status "unavailable" with the reason."""
    from ecgcore.models import checkpoint, model_class
    from ecgcore.models.card import ModelCard, cv_provenance

    folder = resolve(models_dir=models_dir).models_dir / name
    entry: dict[str, Any] = {"name": name, "architecture": model_class(name).architecture}
    try:
        _, raw = checkpoint.read_verified(folder)
        card = ModelCard.from_json(raw)
    except ECGError as exc:
        return {**entry, "status": "unavailable", "reason": str(exc)}
    fields = ("n_records", "macro_auc", "macro_auc_ci95", "too_few", "resampled", "per_class_auc", "positives",
              "macro_f1", "synthetic")
    metrics = {k: {f: v.get(f) for f in fields} for k, v in card.metrics.items()}
    if "ptbxl_cv" in metrics:
        stored = card.metrics["ptbxl_cv"]
        nested, provenance = cv_provenance(stored)
        metrics["ptbxl_cv"].update({"nested": nested, "provenance": provenance,
                                    "without_selection_fold": stored.get("without_selection_fold")})
        if nested:
            metrics["ptbxl_cv"].update({k: stored.get(k) for k in ("candidates", "chosen_per_split", "not_nested")})
    return {**entry, "status": "ok", "parameters": card.parameters, "checkpoint_bytes": card.checkpoint_bytes,
            "classes": card.classes, "trained_on": card.trained_on.get("description") or card.trained_on,
            "recipe": _recipe_name(card.training.get("recipe")),
            "train_seconds": card.training.get("train_seconds"), "val_macro_auc": card.training.get("val_macro_auc"),
            "real_out_of_fold": metrics.get("ptbxl_cv"), "ptbxl_fold10": metrics.get("ptbxl_fold10"),
            "external": {k: v for k, v in metrics.items() if k.startswith("cinc_") or k in ("ptbdb", "ludb")},
            "metrics": metrics, "limitations": card.limitations}


def _recipe_name(recipe: Any) -> str | None:
    """The recipe's name (cards written before recipes were objects hold a sentence)."""
    return recipe.get("name") if isinstance(recipe, dict) else recipe


def run(args: argparse.Namespace) -> int:
    from ecgcore.models import model_names

    entries = [describe(n, args.models_dir) for n in model_names()]
    if args.json:
        print(json.dumps(entries, indent=2))
        return 0
    for e in entries:
        if e["status"] != "ok":
            print(f"{e['name']:12s} unavailable: {e['reason']}")
            continue
        figures = "; ".join(f"{k}: macro AUC {v['macro_auc']:.3f} (N={v['n_records']})"
                            for k, v in e["metrics"].items() if v.get("macro_auc") is not None)
        print(f"{e['name']:12s} {e['parameters']:>9,} params  {e['checkpoint_bytes'] / 1e6:5.2f} MB  "
              f"{figures or 'not evaluated yet'}")
    return 0
