"""One pass per record instead of 32 overlapping windows? AUC, length stability and throughput, no retraining.

The networks are fully convolutional with global (average + max) pooling, so they take a whole 10 s record in
one pass. For the shipped weights (trained on 2.5 s windows), per network:
- fold 9 (the selection fold; fold 10 is not looked at) macro AUC and macro F1 at the shipped thresholds for:
  "32 x 2.5 s" (shipped: the mean over `window_starts`), "7 x 2.5 s" (every 1.25 s), "3 x 5 s", "2 x 7.5 s" and
  "1 x 10 s" (one pass), each the mean of its windows' probabilities;
- length stability as in `bench/bench_length.py` (the whole beats of N real records tiled to 5 min; max over
  classes of |p(5 min) - p(first 10 s)|, p95 and max) for "one pass per 10 s": a long record scored as
  10 s passes (at most 10 s apart, the last ending at the end) averaged, a 10 s record in one pass;
- batch throughput (records/s) of 10 s records on `--threads` torch threads, shipped rule against one pass.

    .venv/bin/python -m bench.bench_one_pass [--models resnet1d inception1d lstm] [--records 40] [--threads 2]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from bench.bench_length import LONG_S, SHORT_S, tiled
from ecgcore.data.evalsets import ptbxl_set
from ecgcore.metrics.auc import macro_auc
from ecgcore.models import load_model

RULES = {"32 x 2.5 s": None, "7 x 2.5 s": (2.5, 7), "3 x 5 s": (5.0, 3), "2 x 7.5 s": (7.5, 2), "1 x 10 s": (10.0, 1)}
PASS_S = 10.0


def windows_mean(model, X: np.ndarray, window_s: float, count: int) -> np.ndarray:
    """(records, classes): the mean over `count` evenly spaced windows of `window_s` of each record (records,
    12, samples) at the model's rate."""
    win = int(round(window_s * model.fs))
    starts = np.round(np.linspace(0, X.shape[-1] - win, count)).astype(int)
    Z = model.standardise(X)
    with torch.inference_mode():
        return np.mean([torch.sigmoid(model.net(torch.from_numpy(np.ascontiguousarray(Z[:, :, s:s + win])))).numpy()
                        for s in starts], axis=0)


def one_pass_per_10s(model, X: np.ndarray) -> np.ndarray:
    """(records, classes): 10 s passes at most 10 s apart, the last ending at the end, averaged."""
    n, win = X.shape[-1], int(round(PASS_S * model.fs))
    if n <= win:
        return windows_mean(model, X, n / model.fs, 1)
    return windows_mean(model, X, PASS_S, int(np.ceil((n - win) / win)) + 1)


def macro_f1(Y: np.ndarray, P: np.ndarray, thresholds: np.ndarray) -> float:
    D = P >= thresholds
    f1 = [2 * (D[:, k] & (Y[:, k] == 1)).sum() / max(D[:, k].sum() + Y[:, k].sum(), 1) for k in range(Y.shape[1])]
    return float(np.mean(f1))


def throughput(fn, X: np.ndarray, repeats: int = 3) -> float:
    fn(X[:8])
    best = min(_timed(fn, X) for _ in range(repeats))
    return len(X) / best


def _timed(fn, X) -> float:
    t0 = time.perf_counter()
    fn(X)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=["resnet1d", "inception1d", "lstm"])
    ap.add_argument("--records", type=int, default=40)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    real = ptbxl_set()
    folds = np.asarray(real.folds)
    sel = np.flatnonzero(folds == 9)
    X = np.stack([real.signals[i] for i in sel]).astype(np.float32)
    Y = real.Y[sel]
    chosen = np.random.default_rng(0).choice(len(real.record_ids), args.records, replace=False)
    print(f"fold 9: {len(sel)} records; length stability: {args.records} records tiled to {LONG_S} s")
    for name in args.models:
        model = load_model(name)
        torch.set_num_threads(1)
        cells = []
        for rule, spec in RULES.items():
            P = model.predict_proba(X) if spec is None else windows_mean(model, X, *spec)
            cells.append(f"{rule}: AUC {macro_auc(Y, P):.4f} F1 {macro_f1(Y, P, model.thresholds):.3f}")
        print(f"{name:12s} fold 9  " + "  ".join(cells), flush=True)
        deltas = []
        for i in chosen:
            long = tiled(real.signals[i], model.fs, int(LONG_S * model.fs)).astype(np.float32)
            short = one_pass_per_10s(model, long[None, :, :int(SHORT_S * model.fs)])[0]
            deltas.append(float(np.abs(one_pass_per_10s(model, long[None])[0] - short).max()))
        print(f"{'':12s} one pass per 10 s, tiled 10 s vs 5 min: p95 {np.percentile(deltas, 95):.3f} "
              f"max {max(deltas):.3f}", flush=True)
        torch.set_num_threads(args.threads)
        batch = np.concatenate([X] * 4)  # 288 records of 10 s
        shipped = throughput(lambda b: model.predict_proba(b), batch)
        single = throughput(lambda b: windows_mean(model, b, PASS_S, 1), batch)
        print(f"{'':12s} throughput, 10 s records, {args.threads} threads: shipped {shipped:.0f} rec/s, one pass "
              f"{single:.0f} rec/s (goal >= 1000)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
