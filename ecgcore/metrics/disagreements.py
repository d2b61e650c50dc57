"""Where models disagree, from their stored evaluation predictions (records x classes per model)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd


def disagreements(results: Mapping[str, Mapping[str, Any]], top: int | None = 25) -> pd.DataFrame:
    """Records every model scored in its stored evaluation, most disputed first.

    conflicts: classes on which the models' decisions (probability >= the model's threshold) differ;
    spread: the largest gap, over classes, between the highest and lowest probability the models gave.
    Sorted by conflicts, then spread. Columns per model list its positive classes.
    """
    names = list(results)
    if len(names) < 2:
        return pd.DataFrame()
    classes = list(results[names[0]]["classes"])
    shared = None
    tables = {}
    for name in names:
        pred = results[name]["predictions"]
        frame = pd.DataFrame(pred["y_prob"], index=pred["record_ids"], columns=results[name]["classes"])[classes]
        tables[name] = frame
        shared = frame.index if shared is None else shared.intersection(frame.index)
    truth = pd.DataFrame(results[names[0]]["predictions"]["y_true"],
                         index=results[names[0]]["predictions"]["record_ids"], columns=classes).loc[shared]
    probs = np.stack([tables[n].loc[shared].to_numpy() for n in names])  # (models, records, classes)
    thr = np.stack([[results[n]["thresholds"][c] for c in classes] for n in names])[:, None, :]
    decisions = probs >= thr
    conflicts = (decisions.any(axis=0) & ~decisions.all(axis=0))
    spread = probs.max(axis=0) - probs.min(axis=0)
    out = pd.DataFrame({
        "record_id": list(shared),
        "truth": [" ".join(c for c, t in zip(classes, row) if t) or "—" for row in truth.to_numpy()],
        "conflicts": [" ".join(c for c, x in zip(classes, row) if x) for row in conflicts],
        "n_conflicts": conflicts.sum(axis=1),
        "spread": spread.max(axis=1).round(3),
        "most disputed": [classes[i] for i in spread.argmax(axis=1)],
    })
    for m, name in enumerate(names):
        out[name] = [" ".join(c for c, x in zip(classes, row) if x) or "—" for row in decisions[m]]
    out = out.sort_values(["n_conflicts", "spread"], ascending=False, kind="stable").reset_index(drop=True)
    return out if top is None else out.head(top)
