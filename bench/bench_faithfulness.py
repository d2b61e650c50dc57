"""Do the explanations mean something? Lesion overlap, top beats, sanity, deletion; and measurement errors.

    .venv/bin/python -m bench.bench_faithfulness [--synth data/synth-small] [--records 300] [--fold 10]
                                                 [--models resnet1d inception1d lstm] [--models-dir assets/models]

On a synthetic corpus (lesions.jsonl says where each class's signature lies; truth.csv the true classes,
R-peaks and intervals), at 100 Hz (the models' rate), per model with Grad-CAM:
- lesion overlap: for records truly of a class (truth.csv, before label noise) that the model calls
  positive, the share of that class's positive Grad-CAM mass inside the class's lesion windows vs the share
  of time the windows cover (goal >= 80% of the mass for the ResNet);
- top beat: how often the beat ranked first for the class is a lesion beat (its -250..+400 ms window
  overlaps a lesion window), against the share of lesion beats among all beats (what chance would give);
- sanity (Adebayo et al. 2018): Spearman rank correlation between the trained model's map and the map of the
  same architecture with random weights (Grad-CAM and per-lead Saliency; low = the map depends on the model);
- deletion: the drop in the class probability when the top 20% of 0.1 s segments by Grad-CAM are set to
  0 mV, vs 20% random segments (mean of 10 draws).
Then the measurements (HR, PR, QRS, QT, QTc, axis) against truth.csv: mean absolute error and bias, at
500 Hz and 100 Hz.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np


from ecgcore.core.settings import passive_thread_waits  # noqa: E402

passive_thread_waits()  # before torch loads
import torch  # noqa: E402

from ecgcore.core.settings import resolve  # noqa: E402
from ecgcore.explain.attribution import record_attribution  # noqa: E402
from ecgcore.explain.beats import score_beats  # noqa: E402
from ecgcore.explain.faithfulness import (deletion_drop, lesion_mask, lesion_mass_share,  # noqa: E402
                                          sanity_rank_correlation)
from ecgcore.explain.gradcam import display_scale, record_cam  # noqa: E402
from ecgcore.signal import analyse_record  # noqa: E402
from ecgcore.signal.beats import beat_bounds  # noqa: E402
from ecgcore.signal.peaks import find_beats  # noqa: E402


def load_corpus(root: Path, n: int, fold: int | None):
    import pandas as pd

    from ecgcore.data.ptbxl import load_database

    db = load_database(root)
    truth = pd.read_csv(root / "truth.csv").set_index("ecg_id")
    lesions = {}
    with open(root / "lesions.jsonl") as f:
        for line in f:
            item = json.loads(line)
            lesions[int(item["ecg_id"])] = item["lesions"]
    ids = [i for i in db.index if fold is None or int(db.loc[i, "strat_fold"]) == fold][:n]
    return db, truth, lesions, ids


MAPS = (("last", "gradcam"), ("early", "gradcam"), ("last", "hirescam"), ("early", "hirescam"))


def _maps(model, ecg, k: int | None = None, ig: bool = False) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """{map name: (classes, samples) or (samples,) map}, record probabilities."""
    out = {}
    for layer, method in MAPS:
        cam, _, _ = record_cam(model, model.prepare(ecg), layer, method)
        out[f"{'Grad-CAM' if method == 'gradcam' else 'HiResCAM'} {layer}"] = cam
    probs = model.predict_proba(ecg)[0]  # the windows (`window_starts`) the maps are made from too
    if ig and k is not None:
        out["IG (sum of leads)"] = record_attribution(model, model.prepare(ecg), k, "ig").sum(axis=0)
    return out, probs


def faithfulness(model, name: str, ecgs, truth, lesions, sanity_maps: int, ig_records: int) -> None:
    from ecgcore.models import create

    random_model = create(name, seed=12345, classes=model.classes)  # same architecture, random weights
    share: dict[str, list[tuple[float, float]]] = {}
    top: dict[str, list[tuple[bool, float]]] = {}
    rho: dict[str, list[float]] = {}
    dele: dict[str, list[tuple[float, float]]] = {}
    pos99: list[float] = []
    n_cases = 0
    t0 = time.perf_counter()
    for ecg in ecgs:
        i = int(ecg.record_id)
        true = set(str(truth.loc[i, "true_superclasses"]).split())
        maps, probs = _maps(model, ecg)
        beats = find_beats(ecg)
        bounds = beat_bounds(beats.rpeaks, ecg.fs, ecg.n_samples) if beats.ok else None
        for k, cls in enumerate(model.classes):
            mask = lesion_mask(lesions.get(i, []), cls, ecg.n_samples, ecg.fs)
            if cls not in true or not mask.any() or probs[k] < model.thresholds[k]:
                continue
            n_cases += 1
            case_maps = {m: v[k] for m, v in maps.items()}
            if n_cases <= ig_records:
                case_maps["IG (sum of leads)"] = record_attribution(model, model.prepare(ecg), k, "ig").sum(axis=0)
            pos99.append((float(np.percentile(np.maximum(case_maps["Grad-CAM last"], 0), 99)),
                          float(np.percentile(np.maximum(case_maps["HiResCAM last"], 0), 99))))
            lesion_beat = np.array([mask[a:b].any() for a, b in bounds]) if bounds is not None else None
            random_maps = None
            if n_cases <= sanity_maps:
                random_maps = {m: v[k] for m, v in _maps(random_model, ecg)[0].items()}
                if "IG (sum of leads)" in case_maps:
                    random_maps["IG (sum of leads)"] = record_attribution(random_model, random_model.prepare(ecg), k, "ig").sum(axis=0)
            for m, v in case_maps.items():
                s, t = lesion_mass_share(v, mask)
                if not np.isnan(s):
                    share.setdefault(m, []).append((s, t))
                if lesion_beat is not None:
                    ranking = score_beats(bounds, v[None], ecg.fs, 0).ranking
                    top.setdefault(m, []).append((bool(lesion_beat[ranking[0]]), float(lesion_beat.mean())))
                if random_maps is not None:
                    rho.setdefault(m, []).append(sanity_rank_correlation(v, random_maps[m]))
                    dele.setdefault(m, []).append(deletion_drop(ecg, v, lambda e, k=k: float(model.predict_proba(e)[0, k])))
    dt = time.perf_counter() - t0
    print(f"\n{name}: {len(ecgs)} records, {n_cases} (record, class) cases truly of the class, called positive "
          f"and with lesion windows; {dt:.0f} s")
    print(f"  {'map':18s} {'mass on lesions':>15s} {'lesion time':>11s} {'top beat on lesion':>18s} {'chance':>7s} "
          f"{'(intermittent':>13s} {'chance)':>7s} {'sanity rho':>10s} {'|rho|':>6s} {'deletion top':>12s} "
          f"{'random':>7s}")
    for m in sorted(share, key=lambda name: (name.startswith("IG"), name)):
        s, t = np.array(share[m]).T
        hits = top.get(m, [])
        r = np.array(rho.get(m, [np.nan]))
        d = np.array(dele.get(m, [(np.nan, np.nan)]))
        part = [(h, c) for h, c in hits if c < 1.0]  # records where some beats carry no lesion
        print(f"  {m:18s} {100 * s.mean():14.1f}% {100 * t.mean():10.1f}% "
              f"{100 * np.mean([h for h, _ in hits]):17.1f}% {100 * np.mean([c for _, c in hits]):6.1f}% "
              f"{100 * np.mean([h for h, _ in part]) if part else float('nan'):12.1f}% "
              f"{100 * np.mean([c for _, c in part]) if part else float('nan'):6.1f}% (n={len(part)}) "
              f"{np.nanmean(r):+10.2f} {np.nanmean(np.abs(r)):6.2f} {d[:, 0].mean():12.3f} {d[:, 1].mean():7.3f}")
    print(f"  (mass on lesions: share of the positive map inside the class's lesion windows, goal >= 80% for the "
          f"ResNet; lesion time: the share of the record they cover. top beat: the beat ranked first is a lesion "
          f"beat; chance: the share of lesion beats; intermittent: only cases where some beats carry no lesion. "
          f"sanity: Spearman rho vs random weights, "
          f"{sanity_maps} cases. deletion: probability drop, top 20% of 0.1 s segments vs random, same cases; "
          f"IG on the first {ig_records} cases)")
    if pos99:
        p = np.array(pos99)
        for j, method in enumerate(("gradcam", "hirescam")):
            print(f"  99th percentile of the positive {method} map (last layer) on those cases: median "
                  f"{np.median(p[:, j]):.2f} logits/s, 90th percentile {np.percentile(p[:, j], 90):.2f} "
                  f"(display scale {display_scale(method):g})")


def measurement_errors(root: Path, db, truth, ids) -> None:
    import pandas as pd

    from ecgcore.data.ptbxl import load_ecg

    for rate in (500, 100):
        if not (root / f"records{rate}").exists():
            continue
        rows = []
        t0 = time.perf_counter()
        for i in ids:
            ecg = load_ecg(root, i, rate, db=db)
            a = analyse_record(ecg)
            v = lambda k: np.nan if a.value(k) is None else a.value(k)  # noqa: E731
            t = truth.loc[i]
            rows.append({"HR (bpm)": v("HR") - t.hr_bpm, "PR (ms)": v("PR") - t.pr_ms,
                         "QRS (ms)": v("QRS") - t.qrs_ms, "QT (ms)": v("QT") - t.qt_ms,
                         "QTc Bazett (ms)": v("QTc_Bazett") - t.qtc_bazett_ms,
                         "axis (deg)": (v("axis") - t.axis_deg + 180) % 360 - 180})
        d = pd.DataFrame(rows)
        print(f"\nmeasurements vs truth.csv at {rate} Hz, {len(ids)} records, "
              f"{(time.perf_counter() - t0) / len(ids) * 1000:.0f} ms per record:")
        print(f"  {'':16s} {'MAE':>7s} {'median |err|':>13s} {'bias':>7s} {'measured':>9s}")
        for col in d:
            e = d[col]
            print(f"  {col:16s} {e.abs().mean():7.1f} {e.abs().median():13.1f} {e.mean():+7.1f} "
                  f"{e.notna().sum():5d}/{len(e)}")


def main() -> None:
    torch.set_num_threads(1)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synth", default="data/synth-small")
    ap.add_argument("--records", type=int, default=300)
    ap.add_argument("--fold", type=int, default=None, help="use only this strat_fold (e.g. 10: the test fold)")
    ap.add_argument("--models", nargs="+", default=["resnet1d", "inception1d", "lstm"])
    ap.add_argument("--models-dir", default=str(resolve().models_dir))
    ap.add_argument("--sanity-maps", type=int, default=40, help="cases for the sanity and deletion checks")
    ap.add_argument("--ig-records", type=int, default=30, help="cases that also get Integrated Gradients")
    ap.add_argument("--skip-measurements", action="store_true")
    args = ap.parse_args()
    root = Path(args.synth)
    if not (root / "lesions.jsonl").exists():
        print(f"skipped: no synthetic corpus at {root}; make one with `python -m ecgcore synth --out {root} "
              "--records 500 --seed 1 --rates 100 500` (or pass --synth DIR)")
        return
    from ecgcore.data.ptbxl import load_ecg
    from ecgcore.models import load_model

    db, truth, lesions, ids = load_corpus(root, args.records, args.fold)
    print(f"synthetic corpus {root}: {len(ids)} records{'' if args.fold is None else f' of fold {args.fold}'}")
    ecgs = [load_ecg(root, i, 100, db=db) for i in ids]
    ecgs = [e.with_signal(e.signal, record_id=str(i)) for e, i in zip(ecgs, ids)]
    for name in args.models:
        try:
            model = load_model(name, args.models_dir)
        except Exception as exc:
            print(f"\n{name}: skipped ({exc})")
            continue
        data = model.card().trained_on
        data = data if isinstance(data, dict) else {"path": data}
        print(f"\n(model {name} trained on {data.get('path', '?')}: {data.get('n_train', '?')} training records, "
              f"generator seed {data.get('generator_seed', '?')})")
        faithfulness(model, name, ecgs, truth, lesions, args.sanity_maps, args.ig_records)
    if not args.skip_measurements:
        measurement_errors(root, db, truth, ids)


if __name__ == "__main__":
    main()
