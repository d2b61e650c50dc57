"""Model speed and size: single-record latency, batch throughput, training-epoch time, parameters, checkpoints.

    .venv/bin/python bench/bench_models.py [--models resnet1d inception1d lstm kernel] [--batch 2000]
                                           [--train-batches 40] [--models-dir assets/models]

- single: one real 10 s record at 100 Hz (PTB-XL ecg_id 1, shipped), one CPU thread, `predict_proba` end to end
  (windows, standardise, forward, aggregate); median of 20 runs. Goal: <= 20 ms per CNN.
- batch: 2,000 records (the shipped real PTB-XL records at 100 Hz, repeated) on 2 threads. Goal: >= 500 rec/s (ResNet).
- epoch: one training epoch over folds 1-8 at full PTB-XL size (17,439 records = 80 % of 21,799), MEASURED on
  `--train-batches` batches of random 2.5 s crops (2 threads) and SCALED to the full epoch, plus the fold-9
  validation pass (2,180 records) measured the same way. Goal: <= 60 s for the ResNet.
  The kernel model has no epochs: its time is the feature extraction per record, scaled to folds 1-9.
- size: parameters and the shipped checkpoint's bytes.
The machine is shared: the CPU pressure (share of time runnable tasks waited for a core) is printed with the
figures, since contention slows everything here.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ecgcore  # noqa: E402,F401  (sets OMP_WAIT_POLICY before torch loads)
import torch  # noqa: E402

from ecgcore.config import MODELS_DIR  # noqa: E402
from ecgcore.data import catalogue  # noqa: E402
from ecgcore.models import CheckpointError, create, load_model, model_names  # noqa: E402
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
    """(12, 1000) signals of the shipped real PTB-XL records at 100 Hz."""
    frame = catalogue.demo_catalogue()
    ids = frame.loc[frame["source"] == "ptbxl", "record_id"]
    out = []
    for rid in ids:
        ecg = catalogue.load_record(rid, rate=100)
        if ecg.n_samples >= 1000:
            out.append(ecg.signal[:, :1000])
    return out


def model_for(name: str, models_dir: Path):
    try:
        return load_model(name, models_dir), "shipped weights"
    except CheckpointError as exc:
        return create(name), f"UNTRAINED (no usable checkpoint: {str(exc)[:60]}...)"


def bench_single(model, ecg, runs: int = 20) -> float:
    torch.set_num_threads(1)
    model.predict_proba(ecg)
    times = []
    for _ in range(runs):
        t = time.perf_counter(); model.predict_proba(ecg); times.append(time.perf_counter() - t)
    return float(np.median(times)) * 1000


def bench_batch(model, X: np.ndarray) -> float:
    torch.set_num_threads(2)
    t = time.perf_counter(); model.predict_proba(X); return len(X) / (time.perf_counter() - t)


def bench_epoch(name: str, X: np.ndarray, batches: int) -> tuple[float, float]:
    """(seconds for a full folds 1-8 epoch, seconds for the fold-9 validation pass), scaled from samples."""
    from ecgcore.models.torch_fit import augment, random_crops

    torch.set_num_threads(2)
    model = create(name)
    if not isinstance(model, TorchWindowModel):
        t = time.perf_counter(); features_of(X[:100], model.fs); per = (time.perf_counter() - t) / 100
        return per * FULL_TRAIN, per * FULL_VAL
    net, bs = model.net, model.hyper["batch_size"]
    net.train()
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    rng = np.random.default_rng(0)
    Y = torch.from_numpy((rng.random((bs, len(model.classes))) < 0.3).astype(np.float32))
    for b in range(batches + 2):
        if b == 2:
            t = time.perf_counter()  # two warm-up batches
        idx = rng.integers(0, len(X), bs)
        xb = model.standardise(augment(random_crops(X, idx, rng.integers(0, X.shape[-1] - 250 + 1, bs), 250), rng))
        loss = loss_fn(net(torch.from_numpy(xb)), Y)
        opt.zero_grad(); loss.backward(); opt.step()
    per_record = (time.perf_counter() - t) / (batches * bs)
    net.eval()
    t = time.perf_counter(); model.predict_proba(X[:200]); val_per = (time.perf_counter() - t) / 200
    return per_record * FULL_TRAIN, val_per * FULL_VAL


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=model_names())
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--train-batches", type=int, default=40)
    ap.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    args = ap.parse_args()
    signals = real_records_100hz()
    one = catalogue.load_record(catalogue.demo_catalogue().query("source == 'ptbxl'")["record_id"].iloc[0], rate=100)
    one = one.with_signal(one.signal[:, :1000])
    X = np.stack([signals[i % len(signals)] for i in range(args.batch)])
    print(f"CPU pressure at start: {cpu_pressure()}; torch {torch.__version__}; record {one.record_id} "
          f"({one.duration:.0f} s at {one.fs:.0f} Hz); batch of {len(X)} real 10 s records ({len(signals)} distinct)")
    header = f"{'model':12s} {'params':>9s} {'ckpt MB':>8s} {'1 rec 1 thr ms':>15s} {'batch rec/s':>12s} " \
             f"{'epoch s (f1-8)':>15s} {'val s (f9)':>11s}  weights"
    print(header)
    print("-" * len(header))
    for name in args.models:
        model, origin = model_for(name, args.models_dir)
        ckpt = model.card().get("checkpoint_bytes")
        single = bench_single(model, one) if origin == "shipped weights" or name != "kernel" else float("nan")
        batch = bench_batch(model, X) if origin == "shipped weights" or name != "kernel" else float("nan")
        epoch, val = bench_epoch(name, X, args.train_batches)
        print(f"{name:12s} {model.parameter_count():>9,} {'-' if ckpt is None else f'{ckpt / 1e6:.2f}':>8s} "
              f"{single:>15.1f} {batch:>12.0f} {epoch:>15.0f} {val:>11.0f}  {origin}", flush=True)
    print(f"CPU pressure at end: {cpu_pressure()}. Epoch figures are measured on {args.train_batches} batches "
          f"and scaled to {FULL_TRAIN:,} records (kernel: feature extraction per record, scaled).")
    print("Goals: single <= 20 ms per CNN; batch >= 500 rec/s for resnet1d; epoch <= 60 s for resnet1d.")


if __name__ == "__main__":
    main()
