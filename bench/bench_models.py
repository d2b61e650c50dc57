"""Model goals, speed and size: real-data goal table, training times, latency, throughput, parameters.

- goals (first, from the shipped cards; `python -m ecgcore evaluate --cv --save` writes them): real PTB-XL
  out-of-fold macro AUC (best model >= 0.92, every model >= 0.88), MI AUC out-of-fold >= 0.90, external
  Challenge pooled macro AUC >= 0.88; and `make train` time: synthetic pretraining + real fine-tuning, from
  the cards' measured training seconds (goal < 60 min on 2 cores; fine-tuning alone: minutes).

    .venv/bin/python -m bench.bench_models [--models resnet1d inception1d lstm kernel] [--batch 2000]
                                           [--train-batches 40] [--models-dir assets/models]

- single: one real 10 s record at 100 Hz (PTB-XL, data root), one CPU thread, `predict_proba` end to end
  (windows, standardise, forward, aggregate); median of 20 runs. Goal: <= 20 ms per CNN.
- batch: 2,000 records (the real PTB-XL records at 100 Hz, repeated) on 2 threads. Goal: >= 500 rec/s (ResNet).
- epoch: one training epoch over folds 1-8 at full PTB-XL size (17,439 records = 80 % of 21,799), MEASURED on
  `--train-batches` batches of random 2.5 s crops (2 threads) and SCALED to the full epoch, plus the fold-9
  validation pass (2,180 records) measured the same way. Goal: <= 60 s for the ResNet.
  The kernel model has no epochs: its time is the feature extraction per record, scaled to folds 1-9.
- size: parameters and the shipped checkpoint's bytes.
The machine is shared: the CPU pressure (share of time runnable tasks waited for a core) is printed with the
figures, since contention slows everything here. So each figure is given twice: wall clock, and from the
process's CPU time ("cpu": what the work costs on an idle machine; for 2 threads, CPU seconds / 2).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np


from ecgcore.core.settings import passive_thread_waits  # noqa: E402

passive_thread_waits()  # before torch loads
import torch  # noqa: E402

from ecgcore.core.settings import resolve  # noqa: E402
from ecgcore.models import CheckpointError, create, load_model, model_names  # noqa: E402
from ecgcore.models.card import nested_sentence  # noqa: E402
from ecgcore.models.kernel import features_of  # noqa: E402
from ecgcore.models.torchnet import TorchWindowModel  # noqa: E402

FULL_TRAIN = 17439  # folds 1-8 of PTB-XL's 21,799 records
FULL_VAL = 2180  # fold 9


def cpu_pressure() -> str:
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        return line.split()[1].replace("avg10=", "") + "% (avg10)"
    except (OSError, IndexError):
        return "n/a"


def real_records_100hz() -> list[np.ndarray]:
    """(12, 1000) signals of the real PTB-XL records at 100 Hz (data root)."""
    from ecgcore.data.evalsets import ptbxl_set

    return ptbxl_set().signals


GOALS = {"best_cv": 0.92, "every_cv": 0.88, "mi_cv": 0.90, "challenge_pooled": 0.88, "train_minutes": 60.0}


def goal_table(models_dir: Path, names: list[str]) -> None:
    """The issue's goal table from the shipped cards, with training times."""
    import json

    from ecgcore.models.card import ModelCard

    print("Real-data figures of the shipped weights (cards; `python -m ecgcore evaluate --cv --save` writes them)")
    print(f"{'model':12s} {'recipe':48s} {'CV macro AUC (95% CI)':>24s} {'CV MI AUC':>10s} {'fold 10':>8s} "
          f"{'Challenge pooled':>17s} {'pretrain s':>10s} {'fine-tune s':>11s}")
    cv, total_s = {}, 0.0
    for name in names:
        folder = models_dir / name
        if not (folder / "card.json").is_file():
            print(f"{name:12s} no card"); continue
        card = ModelCard.from_json(json.loads((folder / "card.json").read_text()))
        m = card.metrics
        pre = folder / "synthetic" / "card.json"
        pre_s = ModelCard.from_json(json.loads(pre.read_text())).training.get("train_seconds") if pre.is_file() else 0.0
        ft_s = card.training.get("train_seconds") or 0.0
        total_s += (pre_s or 0.0) + ft_s
        c, f10, ch = m.get("ptbxl_cv"), m.get("ptbxl_fold10"), m.get("cinc_pooled")
        cv[name] = (c or {}).get("macro_auc")
        ci = (c or {}).get("macro_auc_ci95") or [float("nan")] * 2
        fmt = lambda v: "n/a" if v is None else f"{v:.3f}"  # noqa: E731
        print(f"{name:12s} {str((card.training.get('recipe') or {}).get('name')):48s} "
              f"{fmt(cv[name]):>7s} ({ci[0]:.3f}-{ci[1]:.3f})  {fmt((c or {}).get('per_class_auc', {}).get('MI')):>9s} "
              f"{fmt((f10 or {}).get('macro_auc')):>8s} {fmt((ch or {}).get('macro_auc')):>17s} "
              f"{pre_s or 0:>10.0f} {ft_s:>11.0f}")
    got = {k: v for k, v in cv.items() if v is not None}
    if not got:
        return
    best = max(got, key=got.get)
    cards = {n: json.loads((models_dir / n / "card.json").read_text()) for n in got}
    mi = max(cards[n]["metrics"]["ptbxl_cv"]["per_class_auc"]["MI"] for n in got)
    pooled = max((cards[n]["metrics"].get("cinc_pooled") or {}).get("macro_auc") or 0 for n in got)
    kinds = {bool(cards[n]["metrics"]["ptbxl_cv"].get("nested")) for n in got}
    kind = {frozenset({True}): "nested", frozenset({False}): "not nested"}.get(frozenset(kinds), "nested for some")
    rows = [(f"best model, real PTB-XL out-of-fold macro AUC ({kind})", f"{got[best]:.3f} ({best})", GOALS["best_cv"],
             got[best] >= GOALS["best_cv"]),
            ("every shipped model, same figure (lowest)", f"{min(got.values()):.3f} ({min(got, key=got.get)})",
             GOALS["every_cv"], min(got.values()) >= GOALS["every_cv"]),
            ("MI AUC, real PTB-XL out-of-fold (best model)", f"{mi:.3f}", GOALS["mi_cv"], mi >= GOALS["mi_cv"]),
            ("external Challenge sources pooled, macro AUC (best)", f"{pooled:.3f}", GOALS["challenge_pooled"],
             pooled >= GOALS["challenge_pooled"]),
            ("make train (pretraining + fine-tuning), minutes, training loops only", f"{total_s / 60:.1f}",
             GOALS["train_minutes"], total_s / 60 < GOALS["train_minutes"])]
    print(f"\n{'goal':70s} {'measured':>18s} {'goal':>6s}  status")
    for label, value, goal, ok in rows:
        print(f"{label:70s} {value:>18s} {goal:>6g}  {'met' if ok else 'MISSED'}")
    print("(territory goal: bench/bench_territory.py)\n")


ENSEMBLE_SETS = ("ptbxl_cv", "ptbxl_fold10", "cinc_pooled", "cinc_georgia", "ludb")


def ensemble_table(models_dir: Path) -> None:
    """The ensemble against its members, from the stored results (`python -m ecgcore.learn.ensemble` writes the
    ensemble's from the members' stored predictions): macro AUC per set with its patient-bootstrap 95% CI (or
    "too few"), the out-of-fold figure without fold 9 (the fold that chose the recipes), and a paired bootstrap
    of the macro-AUC difference ensemble minus each member on the same out-of-fold records."""
    import json

    from ecgcore.metrics.paired import paired_from_results

    folder = models_dir / "ensemble"
    if not (folder / "card.json").is_file():
        print("no ensemble in the models folder (python -m ecgcore.learn.ensemble)\n")
        return
    members = json.loads((folder / "card.json").read_text())["training"]["recipe"]["members"]
    names = ["ensemble", *members]

    def load(name: str, set_name: str) -> dict | None:
        path = models_dir / name / f"results_{set_name}.json"
        return json.loads(path.read_text()) if path.is_file() else None

    def cell(res: dict | None) -> str:
        if res is None:
            return "n/a"
        auc, ci = res["auc"]["macro"], res["auc"]["macro_ci95"]
        return f"{auc:.3f} ({ci[0]:.3f}-{ci[1]:.3f})" if ci else f"{auc:.3f} (too few)"

    print("Ensemble (mean of the members' probabilities) against its members: macro AUC (95% CI, patients "
          "resampled; 'too few' where a class has < 10 positives)")
    def figure(f: dict) -> str:
        return (f"{f['macro_auc']:.3f} ({f['macro_auc_ci95'][0]:.3f}-{f['macro_auc_ci95'][1]:.3f})"
                if f.get("macro_auc_ci95") else "n/a")

    print(f"{'model':12s} " + " ".join(f"{s:>22s}" for s in ENSEMBLE_SETS) + f" {'CV without fold 9':>22s}"
          f" {'CV not nested (same run)':>25s}")
    for name in names:
        docs = {s: load(name, s) for s in ENSEMBLE_SETS}
        cv = docs["ptbxl_cv"] or {}
        free_text = figure(cv.get("without_selection_fold") or {})
        flat_text = figure(cv.get("not_nested") or {}) if cv.get("nested") else "(the CV is not nested)"
        print(f"{name:12s} " + " ".join(f"{cell(docs[s]):>22s}" for s in ENSEMBLE_SETS) + f" {free_text:>22s}"
              f" {flat_text:>25s}")
    ens = load("ensemble", "ptbxl_cv")
    print("Paired bootstrap, ensemble minus member, PTB-XL out-of-fold (same 513 records, patients resampled, 2000):")
    for m in members:
        d = paired_from_results(ens, load(m, "ptbxl_cv"))
        p = f"p < {1 / d.n_boot:.4f}" if d.p == 0 else f"p = {d.p:.4f}"
        print(f"  {m:12s} {d.difference:+.3f} (95% CI {d.ci95[0]:+.3f} to {d.ci95[1]:+.3f}, {p})")
    print("Figures from stored predictions only. " + nested_sentence({n: load(n, "ptbxl_cv") for n in names}) + "\n")


def model_for(name: str, models_dir: Path):
    try:
        return load_model(name, models_dir), "shipped weights"
    except CheckpointError as exc:
        return create(name), f"UNTRAINED (no usable checkpoint: {str(exc)[:60]}...)"


class Clock:
    """Wall and process-CPU seconds of a block."""

    def __enter__(self) -> "Clock":
        self.w, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.w, time.process_time() - self.c


def bench_single(model, ecg, runs: int = 20) -> tuple[float, float]:
    """Median (wall ms, CPU ms) of predicting one record on one thread."""
    torch.set_num_threads(1)
    model.predict_proba(ecg)
    walls, cpus = [], []
    for _ in range(runs):
        with Clock() as c:
            model.predict_proba(ecg)
        walls.append(c.wall); cpus.append(c.cpu)
    return float(np.median(walls)) * 1000, float(np.median(cpus)) * 1000


def bench_batch(model, X: np.ndarray) -> tuple[float, float]:
    """(records/s by wall clock, records/s from CPU time on 2 threads)."""
    torch.set_num_threads(2)
    with Clock() as c:
        model.predict_proba(X)
    return len(X) / c.wall, len(X) / (c.cpu / 2)


def bench_epoch(name: str, X: np.ndarray, batches: int) -> tuple[float, float, float]:
    """Seconds for a full folds 1-8 epoch (wall, and CPU / 2) and for the fold-9 validation pass (wall),
    scaled from the measured samples."""
    from ecgcore.learn.augment import BASIC, apply
    from ecgcore.learn.trainer import random_crops

    torch.set_num_threads(2)
    model = create(name)
    if not isinstance(model, TorchWindowModel):
        with Clock() as c:
            features_of(X[:100], model.fs)
        return c.wall / 100 * FULL_TRAIN, c.cpu / 100 * FULL_TRAIN, c.wall / 100 * FULL_VAL
    net, bs = model.net, model.hyper["batch_size"]
    net.train()
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    rng = np.random.default_rng(0)
    Y = torch.from_numpy((rng.random((bs, len(model.classes))) < 0.3).astype(np.float32))
    for b in range(batches + 2):
        if b == 2:
            t, t_cpu = time.perf_counter(), time.process_time()  # two warm-up batches
        idx = rng.integers(0, len(X), bs)
        xb = model.standardise(apply(random_crops(X, idx, rng.integers(0, X.shape[-1] - 250 + 1, bs), 250), BASIC,
                                     rng, model.fs))
        loss = loss_fn(net(torch.from_numpy(xb)), Y)
        opt.zero_grad(); loss.backward(); opt.step()
    per_record = (time.perf_counter() - t) / (batches * bs)
    per_record_cpu = (time.process_time() - t_cpu) / 2 / (batches * bs)
    net.eval()
    with Clock() as c:
        model.predict_proba(X[:200])
    return per_record * FULL_TRAIN, per_record_cpu * FULL_TRAIN, c.wall / 200 * FULL_VAL


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=model_names())
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--train-batches", type=int, default=40)
    ap.add_argument("--models-dir", type=Path, default=resolve().models_dir)
    ap.add_argument("--goals-only", action="store_true", help="print the goal table and stop")
    args = ap.parse_args()
    goal_table(args.models_dir, args.models)
    ensemble_table(args.models_dir)
    if args.goals_only:
        return
    from ecgcore.core.ecg import ECG

    signals = real_records_100hz()
    one = ECG(signal=signals[0], fs=100.0, record_id="ptbxl (first real record)", source="ptbxl")
    X = np.stack([signals[i % len(signals)] for i in range(args.batch)])
    print(f"CPU pressure at start: {cpu_pressure()}; torch {torch.__version__}; record {one.record_id} "
          f"({one.duration:.0f} s at {one.fs:.0f} Hz); batch of {len(X)} real 10 s records ({len(signals)} distinct)")
    header = f"{'model':12s} {'params':>9s} {'ckpt MB':>8s} {'1 rec ms wall/cpu':>18s} {'batch rec/s wall/cpu':>21s} " \
             f"{'epoch s wall/cpu':>17s} {'val s':>6s}  weights"
    print(header)
    print("-" * len(header))
    for name in args.models:
        model, origin = model_for(name, args.models_dir)
        ckpt = model.card().checkpoint_bytes
        nan = (float("nan"), float("nan"))
        usable = origin == "shipped weights" or name != "kernel"
        single = bench_single(model, one) if usable else nan
        batch = bench_batch(model, X) if usable else nan
        epoch, epoch_cpu, val = (bench_epoch(name, X, args.train_batches) if name != "ensemble"
                                 else (float("nan"),) * 3)  # the ensemble is not trained
        print(f"{name:12s} {model.parameter_count():>9,} {'-' if ckpt is None else f'{ckpt / 1e6:.2f}':>8s} "
              f"{single[0]:>8.1f} / {single[1]:>6.1f} {batch[0]:>10.0f} / {batch[1]:>7.0f} "
              f"{epoch:>8.0f} / {epoch_cpu:>5.0f} {val:>6.0f}  {origin}", flush=True)
    print(f"CPU pressure at end: {cpu_pressure()}. Epoch figures are measured on {args.train_batches} batches "
          f"and scaled to {FULL_TRAIN:,} records (kernel: feature extraction per record, scaled).")
    print("Goals: single <= 20 ms per CNN; batch >= 500 rec/s for resnet1d; epoch <= 60 s for resnet1d.")


if __name__ == "__main__":
    main()
