"""The scoring rule: 3 x 5 s windows (shipped since issue 20) against the former 32 x 2.5 s, one pass and others.

The networks are fully convolutional with global (average + max) pooling, so they take a whole 10 s record in
one pass. For the shipped weights (trained on 2.5 s windows), per network:
- fold 9 (the selection fold; fold 10 is not looked at) macro AUC and macro F1 at the shipped thresholds for:
  "3 x 5 s" (shipped: the mean over `window_starts`), "32 x 2.5 s" (the former rule), "7 x 2.5 s" (every
  1.25 s), "2 x 7.5 s" and "1 x 10 s" (one pass), each the mean of its windows' probabilities;
- length stability as in `bench/bench_length.py` (the whole beats of N real records tiled to 5 min; max over
  classes of |p(5 min) - p(first 10 s)|, p95 and max; the former 32 x 2.5 s rule: 0.033-0.050 / 0.063-0.106 there) for
  `LONG_RULES`: "one pass per 10 s" (a long record scored as 10 s passes at most 10 s apart, the last ending
  at the end, averaged; a 10 s record in one pass) and the shipped rule, the models' own `predict_proba`
  (5 s windows at most 2.5 s apart);
- batch throughput of 10 s records on `--threads` torch threads, shipped rule against those: records per wall
  second and per CPU second (the machine is shared: see `throughput`).

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
from ecgcore.models.torchnet import WINDOW_BATCH

RULES = {"3 x 5 s (shipped)": None, "32 x 2.5 s (former)": (2.5, 32), "7 x 2.5 s": (2.5, 7), "2 x 7.5 s": (7.5, 2),
         "1 x 10 s": (10.0, 1)}
PASS_S = 10.0


def windows_mean(model, X: np.ndarray, window_s: float, count: int) -> np.ndarray:
    """(records, classes): the mean over `count` evenly spaced windows of `window_s` of each record (records,
    12, samples) at the model's rate."""
    win = int(round(window_s * model.fs))
    starts = np.round(np.linspace(0, X.shape[-1] - win, count)).astype(int)
    Z = model.standardise(X)
    step = max(1, WINDOW_BATCH * 250 // win)  # as many samples per forward pass as the shipped rule's batches
    with torch.inference_mode():
        return np.mean([np.concatenate([torch.sigmoid(model.net(torch.from_numpy(
            np.ascontiguousarray(Z[i:i + step, :, s:s + win])))).numpy() for i in range(0, len(Z), step)])
            for s in starts], axis=0)


def one_pass_per_10_s(model, X: np.ndarray) -> np.ndarray:
    """(records, classes): passes of `PASS_S` at most one pass apart, the last ending at the end, averaged (one
    pass for a record no longer than that)."""
    n, win = X.shape[-1], int(round(PASS_S * model.fs))
    if n <= win:
        return windows_mean(model, X, n / model.fs, 1)
    return windows_mean(model, X, PASS_S, int(np.ceil((n - win) / win)) + 1)


#: the rules measured for length stability and throughput on records of any length: name -> (model, (records,
#: 12, samples)) -> (records, classes); the shipped one is the models' own `predict_proba`
LONG_RULES = {"one pass per 10 s": one_pass_per_10_s,
              "5 s windows <= 2.5 s apart (shipped, predict_proba)": lambda model, X: model.predict_proba(X)}


def macro_f1(Y: np.ndarray, P: np.ndarray, thresholds: np.ndarray) -> float:
    D = P >= thresholds
    f1 = [2 * (D[:, k] & (Y[:, k] == 1)).sum() / max(D[:, k].sum() + Y[:, k].sum(), 1) for k in range(Y.shape[1])]
    return float(np.mean(f1))


def throughput(fn, X: np.ndarray, repeats: int = 3) -> tuple[float, float]:
    """(records per wall second, records per CPU second of this process), best of `repeats` after a warm-up.
    On this shared machine the wall figure falls with the other jobs' load; the CPU figure is the work itself
    (on n threads, n x the CPU figure is the most the wall figure can reach)."""
    fn(X[:8])
    walls, cpus = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn(X)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return len(X) / min(walls), len(X) / min(cpus)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=["resnet1d", "inception1d", "lstm"])
    ap.add_argument("--records", type=int, default=40)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-auc", action="store_true", help="only length stability and throughput")
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
        for rule, spec in ({} if args.skip_auc else RULES).items():
            P = model.predict_proba(X) if spec is None else windows_mean(model, X, *spec)
            cells.append(f"{rule}: AUC {macro_auc(Y, P):.4f} F1 {macro_f1(Y, P, model.thresholds):.3f}")
        print(f"{name:12s} fold 9  " + "  ".join(cells), flush=True) if cells else print(name, flush=True)
        for rule, score in LONG_RULES.items():
            deltas = []
            for i in chosen:
                long = tiled(real.signals[i], model.fs, int(LONG_S * model.fs)).astype(np.float32)
                short = score(model, long[None, :, :int(SHORT_S * model.fs)])[0]
                deltas.append(float(np.abs(score(model, long[None])[0] - short).max()))
            print(f"{'':12s} {rule}: tiled 10 s vs 5 min p95 {np.percentile(deltas, 95):.3f} max {max(deltas):.3f}",
                  flush=True)
        torch.set_num_threads(args.threads)
        batch = np.concatenate([X] * 4)  # 288 records of 10 s
        speeds = {"32 x 2.5 s (former)": throughput(lambda b: windows_mean(model, b, 2.5, 32), batch)}
        for rule, score in LONG_RULES.items():
            speeds[rule] = throughput(lambda b: score(model, b), batch)
        print(f"{'':12s} throughput, 10 s records, {args.threads} threads (goal >= 1000 rec/s; wall / per CPU "
              "second): " + ", ".join(f"{k} {w:.0f} / {c:.0f} rec/s" for k, (w, c) in speeds.items()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
