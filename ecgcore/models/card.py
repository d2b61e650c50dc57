"""`ModelCard`: what a checkpoint is, what it was trained on and how it scores, as one typed object.

Stored as `card.json` beside the weights (`ModelCard.to_json()` / `ModelCard.from_json()`); readers outside
`ecgcore` (the app) may read the JSON directly: the keys are the field names below.

metrics: evaluation set name ("ptbxl_cv", "ptbxl_fold10", "cinc_georgia", ..., "synthetic_fold10") -> key
figures (`ecgcore.learn.evaluation.key_figures`); the full results are in `results_<set>.json` beside the card.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ecgcore.core.errors import ECGError


@dataclass
class ModelCard:
    name: str
    architecture: str = ""
    parameters: int = 0
    input: dict[str, Any] = field(default_factory=dict)
    task: str = "superdiagnostic"
    classes: list[str] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=dict)
    hyper: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    training: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    summary: str = ""
    limitations: str = ""
    retrain: str = ""
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    checkpoint_bytes: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ModelCard":
        """A card from its JSON object; unknown keys are ignored, a missing name is an error."""
        if not isinstance(data, dict) or not data.get("name"):
            raise ECGError("a model card needs a JSON object with a `name`")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def trained_on(self) -> dict[str, Any]:
        """What the weights were trained on (training["data"]), {} when untrained."""
        return dict(self.training.get("data") or {})

    def metric(self, set_name: str) -> dict[str, Any] | None:
        """Key figures on one evaluation set, or None when not evaluated there."""
        return self.metrics.get(set_name)

    def weights_sha256(self, weights_name: str) -> str | None:
        return (self.files.get(weights_name) or {}).get("sha256")
