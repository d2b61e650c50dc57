"""`ECGModel`: the one interface every classifier has (fit / predict_proba / card / save / load).

Input conventions: a model works at `fs` Hz (100) on windows of `window_s` seconds (2.5), evenly spaced over the
whole record at most `stride_s` seconds (1.25) apart and at least `MIN_WINDOWS` (32) of them where the record
allows (`window_starts`); per-window probabilities are aggregated per record by `aggregate_windows` (see there:
"mean", the default, does not grow with the record's length as "max" does). Records at any rate are resampled to
`fs` first;
a record shorter than one window is refused with a clear error. Signals are (12, samples) in mV, leads in
`ecgcore.core.leads.LEADS` order.
`prepare(ecg)` gives a `PreparedInput` (the record resampled once, its window starts, `cut` the one place windows
are cut): an explanation's prediction (`predict_prepared`), class activation map, per-lead map and lead evidence
all take it.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Sequence, Union

import numpy as np

from ecgcore.core.labels import SUPERCLASSES
from ecgcore.core.ecg import ECG, twelve_leads
from ecgcore.core.errors import ECGSignalError, UnknownNameError
from ecgcore.core.leads import LEADS
from ecgcore.models import checkpoint
from ecgcore.models.card import ModelCard, build_card, write_card
from ecgcore.signal.resample import ecg_resample

Data = Union[ECG, Sequence[ECG], np.ndarray]
AGGREGATES = ("mean", "max")
#: A record's probability estimates the mean over every window position; a 10 s record has only 7 positions
#: 1.25 s apart, too few (with the former top-quarter rule the same real beats moved by up to 0.19 between 10 s
#: and 5 min: bench/bench_length.py), so short records get this many evenly spaced windows (every 0.24 s in 10 s).
MIN_WINDOWS = 32


def aggregate_windows(probs: np.ndarray, how: str) -> np.ndarray:
    """(classes,) record probabilities from (windows, classes) window probabilities.

    "mean" (default): per class, the mean window probability. For an unchanging rhythm this estimates the mean
    over all window positions, which does not depend on the record's length, so a 5-minute record scores like a
    10-second one of the same rhythm (a plain maximum grows with the number of windows: more windows, more
    chances of one high value). A finding present in every window keeps its full weight; a finding confined to
    part of a long record is diluted in proportion (an intermittent block in a fifth of a Holter strip counts a
    fifth): `predict_windows` (and `explain --out FILE.npz`) give each window's probabilities. "max": the
    maximum, as in the PTB-XL benchmark (Strodthoff et al., IEEE JBHI 2021), for comparison (`train --aggregate max`).
    Raises UnknownNameError for another name.
    """
    if how == "max":
        return probs.max(axis=0)
    if how == "mean":
        return probs.mean(axis=0)
    raise UnknownNameError(f"unknown aggregate {how!r}; valid: {', '.join(AGGREGATES)}")


@dataclass(frozen=True)
class PreparedInput:
    """One record made ready for one model, once: everything the prediction, the class activation map, the
    per-lead attribution and the lead evidence of an explanation take (`ECGModel.prepare`).

    signal: (12, samples) float32 mV at `fs` (the model's rate; resampled from the record's `source_fs` once);
    starts: (W,) window starts (samples at `fs`) the probabilities average over (`ECGModel.window_starts`);
    map_starts: (M,) window starts the maps are stitched from (`ECGModel.map_window_starts`); window: window
    length in samples. `cut(starts)` is the one place windows are cut: (w, 12, window) copies.
    """

    record_id: str
    signal: np.ndarray
    fs: float
    source_fs: float
    source_samples: int
    window: int
    starts: np.ndarray
    map_starts: np.ndarray

    @property
    def n_samples(self) -> int:
        return int(self.signal.shape[-1])

    def cut(self, starts: np.ndarray, signal: np.ndarray | None = None) -> np.ndarray:
        """(w, 12, window) copies of the windows starting at `starts` of this record's signal (or of `signal`,
        an array of the same shape, e.g. the record with a lead replaced)."""
        sig = self.signal if signal is None else signal
        idx = np.asarray(starts)[:, None] + np.arange(self.window)
        return np.ascontiguousarray(sig[:, idx].transpose(1, 0, 2))


class ECGModel(ABC):
    """Base class: settings in __init__, learned state in attributes ending in `_`, as in scikit-learn."""

    name: ClassVar[str] = ""  # set by @register
    architecture: ClassVar[str] = ""  # one line for the model card
    weights_name: ClassVar[str] = "weights.pt"
    defaults: ClassVar[dict[str, Any]] = {}  # hyper-parameters and their defaults

    def __init__(self, classes: Sequence[str] = SUPERCLASSES, fs: float = 100.0, window_s: float = 2.5,
                 stride_s: float = 1.25, aggregate: str = "mean", seed: int = 0, task: str = "superdiagnostic",
                 **hyper: Any) -> None:
        unknown = sorted(set(hyper) - set(self.defaults))
        if unknown:
            raise UnknownNameError(f"unknown setting(s) {unknown} for model {self.name!r}; "
                                   f"valid: {sorted(self.defaults)}")
        if aggregate not in AGGREGATES:
            raise UnknownNameError(f"unknown aggregate {aggregate!r}; valid: {', '.join(AGGREGATES)}")
        self.classes: list[str] = list(classes)
        self.fs = float(fs)
        self.window_s = float(window_s)
        self.stride_s = float(stride_s)
        self.aggregate = aggregate
        self.seed = int(seed)
        self.task = task
        self.hyper: dict[str, Any] = {**self.defaults, **hyper}
        self.thresholds = np.full(len(self.classes), 0.5)
        self.mean_ = np.zeros(len(LEADS), dtype=np.float32)  # per-lead normaliser (mV), from training folds
        self.std_ = np.ones(len(LEADS), dtype=np.float32)
        self.training_: dict[str, Any] = {}  # what it was trained on, how long, history (for the card)
        self._stored_card: ModelCard | None = None  # metrics etc. read back from card.json

    # ---- windows -------------------------------------------------------------------------------------
    @property
    def window(self) -> int:
        """Window length in samples at `fs`."""
        return int(round(self.window_s * self.fs))

    @property
    def stride(self) -> int:
        """Largest window step in samples at `fs`."""
        return int(round(self.stride_s * self.fs))

    def window_starts(self, n_samples: int) -> np.ndarray:
        """(W,) start sample (at `fs`) of every window over a record of `n_samples`, evenly spaced from the first
        sample to the last window ending at the end: at most `stride` apart, and at least `MIN_WINDOWS` windows
        where the record has that many positions (a 10 s record at 100 Hz: 32 windows about 24 samples apart;
        5 min: 239 windows 125 apart). Raises ECGSignalError for a record shorter than one window."""
        self._require_one_window(n_samples)
        span = n_samples - self.window
        count = max(int(np.ceil(span / self.stride)) + 1, min(MIN_WINDOWS, span + 1))
        return np.round(np.linspace(0, span, count)).astype(np.int64)

    def map_window_starts(self, n_samples: int) -> np.ndarray:
        """(W,) start sample (at `fs`) of the windows a saliency map is stitched from: every `stride`, the last
        ending at the end, so each sample lies in one or two windows, which is all an averaged map needs (the
        probabilities use the denser `window_starts`; maps over those made explaining a 10 s record 2.8-3.5x
        slower in a one-off timing). Raises ECGSignalError as `window_starts` does."""
        self._require_one_window(n_samples)
        starts = np.arange(0, n_samples - self.window + 1, self.stride)
        if starts[-1] + self.window < n_samples:
            starts = np.append(starts, n_samples - self.window)
        return starts

    def _require_one_window(self, n_samples: int) -> None:
        if n_samples < self.window:
            raise ECGSignalError(f"record is {n_samples / self.fs:.2f} s long; the models need at least "
                                 f"{self.window_s:g} s ({self.window} samples at {self.fs:g} Hz)")

    def windows(self, signal: np.ndarray, starts: np.ndarray | None = None) -> np.ndarray:
        """(W, 12, window) copies of the windows of a (12, samples) signal at `fs` starting at `starts`
        (default `window_starts`)."""
        starts = self.window_starts(signal.shape[-1]) if starts is None else np.asarray(starts)
        idx = starts[:, None] + np.arange(self.window)
        return np.ascontiguousarray(signal[:, idx].transpose(1, 0, 2))

    def signal_at_rate(self, ecg: ECG) -> np.ndarray:
        """The (12, samples) float32 signal of `ecg` resampled to `fs`; refuses records shorter than a window."""
        ecg = twelve_leads(ecg)  # 8 independent leads -> the 4 derived; fewer leads or shuffled limb leads: refused
        if ecg.duration < self.window_s:
            raise ECGSignalError(f"{ecg.record_id}: record is {ecg.duration:.2f} s long; the models need at least "
                                 f"{self.window_s:g} s")
        sig = ecg_resample(ecg, self.fs).signal
        if not np.isfinite(sig).all():
            raise ECGSignalError(f"{ecg.record_id}: signal contains NaN or Inf samples")
        return sig

    def prepare(self, ecg: ECG) -> PreparedInput:
        """The record resampled to `fs` once, with its window starts (`PreparedInput`); ECGSignalError as
        `signal_at_rate`."""
        ecg = twelve_leads(ecg)
        sig = self.signal_at_rate(ecg)
        n = sig.shape[-1]
        return PreparedInput(ecg.record_id, sig, self.fs, float(ecg.fs), ecg.n_samples, self.window,
                             self.window_starts(n), self.map_window_starts(n))

    def predict_prepared(self, prepared: PreparedInput) -> tuple[np.ndarray, np.ndarray]:
        """((classes,) record probabilities, (W, classes) window probabilities) of a prepared record: the
        same numbers as `predict_proba` and `predict_windows` on the record, from one pass over its windows."""
        window_probs = np.asarray(self._window_proba(prepared.cut(prepared.starts)), dtype=np.float64)
        return aggregate_windows(window_probs, self.aggregate), window_probs

    def _signals(self, data: Data) -> list[np.ndarray] | np.ndarray:
        if isinstance(data, ECG):
            return [self.signal_at_rate(data)]
        if isinstance(data, np.ndarray):
            if data.ndim != 3 or data.shape[1] != len(LEADS):
                raise ECGSignalError(f"expected an array (records, 12, samples) at {self.fs:g} Hz, got {data.shape}")
            self.window_starts(data.shape[-1])  # length check
            return data
        return [self.signal_at_rate(e) for e in data]

    def standardise(self, x: np.ndarray) -> np.ndarray:
        """(…, 12, samples) mV -> unit-less, with the per-lead normaliser fitted on the training folds."""
        return ((x - self.mean_[:, None]) / self.std_[:, None]).astype(np.float32, copy=False)

    def fit_normaliser(self, X: np.ndarray) -> None:
        """Per-lead mean and standard deviation (mV) over a training array (records, 12, samples)."""
        n = X.shape[0]
        s1 = np.zeros(X.shape[1]); s2 = np.zeros(X.shape[1])
        for i in range(0, n, 1024):
            chunk = X[i:i + 1024].astype(np.float64)
            s1 += chunk.sum(axis=(0, 2)); s2 += (chunk ** 2).sum(axis=(0, 2))
        count = n * X.shape[2]
        mean = s1 / count
        self.mean_ = mean.astype(np.float32)
        self.std_ = np.sqrt(np.maximum(s2 / count - mean ** 2, 1e-6)).astype(np.float32)

    # ---- prediction ----------------------------------------------------------------------------------
    def predict_proba(self, data: Data, batch_records: int = 256) -> np.ndarray:
        """(records, classes) probabilities for one ECG, a list of ECGs, or an array (records, 12, samples) at `fs`."""
        signals = self._signals(data)
        out = [self._predict_signals(signals[i:i + batch_records]) for i in range(0, len(signals), batch_records)]
        return np.concatenate(out) if out else np.zeros((0, len(self.classes)))

    def predict(self, data: Data) -> np.ndarray:
        """(records, classes) 0/1 decisions at the per-class thresholds chosen on the validation fold."""
        return (self.predict_proba(data) >= self.thresholds).astype(np.uint8)

    def predict_windows(self, ecg: ECG) -> np.ndarray:
        """(windows, classes) probabilities of each window (starts: `window_starts(samples at fs)`)."""
        return self._window_proba(self.windows(self.signal_at_rate(ecg)))

    def _predict_signals(self, signals: Sequence[np.ndarray]) -> np.ndarray:
        wins = [self.windows(s) for s in signals]
        counts = np.array([len(w) for w in wins])
        probs = self._window_proba(np.concatenate(wins))
        offsets = np.concatenate([[0], np.cumsum(counts)])
        return np.stack([aggregate_windows(probs[a:b], self.aggregate) for a, b in zip(offsets[:-1], offsets[1:])])

    @abstractmethod
    def _window_proba(self, windows: np.ndarray) -> np.ndarray:
        """(W, classes) probabilities for raw windows (W, 12, window) in mV at `fs`."""

    # ---- training (done by ecgcore.learn.trainer, through these public methods) ---------------------------
    def record_training(self, info: dict[str, Any]) -> None:
        """Add what the weights were trained on / how (for the card): merged into `training_`."""
        self.training_ = {**self.training_, **info}

    def choose_thresholds(self, Y_val: np.ndarray, P_val: np.ndarray) -> None:
        """Per-class thresholds maximising F1 on the validation fold."""
        from ecgcore.metrics.thresholds import max_f1_thresholds

        self.thresholds = max_f1_thresholds(Y_val, P_val)

    # ---- persistence and description ----------------------------------------------------------------
    @abstractmethod
    def parameter_count(self) -> int:
        """Number of learned parameters (weights, or stored coefficients for the kernel model)."""

    @abstractmethod
    def _write_weights(self, path: Path) -> None: ...

    @abstractmethod
    def _read_weights(self, path: Path) -> None: ...

    def config(self) -> dict[str, Any]:
        """Everything needed to rebuild the model, as JSON values."""
        return {
            "model": self.name, "format": 1, "classes": self.classes, "fs": self.fs, "window_s": self.window_s,
            "stride_s": self.stride_s, "aggregate": self.aggregate, "seed": self.seed, "task": self.task, "hyper": self.hyper,
            "normaliser": {"mean_mV": self.mean_.tolist(), "std_mV": self.std_.tolist()},
            "thresholds": [float(t) for t in self.thresholds], "weights": self.weights_name,
        }

    def card(self) -> ModelCard:
        """The model card (`ecgcore.models.card.build_card`): architecture, size, input and the normaliser's
        source, classes, the recipe that ran, training data and time, and the stored figures."""
        stored = self._stored_card or ModelCard(self.name)
        return build_card(self, stored.metrics, stored.limitations, stored.files, stored.checkpoint_bytes)

    def save(self, folder: str | Path) -> ModelCard:
        """Write weights and config.json, then card.json (`ecgcore.models.card.write_card`, with the files'
        sha256s) to `folder`; returns the card. Figures are those of results files in `folder` computed with
        these weights (none for new weights: `python -m ecgcore evaluate --save` adds them)."""
        checkpoint.write_checkpoint(folder, self.weights_name, self._write_weights, self.config())
        return write_card(folder, self)

    @classmethod
    def load(cls, folder: str | Path) -> "ECGModel":
        """The model saved in `folder`, after verifying the sha256 of its files (CheckpointError otherwise)."""
        folder = Path(folder)
        config, card = checkpoint.read_verified(folder)
        if config.get("model") != cls.name:
            raise checkpoint.CheckpointError(f"{folder} holds a {config.get('model')!r} model, not {cls.name!r}")
        try:
            model = cls(classes=config["classes"], fs=config["fs"], window_s=config["window_s"],
                        stride_s=config["stride_s"], aggregate=config["aggregate"], seed=config["seed"],
                        task=config.get("task", "superdiagnostic"), **config["hyper"])
            model.mean_ = np.asarray(config["normaliser"]["mean_mV"], dtype=np.float32)
            model.std_ = np.asarray(config["normaliser"]["std_mV"], dtype=np.float32)
            model.thresholds = np.asarray(config["thresholds"], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as exc:
            raise checkpoint.CheckpointError(f"{folder / checkpoint.CONFIG} is incomplete or invalid ({exc}); "
                                             "retrain the model") from exc
        model._read_weights(folder / config["weights"])
        model._stored_card = ModelCard.from_json(card)
        return model
