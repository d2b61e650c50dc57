"""Speed of explaining one 10 s record on one CPU thread.

    .venv/bin/python -m bench.bench_explain [--record ptbxl/00001] [--models resnet1d inception1d lstm kernel]

Per model: the bare forward pass over the record's sliding windows; predictions + the class activation map
(HiResCAM, the default; Grad-CAM timed beside it) for all 5 classes (stitched, at the record's rate) + beats (R-peaks, windows, per-beat scores) against the goals (<= 50 ms for
the ResNet; <= 3x the forward pass); per-lead Integrated Gradients with its number of steps (and Saliency);
measurements; and the whole `explain_record` call, with its parts on the prepared record (predict + class map +
per-lead map + lead evidence, CPU time, against the goal <= 300 ms). The record is taken at 100 Hz (the models' rate) and at
500 Hz (the display rate, maps interpolated). Times are the median of --repeats runs after a warm-up
(the min beside it), in CPU time of the one thread: this machine is shared, and CPU time is the work itself.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Callable

import numpy as np


from ecgcore.core.settings import passive_thread_waits  # noqa: E402

passive_thread_waits()  # before torch loads
import torch  # noqa: E402

from ecgcore.core.settings import resolve  # noqa: E402
from ecgcore.explain.attribution import IG_STEPS, network_attribution, record_attribution  # noqa: E402
from ecgcore.explain.beats import score_beats  # noqa: E402
from ecgcore.explain.evidence import GROUPS, lead_evidence  # noqa: E402
from ecgcore.explain.gradcam import DEFAULT_CAM_METHOD, cam_layer, cam_windows, record_cam  # noqa: E402
from ecgcore.signal import analyse_record  # noqa: E402
from ecgcore.signal.beats import beat_bounds  # noqa: E402
from ecgcore.signal.peaks import find_beats  # noqa: E402
from ecgcore.explain.record import explain_record  # noqa: E402
from ecgcore.explain.stitch import stitch_windows, to_rate  # noqa: E402
from ecgcore.signal.resample import ecg_resample  # noqa: E402


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(median, min) CPU milliseconds of fn() over `repeats` runs after one warm-up run.

    CPU time of this process (one torch thread), not wall time: other jobs on this shared machine slow the
    wall clock but not the work done; the wall-clock median is printed once per model beside it."""
    fn()
    runs = []
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        runs.append((time.process_time() - t0) * 1000)
    return statistics.median(runs), min(runs)


def wall(fn: Callable[[], object], repeats: int) -> float:
    """Median wall-clock milliseconds of fn()."""
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def load(name: str, models_dir: Path):
    from ecgcore.models import create, load_model

    try:
        return load_model(name, models_dir), "trained"
    except Exception as exc:  # no shipped weights yet: time an untrained copy (same arithmetic)
        return create(name), f"untrained ({type(exc).__name__})"


def bench_network(model, ecg, repeats: int) -> None:
    em = ecg_resample(ecg, model.fs)
    x = model.net_input(em)
    layer = cam_layer(model)
    k = len(model.classes)

    def forward() -> None:
        with torch.inference_mode():
            model.net(x)

    def predict_gradcam() -> np.ndarray:  # as explain_record: probabilities and map from the same windows
        em_now = ecg_resample(ecg, model.fs)
        model.predict_proba(em_now)
        starts = model.window_starts(em_now.n_samples)
        windows = torch.from_numpy(model.standardise(model.windows(em_now.signal, starts)))
        cam, _ = cam_windows(model.net, layer, windows, range(k), windows.shape[-1] / model.fs, DEFAULT_CAM_METHOD)
        return to_rate(stitch_windows(cam, starts, em_now.n_samples), model.fs, ecg.n_samples, ecg.fs)

    gc = predict_gradcam()

    def beats() -> None:
        b = find_beats(ecg)
        score_beats(beat_bounds(b.rpeaks, ecg.fs, ecg.n_samples), gc, ecg.fs, 1)

    def both() -> None:
        predict_gradcam()
        beats()

    other = "gradcam" if DEFAULT_CAM_METHOD != "gradcam" else "hirescam"
    o = timed(lambda: cam_windows(model.net, layer, x, range(k), x.shape[-1] / model.fs, other), repeats)
    f = timed(forward, repeats)
    p = timed(lambda: model.predict_proba(ecg), repeats)
    g = timed(predict_gradcam, repeats)
    b = timed(beats, repeats)
    t = timed(both, repeats)
    ig = timed(lambda: network_attribution(model.net, x, 1, model.fs, "ig", IG_STEPS), max(1, repeats // 4))
    sal = timed(lambda: network_attribution(model.net, x, 1, model.fs, "saliency"), repeats)
    print(f"  {len(x)} windows of {x.shape[-1]} samples; forward {f[0]:.1f} ms (min {f[1]:.1f}); "
          f"predict_proba {p[0]:.1f} ms; (wall clock now: forward {wall(forward, repeats):.1f} ms, explain "
          f"{wall(both, repeats):.1f} ms)")
    print(f"  predictions + {DEFAULT_CAM_METHOD} x{k} classes (stitched, at the record's rate) {g[0]:.1f} ms "
          f"(min {g[1]:.1f}); beats {b[0]:.1f} ms (min {b[1]:.1f}); [{other} x{k} per-window maps {o[0]:.1f} ms]")
    print(f"  => explain (predictions + {DEFAULT_CAM_METHOD} x{k} + beats) {t[0]:.1f} ms (min {t[1]:.1f}); goal <= 50 ms; "
          f"{t[1] / f[1]:.1f}x the forward pass (min/min; median/median {t[0] / f[0]:.1f}x; goal <= 3x); the CAM "
          f"part alone {g[1] / f[1]:.1f}x")
    attr = network_attribution(model.net, x, 1, model.fs, "ig", IG_STEPS)
    with torch.no_grad():
        delta = (model.net(x) - model.net(torch.zeros_like(x)))[:, 1].numpy()
    err = np.abs(attr.sum(axis=(1, 2)) / model.fs - delta).max() / max(np.abs(delta).max(), 1e-9)
    print(f"  per-lead Integrated Gradients ({IG_STEPS} steps, {IG_STEPS * len(x)} window passes) {ig[0]:.0f} ms "
          f"(completeness error {100 * err:.1f}% of the largest logit change); Saliency {sal[0]:.1f} ms")


def every_record(model, name: str) -> None:
    """explain_record on every shipped real record: how many work, how many have beats, time."""
    from ecgcore.data.catalogue import catalogue, load_record

    ids = catalogue()["record_id"].tolist()
    failed, no_beats, t = [], 0, []
    for rid in ids:
        ecg = load_record(rid)
        t0 = time.perf_counter()
        try:
            ex = explain_record(ecg, model, attribution="saliency")
        except Exception as exc:  # report, keep going
            failed.append(f"{rid}: {exc}")
            continue
        t.append(time.perf_counter() - t0)
        no_beats += not ex.beats.ok
    print(f"\n{name}: explain_record on every shipped real record: {len(ids) - len(failed)}/{len(ids)} explained, "
          f"{no_beats} with no beats found, median {1000 * np.median(t):.0f} ms wall each (per-lead "
          f"{'occlusion' if getattr(model, 'net', None) is None else 'Saliency'})")
    for line in failed:
        print(f"  failed: {line}")


def main() -> None:
    torch.set_num_threads(1)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--record", default="ptbxl/00001", help="a shipped record id (10 s)")
    ap.add_argument("--models", nargs="+", default=["resnet1d", "inception1d", "lstm", "kernel"])
    ap.add_argument("--models-dir", default=str(resolve().models_dir))
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--every-record", action="store_true", help="also explain every shipped real record")
    args = ap.parse_args()
    from ecgcore.data.catalogue import load_record

    record = load_record(args.record)
    rates = [100.0, float(record.fs)] if record.fs != 100 else [100.0]
    print(f"record {args.record}: {record.duration:.1f} s; one CPU thread (torch.set_num_threads(1))")
    for name in args.models:
        model, state = load(name, Path(args.models_dir))
        for fs in rates:
            ecg = ecg_resample(record, fs)
            print(f"\n{name} ({state}) on the record at {fs:g} Hz")
            if getattr(model, "net", None) is not None:
                bench_network(model, ecg, args.repeats)
            else:
                try:
                    pr = timed(lambda: model.predict_proba(ecg), 3)
                except Exception as exc:
                    print(f"  skipped: {exc}")
                    break
                print(f"  predict_proba {pr[0]:.1f} ms; Grad-CAM not available (no convolutional layers)")
            m = timed(lambda: analyse_record(ecg), 3)
            print(f"  analyse_record (beats, rhythm, delineation, measurements) {m[0]:.0f} ms")
            try:
                full = timed(lambda: explain_record(ecg, model, "MI"), 2)
                print(f"  explain_record (everything, per-lead {'occlusion' if model.__class__.__name__ == 'KernelRBF' else 'IG'}) "
                      f"{full[0]:.0f} ms (the app caches it with Streamlit)")
                prepared = model.prepare(ecg)
                beats = find_beats(ecg)
                rp = np.round(beats.rpeaks * model.fs / ecg.fs).astype(int) if beats.ok else None
                k = model.classes.index("MI")
                pr = timed(lambda: model.predict_prepared(prepared), 3)
                cm = timed(lambda: record_cam(model, prepared), 3) if getattr(model, "net", None) is not None \
                    else (0.0, 0.0)
                pl = timed(lambda: record_attribution(model, prepared, k), 3)
                base = model.predict_prepared(prepared)[0]  # the app passes the probabilities it has
                ev = timed(lambda: lead_evidence(model, prepared, rp, probabilities=base), 3)
                core = pr[0] + cm[0] + pl[0] + ev[0]
                print(f"  CPU ms: predict {pr[0]:.0f}, class map {cm[0]:.0f}, per-lead map {pl[0]:.0f}, lead evidence "
                      f"(12 leads + {len(GROUPS)} groups through the model's rule) {ev[0]:.0f} => predict + "
                      f"maps + lead evidence {core:.0f} ms (goal <= 300 ms)")
            except Exception as exc:
                print(f"  explain_record failed: {exc}")
        if args.every_record:
            every_record(model, name)


if __name__ == "__main__":
    main()
