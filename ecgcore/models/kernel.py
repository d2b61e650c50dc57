"""`kernel`: an RBF-kernel classifier (Nystroem approximation + logistic regression) on hand-made features.

Features (`kernel_features`) come from one `ecgcore.signal.analyse_array` per record (measurements with
missing-value indicators, rhythm, median-beat samples around R, RR statistics) plus per-lead amplitude and
spectral statistics; scikit-learn fits a Nystroem RBF map and
one logistic regression per class, with the regularisation chosen on the validation fold. What is stored is
plain arrays (feature scaler, kernel centres, gamma, and the linear weights folded through the Nystroem
normalisation), so the checkpoint is an .npz read with allow_pickle=False, never a pickled estimator.
"""
from __future__ import annotations

import multiprocessing as mp
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, ClassVar, Sequence

import numpy as np
from tqdm.auto import tqdm

from ecgcore.core.ecg import ECG
from ecgcore.metrics.auc import macro_auc
from ecgcore.models.base import ECGModel, PreparedInput
from ecgcore.models.checkpoint import CheckpointError, load_npz
from ecgcore.models.kernel_features import n_features, record_features, window_features
from ecgcore.models.registry import register

ARRAYS = ("feat_mean", "feat_std", "centres", "gamma", "weights", "intercept")


def _features_chunk(args: tuple[np.ndarray, float]) -> np.ndarray:
    signals, fs = args
    return np.stack([record_features(s, fs) for s in signals])


def features_of(signals: Sequence[np.ndarray] | np.ndarray, fs: float, progress: bool = False,
                workers: int = 1, chunk: int = 256) -> np.ndarray:
    """(records, n_features) for (12, samples) signals at `fs`; `workers` > 1 spreads chunks over processes."""
    if not len(signals):
        return np.zeros((0, n_features()), dtype=np.float32)
    jobs = [(signals[i:i + chunk], fs) for i in range(0, len(signals), chunk)]
    bar = tqdm(total=len(signals), desc="features", unit="rec", disable=not progress, dynamic_ncols=True)
    out = []
    if workers > 1 and len(jobs) > 1 and "fork" in mp.get_all_start_methods():
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
            for part in pool.map(_features_chunk, jobs):
                out.append(part); bar.update(len(part))
    else:
        for job in jobs:
            out.append(_features_chunk(job)); bar.update(len(out[-1]))
    bar.close()
    return np.concatenate(out)


@register("kernel")
class KernelRBF(ECGModel):
    architecture: ClassVar[str] = ("RBF kernel (Nystroem, scikit-learn) + one logistic regression per class on the "
                                   "signal analysis (HR, PR, QRS, QT, QTc, axis, rhythm, median beat around R, RR "
                                   "statistics) and per-lead amplitude and band-power features")
    weights_name: ClassVar[str] = "weights.npz"
    card_input: ClassVar[dict[str, str]] = {
        "aggregate": "none: features of the whole record (windows only for predict_windows)",
        "normaliser": "feature-wise mean/std of its training records (real PTB-XL folds 1-8); no per-lead signal "
                      "normaliser"}
    recipe_keys: ClassVar[tuple[str, ...]] = ("name", "init")  # no epochs, learning rate or batches
    recipe_method: ClassVar[str] = ("whole-record features, Nystroem RBF + one logistic regression per class, C "
                                    "chosen from C_grid on the validation fold's (fold 9) macro AUC")
    defaults: ClassVar[dict[str, Any]] = {"components": 600, "gamma_scale": 1.0, "C_grid": [0.01, 0.1, 1.0],
                                          "workers": 2}  # feature processes (one signal analysis per record dominates the cost)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrays_: dict[str, np.ndarray] = {}

    # features -> probabilities with the stored arrays only
    def _proba_from_features(self, F: np.ndarray) -> np.ndarray:
        if not self.arrays_:
            raise CheckpointError("the kernel model is not trained yet; call fit() or load a checkpoint")
        a = self.arrays_
        Z = np.clip(np.nan_to_num((F - a["feat_mean"]) / a["feat_std"]), -8, 8).astype(np.float64)
        d2 = (Z ** 2).sum(1)[:, None] - 2 * Z @ a["centres"].T + (a["centres"].astype(np.float64) ** 2).sum(1)[None]
        K = np.exp(-float(a["gamma"]) * np.maximum(d2, 0.0))
        return 1.0 / (1.0 + np.exp(-(K @ a["weights"] + a["intercept"])))

    def _predict_signals(self, signals: Sequence[np.ndarray]) -> np.ndarray:
        return self._proba_from_features(features_of(signals, self.fs))

    def _window_proba(self, windows: np.ndarray) -> np.ndarray:
        return self._proba_from_features(features_of(windows, self.fs))

    def predict_prepared(self, prepared: PreparedInput) -> tuple[np.ndarray, np.ndarray]:
        """Whole-record features for the probabilities (as `predict_proba`), window features for each window."""
        probs = self._predict_signals([prepared.signal])[0]
        windows = self._proba_from_features(window_features(prepared.signal, self.fs, prepared.starts, prepared.window))
        return probs, windows

    def predict_windows(self, ecg: ECG) -> np.ndarray:
        sig = self.signal_at_rate(ecg)
        n = sig.shape[1]
        return self._proba_from_features(window_features(sig, self.fs, self.window_starts(n), self.score_window(n)))

    def fit(self, X: np.ndarray, Y: np.ndarray, X_val: np.ndarray, Y_val: np.ndarray, *, progress: bool = True,
            **_: Any) -> "KernelRBF":
        """Features -> standardise -> Nystroem RBF -> logistic regression per class; C chosen on X_val/Y_val."""
        from sklearn.kernel_approximation import Nystroem
        from sklearn.linear_model import LogisticRegression

        t0 = time.time()
        workers = int(self.hyper["workers"])
        F, F_val = features_of(X, self.fs, progress, workers), features_of(X_val, self.fs, progress, workers)
        mean, std = F.mean(axis=0), F.std(axis=0) + 1e-6
        Z, Z_val = (np.clip((f - mean) / std, -8, 8) for f in (F, F_val))
        gamma = self.hyper["gamma_scale"] / Z.shape[1]
        nys = Nystroem(kernel="rbf", gamma=gamma, n_components=min(self.hyper["components"], len(Z)),
                       random_state=self.seed).fit(Z)
        K, K_val = nys.transform(Z), nys.transform(Z_val)
        best: tuple[float, float, list[Any]] = (-1.0, 0.0, [])
        history = []
        for C in self.hyper["C_grid"]:
            clfs = [LogisticRegression(C=C, max_iter=2000).fit(K, Y[:, c]) if 0 < Y[:, c].sum() < len(Y) else None
                    for c in range(Y.shape[1])]
            P_val = np.stack([clf.predict_proba(K_val)[:, 1] if clf else np.full(len(K_val), Y[0, c])
                              for c, clf in enumerate(clfs)], axis=1)
            auc = macro_auc(Y_val, P_val)
            history.append({"C": C, "val_macro_auc": round(auc, 5)})
            if auc > best[0]:
                best = (auc, C, clfs)
        auc, C, clfs = best
        coef = np.stack([clf.coef_[0] if clf else np.zeros(K.shape[1]) for clf in clfs], axis=1)  # (m, classes)
        intercept = np.array([clf.intercept_[0] if clf else (20.0 if Y[0, c] else -20.0) for c, clf in enumerate(clfs)])
        self.arrays_ = {"feat_mean": mean.astype(np.float32), "feat_std": std.astype(np.float32),
                        "centres": nys.components_.astype(np.float32), "gamma": np.array(gamma),
                        "weights": nys.normalization_.T @ coef, "intercept": intercept}
        self.choose_thresholds(Y_val, self._proba_from_features(F_val))
        self.record_training({"best_C": C, "val_macro_auc": round(auc, 5), "history": history,
                          "train_seconds": round(time.time() - t0, 1), "n_train": int(len(X)), "n_val": int(len(X_val)),
                          "recipe": "whole-record features, Nystroem RBF + logistic regression, C chosen on "
                                    "validation macro AUC"})
        return self

    def parameter_count(self) -> int:
        return int(sum(self.arrays_[k].size for k in ("centres", "weights", "intercept"))) if self.arrays_ else 0

    def _write_weights(self, path: Path) -> None:
        with open(path, "wb") as fh:
            np.savez_compressed(fh, **self.arrays_)

    def _read_weights(self, path: Path) -> None:
        arrays = load_npz(path)
        missing = [k for k in ARRAYS if k not in arrays]
        if missing:
            raise CheckpointError(f"{path} lacks the arrays {missing}; retrain the kernel model")
        if arrays["weights"].shape[1] != len(self.classes) or arrays["centres"].shape[1] != n_features():
            raise CheckpointError(f"{path} does not match the kernel model's classes or features; retrain it")
        self.arrays_ = arrays
