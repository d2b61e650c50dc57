"""`ECGModel`: the one interface every classifier has (fit / predict_proba / card / save / load).

Input conventions: a model is trained on random crops of `window_s` seconds (2.5) at `fs` Hz (100), and a record
must be at least that long. It scores a record on windows of `score_window_s` (5 s; the whole record when it is
shorter) evenly spaced over the whole record at most `score_stride_s` (2.5 s) apart (`window_starts`: a 10 s
record gets 3 windows, at 0, 2.5 and 5 s); per-window probabilities are aggregated per record by
`aggregate_windows` (see there: "mean", the default, does not grow with the record's length as "max" does), and
the saliency maps are stitched from the same windows. Records at any rate are resampled to `fs` first; a record
shorter than `window_s` is refused with a clear error. Signals are (12, samples) in mV, leads in
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
#: The scoring rule (issue 20): windows of SCORE_WINDOW_S at most SCORE_STRIDE_S apart. The networks are fully
#: convolutional with global pooling, so a 5 s window scores as well as the 2.5 s crops they were trained on: on
#: PTB-XL fold 9 (the selection fold) the shipped weights scored macro AUC 0.953 / 0.939 / 0.947 (resnet1d /
#: inception1d / lstm) with 3 x 5 s against 0.952 / 0.941 / 0.948 with the former 32 x 2.5 s, kept the length
#: stability of `bench/bench_length.py` (p95 0.055 / 0.047 / 0.044 against 0.049 / 0.033 / 0.050) and ran
#: resnet1d 16x faster (1,453 against 91 records/s; `python -m bench.bench_one_pass`).
SCORE_WINDOW_S = 5.0
SCORE_STRIDE_S = 2.5


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
    starts: (W,) window starts (samples at `fs`, `ECGModel.window_starts`): the probabilities average over these
    windows and the maps are stitched from the same ones; window: their length in samples (the model's scoring
    window, or the whole record when it is shorter). `cut(starts)` is the one place windows are cut:
    (w, 12, window) copies.
    """

    record_id: str
    signal: np.ndarray
    fs: float
    source_fs: float
    source_samples: int
    window: int
    starts: np.ndarray

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
                 score_window_s: float = SCORE_WINDOW_S, score_stride_s: float = SCORE_STRIDE_S,
                 aggregate: str = "mean", seed: int = 0, task: str = "superdiagnostic", **hyper: Any) -> None:
        unknown = sorted(set(hyper) - set(self.defaults))
        if unknown:
            raise UnknownNameError(f"unknown setting(s) {unknown} for model {self.name!r}; "
                                   f"valid: {sorted(self.defaults)}")
        if aggregate not in AGGREGATES:
            raise UnknownNameError(f"unknown aggregate {aggregate!r}; valid: {', '.join(AGGREGATES)}")
        self.classes: list[str] = list(classes)
        self.fs = float(fs)
        self.window_s = float(window_s)
        self.score_window_s = float(score_window_s)
        self.score_stride_s = float(score_stride_s)
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
        """Training crop, and the shortest record scored, in samples at `fs`."""
        return int(round(self.window_s * self.fs))

    def score_window(self, n_samples: int) -> int:
        """Scoring window in samples at `fs` for a record of `n_samples`: `score_window_s`, or the whole record
        when it is shorter. Raises ECGSignalError for a record shorter than `window_s`."""
        if n_samples < self.window:
            raise ECGSignalError(f"record is {n_samples / self.fs:.2f} s long; the models need at least "
                                 f"{self.window_s:g} s ({self.window} samples at {self.fs:g} Hz)")
        return min(int(round(self.score_window_s * self.fs)), n_samples)

    def window_starts(self, n_samples: int) -> np.ndarray:
        """(W,) start sample (at `fs`) of every scoring window over a record of `n_samples`, evenly spaced from the
        first sample to the last window ending at the end, at most `score_stride_s` apart (10 s at 100 Hz:
        3 windows of 5 s, 250 samples apart; 5 min: 119 windows about 248 apart; under 5 s: one window, the
        record). The probabilities average over these windows and the maps are stitched from them. Raises
        ECGSignalError for a record shorter than `window_s`."""
        span = n_samples - self.score_window(n_samples)
        count = int(np.ceil(span / (self.score_stride_s * self.fs))) + 1
        return np.round(np.linspace(0, span, count)).astype(np.int64)

    def windows(self, signal: np.ndarray, starts: np.ndarray | None = None) -> np.ndarray:
        """(W, 12, window) copies of the scoring windows (`score_window`) of a (12, samples) signal at `fs`
        starting at `starts` (default `window_starts`)."""
        starts = self.window_starts(signal.shape[-1]) if starts is None else np.asarray(starts)
        idx = starts[:, None] + np.arange(self.score_window(signal.shape[-1]))
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
        return PreparedInput(ecg.record_id, sig, self.fs, float(ecg.fs), ecg.n_samples, self.score_window(n),
                             self.window_starts(n))

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
        out: list[np.ndarray | None] = [None] * len(wins)
        by_length: dict[int, list[int]] = {}  # records shorter than a scoring window have shorter windows
        for i, w in enumerate(wins):
            by_length.setdefault(w.shape[-1], []).append(i)
        for rows in by_length.values():
            probs = self._window_proba(np.concatenate([wins[i] for i in rows]))
            offsets = np.concatenate([[0], np.cumsum([len(wins[i]) for i in rows])])
            for i, a, b in zip(rows, offsets[:-1], offsets[1:]):
                out[i] = aggregate_windows(probs[a:b], self.aggregate)
        return np.stack(out)

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
            "score_window_s": self.score_window_s, "score_stride_s": self.score_stride_s, "aggregate": self.aggregate,
            "seed": self.seed, "task": self.task, "hyper": self.hyper,
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
            # configs written before the scoring rule was a setting (with the former "stride_s") get today's rule
            model = cls(classes=config["classes"], fs=config["fs"], window_s=config["window_s"],
                        score_window_s=config.get("score_window_s", SCORE_WINDOW_S),
                        score_stride_s=config.get("score_stride_s", SCORE_STRIDE_S), aggregate=config["aggregate"],
                        seed=config["seed"],
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
