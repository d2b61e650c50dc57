"""R-peak detectors compared: neurokit2 methods vs wfdb.processing XQRS/GQRS, on synthetic truth and real records.

    .venv/bin/python -m bench.bench_rpeaks [--synth data/synth-small] [--records 300] [--real 0]

Synthetic corpus (known R-peak times in truth.csv): sensitivity, positive predictive value (a detection
matches a true R within 50 ms) and mean |error| of the matched peaks, at 500 Hz and 100 Hz.
Real shipped records (no beat annotations exist for PTB-XL): agreement of each detector with wfdb's XQRS
(sensitivity/PPV of one against the other) and the share of records where beats were found.
Time: ms per 10 s record, one thread, the whole `find_beats` pipeline (lead choice, refinement, checks).
Every detector runs through `ecgcore.signal.peaks.find_beats`; "neurokit@II" is the default detector held
on lead II, to show what choosing the lead buys.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np


from ecgcore.signal.peaks import DEFAULT_RPEAK_METHOD, RPEAK_METHODS, find_beats  # noqa: E402

TOL_S = 0.05


def match(det: np.ndarray, ref: np.ndarray, tol: float) -> tuple[int, int, int, list[float]]:
    """(true positives, false negatives, false positives, |errors|) matching detections to references one-to-one."""
    used = np.zeros(len(det), dtype=bool)
    tp, errs = 0, []
    for r in ref:
        if len(det) == 0:
            break
        d = np.abs(det - r)
        d[used] = np.inf
        j = int(np.argmin(d))
        if d[j] <= tol:
            used[j] = True
            tp += 1
            errs.append(float(d[j]))
    return tp, len(ref) - tp, int((~used).sum()), errs


def detectors() -> list[tuple[str, str, str | None]]:
    return [(m, m, None) for m in RPEAK_METHODS] + [(f"{DEFAULT_RPEAK_METHOD}@II", DEFAULT_RPEAK_METHOD, "II")]


def run_synthetic(root: Path, n: int) -> None:
    import pandas as pd

    from ecgcore.data.ptbxl import load_database, load_ecg

    truth = pd.read_csv(root / "truth.csv").set_index("ecg_id")
    db = load_database(root)
    ids = [i for i in db.index[:n] if i in truth.index]
    for rate in (500, 100):
        if not (root / f"records{rate}").exists():
            continue
        ecgs = [load_ecg(root, i, rate, db=db) for i in ids]
        refs = [np.array([float(x) for x in str(truth.loc[i, "rpeaks_s"]).split()]) for i in ids]
        print(f"\nsynthetic corpus {root} at {rate} Hz: {len(ecgs)} records, {sum(map(len, refs))} true beats, "
              f"match within {TOL_S * 1000:.0f} ms")
        print(f"{'detector':18s} {'sens':>7s} {'PPV':>7s} {'|err| ms':>9s} {'no-beats':>9s} {'ms/rec':>8s}")
        for label, method, lead in detectors():
            find_beats(ecgs[0], method, lead)  # warm-up (imports)
            tp = fn = fp = 0
            errs: list[float] = []
            fails = 0
            t0 = time.perf_counter()
            found = [find_beats(e, method, lead) for e in ecgs]
            dt = (time.perf_counter() - t0) / len(ecgs)
            for b, ref in zip(found, refs):
                fails += not b.ok
                a, c, d, e = match(b.rpeaks / b.fs, ref, TOL_S)
                tp, fn, fp = tp + a, fn + c, fp + d
                errs += e
            print(f"{label:18s} {tp / max(tp + fn, 1):7.4f} {tp / max(tp + fp, 1):7.4f} "
                  f"{1000 * np.mean(errs) if errs else float('nan'):9.1f} {fails:9d} {dt * 1000:8.1f}")


def run_real(limit: int) -> None:
    from ecgcore.data.catalogue import catalogue, load_record

    cat = catalogue()
    cat = cat[cat["duplicate_of"].isna()]
    ids = cat["record_id"].tolist()[: limit or None]
    ecgs = [load_record(r) for r in ids]
    print(f"\nreal shipped records: {len(ecgs)} (duplicates left out), rates {sorted(set(e.fs for e in ecgs))} Hz; "
          f"agreement with XQRS on the same lead, within {TOL_S * 1000:.0f} ms")
    print(f"{'detector':18s} {'sens':>7s} {'PPV':>7s} {'beats found':>12s} {'ms/rec (10 s)':>14s}")
    for label, method, lead in detectors():
        find_beats(ecgs[0], method, lead)
        tp = fn = fp = 0
        ok = 0
        t_total = 0.0
        s_total = 0.0
        for e in ecgs:
            t0 = time.perf_counter()
            b = find_beats(e, method, lead)
            t_total += time.perf_counter() - t0
            s_total += e.duration
            ok += b.ok
            if not b.ok:
                continue
            ref = find_beats(e, "xqrs", b.lead)
            if not ref.ok:
                continue
            a, c, d, _ = match(b.rpeaks / e.fs, ref.rpeaks / e.fs, TOL_S)
            tp, fn, fp = tp + a, fn + c, fp + d
        print(f"{label:18s} {tp / max(tp + fn, 1):7.4f} {tp / max(tp + fp, 1):7.4f} {ok:6d}/{len(ecgs):<5d} "
              f"{t_total / s_total * 10 * 1000:14.1f}")


def main() -> None:
    import torch

    torch.set_num_threads(1)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synth", default="data/synth-small", help="a synthetic corpus folder (python -m ecgcore synth)")
    ap.add_argument("--records", type=int, default=300, help="synthetic records to use")
    ap.add_argument("--real", type=int, default=0, help="real records to use (0 = all shipped)")
    args = ap.parse_args()
    print(f"default detector: {DEFAULT_RPEAK_METHOD}")
    root = Path(args.synth)
    if (root / "truth.csv").exists():
        run_synthetic(root, args.records)
    else:
        print(f"\n(no synthetic corpus at {root}: make one with `python -m ecgcore synth --out {root} "
              "--records 500 --seed 1 --rates 100 500`)")
    run_real(args.real)


if __name__ == "__main__":
    main()
