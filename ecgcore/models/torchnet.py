"""`TorchWindowModel`: the shared half of every PyTorch model (CNNs and the LSTM).

`net` maps standardised windows (B, 12, window) to class logits (B, classes); `net_input(ecg)` gives those
windows for a record, `window_starts(samples)` where each starts (samples at `fs`), and `gradcam_layers`
the layers Grad-CAM may use ("last": last convolutional block, "early": a finer earlier one).
"""
from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from ecgcore.core.ecg import ECG
from ecgcore.models.base import ECGModel
from ecgcore.models.checkpoint import CheckpointError, load_torch_state

TRAINING_DEFAULTS: dict[str, Any] = {
    "epochs": 12, "batch_size": 128, "lr": 3e-3, "weight_decay": 1e-2, "dropout": 0.25,
    "augment": True,  # random amplitude scaling and baseline offset per training crop
}


#: windows per forward pass in `_window_proba`: small enough that a batch's activations stay in the CPU's cache
#: (resnet1d, 10 s records: 512 gave 58 records/s on one thread and 126 on two, 64 gave 160 and 283, measured on
#: this shared machine; bench/bench_models.py)
WINDOW_BATCH = 64


class TorchWindowModel(ECGModel):
    """A PyTorch network applied to sliding windows; trained by `ecgcore.learn.trainer.fit`."""

    weights_name: ClassVar[str] = "weights.pt"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with torch.random.fork_rng(devices=[]):  # seeded initial weights; the global generator is untouched
            torch.manual_seed(self.seed)
            self.net: nn.Module = self.build_net()
        self.net.eval()

    @abstractmethod
    def build_net(self) -> nn.Module:
        """A fresh network for (B, 12, window) standardised input and len(classes) logits."""

    @property
    def gradcam_layers(self) -> dict[str, nn.Module]:
        """Layers for Grad-CAM: "last" (last convolutional block) and "early" (finer, earlier)."""
        return self.net.gradcam_layers()  # type: ignore[operator]

    def net_input(self, ecg: ECG) -> torch.Tensor:
        """Standardised windows (W, 12, window) of `ecg` (`prepare(ecg)`, windows at `window_starts`), ready for
        `net`."""
        prepared = self.prepare(ecg)
        return torch.from_numpy(self.standardise(prepared.cut(prepared.starts)))

    def _window_proba(self, windows: np.ndarray, batch: int = WINDOW_BATCH) -> np.ndarray:
        x = self.standardise(windows)
        out = []
        with torch.inference_mode():
            for i in range(0, len(x), batch):
                out.append(torch.sigmoid(self.net(torch.from_numpy(x[i:i + batch]))).numpy())
        return np.concatenate(out).astype(np.float64)

    def layer_groups(self) -> list[tuple[str, list[nn.Parameter]]]:
        """The network's top-level layers that hold parameters, input to output, as (name, parameters): the
        first is the stem, the last the classifier head (for layer-wise learning rates or a frozen stem)."""
        return [(name, list(child.parameters())) for name, child in self.net.named_children()
                if any(True for _ in child.parameters())]

    def load_net_state(self, other: "TorchWindowModel") -> None:
        """Start from another model's weights and normaliser (same architecture), e.g. synthetic pretraining."""
        self.net.load_state_dict(other.net.state_dict())
        self.mean_, self.std_ = other.mean_.copy(), other.std_.copy()

    def parameter_count(self) -> int:
        return int(sum(p.numel() for p in self.net.parameters()))

    def _write_weights(self, path: Path) -> None:
        torch.save(self.net.state_dict(), path)

    def _read_weights(self, path: Path) -> None:
        state = load_torch_state(path)
        try:
            self.net.load_state_dict(state)
        except (RuntimeError, TypeError, AttributeError) as exc:
            raise CheckpointError(f"weights in {path} do not fit the {self.name} network described by its "
                                  f"config.json ({str(exc).splitlines()[0]}); retrain the model") from exc
        self.net.eval()
