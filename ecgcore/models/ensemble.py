"""`ensemble`: the mean of the shipped models' probabilities, a registered model with its own thresholds.

Why the mean and not a stacked model: a stacker (e.g. a logistic regression on the members' out-of-fold
probabilities) has weights to fit, and the only honest place to fit them is inside each outer CV split on
predictions the split's test fold never influenced; with 513 real records (75 MI) it would be fitted on a
few hundred records and re-tuned by the same fold 9 that already chose the members' recipes. The plain mean
has nothing to fit, so its out-of-fold figure is the mean of the members' out-of-fold predictions, record by
record, with no new selection: only its thresholds are chosen (max F1 on PTB-XL fold 9, like every model).

What is stored (`members.json`, the "weights" file): the member names and the sha256 of each member's
weights and config at the time the ensemble's thresholds were chosen. Loading loads every member from the
same models folder and refuses (CheckpointError) a member whose files changed since: the thresholds were
chosen for those weights. Built by `python -m ecgcore.learn.ensemble` (no training: one pass of the members
over fold 9, 72 records, then its figures from the members' stored predictions).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, Sequence

import numpy as np

from ecgcore.core.ecg import ECG
from ecgcore.models.base import ECGModel, PreparedInput
from ecgcore.models.checkpoint import CONFIG, CheckpointError, sha256_file
from ecgcore.models.registry import model_class, register

MEMBERS = ("inception1d", "kernel", "lstm", "resnet1d")


@register("ensemble")
class MeanEnsemble(ECGModel):
    architecture: ClassVar[str] = ("Mean of the probabilities of the shipped models (inception1d, kernel, lstm, "
                                   "resnet1d), equal weights, nothing learned; its own thresholds (max F1 on PTB-XL "
                                   "fold 9)")
    weights_name: ClassVar[str] = "members.json"
    defaults: ClassVar[dict[str, Any]] = {"members": list(MEMBERS)}
    card_input: ClassVar[dict[str, str]] = {
        "aggregate": "each member's own; the record's probability is the mean of the members' record probabilities",
        "normaliser": "each member's own (none of its own)"}
    retrain: ClassVar[str] = ("make train (the members), then python -m ecgcore.learn.ensemble (its thresholds and "
                              "figures, no training)")
    recipe_keys: ClassVar[tuple[str, ...]] = ("name", "init", "members")
    recipe_method: ClassVar[str] = ("nothing fitted; thresholds: max F1 per class on PTB-XL fold 9, on the mean of "
                                    "the shipped members' probabilities")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members_: dict[str, ECGModel] = {}

    def set_members(self, members: dict[str, ECGModel]) -> None:
        """Use these loaded models as members (names must match `hyper["members"]`, classes must match)."""
        if sorted(members) != sorted(self.hyper["members"]):
            raise CheckpointError(f"ensemble members {sorted(members)} differ from {sorted(self.hyper['members'])}")
        for name, m in members.items():
            if list(m.classes) != self.classes:
                raise CheckpointError(f"member {name} predicts {m.classes}, the ensemble {self.classes}")
        self.members_ = dict(sorted(members.items()))

    def _require_members(self) -> dict[str, ECGModel]:
        if not self.members_:
            raise CheckpointError("the ensemble has no members loaded; load it with load_model('ensemble')")
        return self.members_

    # every prediction path is the mean of the members' same path
    def _predict_signals(self, signals: Sequence[np.ndarray]) -> np.ndarray:
        return np.mean([m._predict_signals(signals) for m in self._require_members().values()], axis=0)

    def _window_proba(self, windows: np.ndarray) -> np.ndarray:
        return np.mean([m._window_proba(windows) for m in self._require_members().values()], axis=0)

    def predict_prepared(self, prepared: PreparedInput) -> tuple[np.ndarray, np.ndarray]:
        """The mean of the members' `predict_prepared` on the one prepared record (they share its rate and
        windows), so an explanation's probabilities equal `predict_proba`."""
        outs = [m.predict_prepared(prepared) for m in self._require_members().values()]
        return np.mean([p for p, _ in outs], axis=0), np.mean([w for _, w in outs], axis=0)

    def predict_windows(self, ecg: ECG) -> np.ndarray:
        """(windows, classes): the mean of the members' window probabilities (they share `window_starts`)."""
        return np.mean([m.predict_windows(ecg) for m in self._require_members().values()], axis=0)

    def parameter_count(self) -> int:
        return int(sum(m.parameter_count() for m in self._require_members().values()))

    def _write_weights(self, path: Path) -> None:
        members = {}
        for name, m in self._require_members().items():
            card = m.card()
            members[name] = {"weights": m.weights_name, "weights_sha256": card.weights_sha256(m.weights_name),
                             "config_sha256": (card.files.get(CONFIG) or {}).get("sha256")}
        path.write_text(json.dumps({"rule": "mean of the members' probabilities", "members": members}, indent=2) + "\n")

    def _read_weights(self, path: Path) -> None:
        try:
            stored = json.loads(Path(path).read_text())["members"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(f"{path} is not an ensemble's member list ({exc}); rebuild it with "
                                  "`python -m ecgcore.learn.ensemble`") from exc
        models_dir = Path(path).parent.parent
        loaded = {}
        for name, info in stored.items():
            member = model_class(name).load(models_dir / name)
            now = sha256_file(models_dir / name / member.weights_name)
            if now != info.get("weights_sha256"):
                raise CheckpointError(f"ensemble member {name} has new weights since the ensemble's thresholds were "
                                      "chosen; rebuild it with `python -m ecgcore.learn.ensemble`")
            loaded[name] = member
        self.set_members(loaded)
