"""Does each model look where a cardiologist looks on real MI? Attribution share in the infarct territory.

For every real PTB-XL MI record with a territory statement, in folds 9 and 10 (records the shipped weights
never trained on; `--folds` changes that), and every model: the per-lead attribution of the MI class
(Integrated Gradients for the networks, lead occlusion for the kernel model; `ecgcore.explain.attribution`),
as |attribution| summed per lead:
- territory share: the part in the territory's leads (inferior II, III, aVF; anteroseptal V1-V4; lateral I,
  aVL, V5, V6), against chance = the territory's share of the 12 leads;
- ST-T share: the part in the ST-T segments (R + 80 ms to R + 400 ms, cut before the next QRS) against
  chance = those samples' share of the record; and the QRS share (R - 50 ms to R + 80 ms) with its chance.
  (The kernel model's occlusion map is flat in time, so its ST-T share equals chance by construction.)
Territories (PTB-XL SCP codes, ECG_CRITERIA.md): IMI, IPMI inferior; ILMI, IPLMI inferior + lateral; ASMI,
AMI anteroseptal; ALMI anteroseptal + lateral; LMI lateral; PMI posterior, seen as the mirror image in V1-V3.
Goal: territory share >= 2x chance. R-peaks: `ecgcore.explain.beats.find_beats`.

    .venv/bin/python bench/bench_territory.py [--models resnet1d ...] [--folds 9 10] [--json]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from ecgcore.leads import LEADS  # noqa: E402

TERRITORY_LEADS = {
    "inferior": ("II", "III", "aVF"),
    "anteroseptal": ("V1", "V2", "V3", "V4"),
    "lateral": ("I", "aVL", "V5", "V6"),
    "posterior (mirror V1-V3)": ("V1", "V2", "V3"),
}
CODE_TERRITORIES = {
    "IMI": ("inferior",), "IPMI": ("inferior",), "ILMI": ("inferior", "lateral"), "IPLMI": ("inferior", "lateral"),
    "ASMI": ("anteroseptal",), "AMI": ("anteroseptal",), "ALMI": ("anteroseptal", "lateral"), "LMI": ("lateral",),
    "PMI": ("posterior (mirror V1-V3)",),
}
QRS_MS = (-50, 80)
STT_MS = (80, 400)
GOAL_RATIO = 2.0


def territory_leads(codes: dict[str, float]) -> tuple[set[str], list[str]]:
    """(leads of the record's territories, territory names) from its SCP codes."""
    names = sorted({t for c in codes if c in CODE_TERRITORIES for t in CODE_TERRITORIES[c]})
    return {lead for t in names for lead in TERRITORY_LEADS[t]}, names


def segment_masks(rpeaks: np.ndarray, fs: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(QRS mask, ST-T mask) over n samples for beats at `rpeaks`."""
    qrs, stt = np.zeros(n, bool), np.zeros(n, bool)
    q0, q1 = (int(round(ms * fs / 1000)) for ms in QRS_MS)
    s0, s1 = (int(round(ms * fs / 1000)) for ms in STT_MS)
    for i, r in enumerate(rpeaks):
        qrs[max(0, r + q0):max(0, min(n, r + q1))] = True
        end = r + s1 if i + 1 == len(rpeaks) else min(r + s1, rpeaks[i + 1] + q0)
        stt[max(0, r + s0):max(0, min(n, end))] = True
    return qrs, stt & ~qrs


def measure(model, ecg, leads: set[str]) -> dict[str, float] | None:
    from ecgcore.explain.attribution import record_attribution
    from ecgcore.explain.beats import find_beats

    attr = np.abs(record_attribution(model, ecg, model.classes.index("MI")))
    total = attr.sum()
    beats = find_beats(ecg)
    if total <= 0 or not beats.ok:
        return None
    idx = [LEADS.index(lead) for lead in leads]
    qrs, stt = segment_masks(beats.rpeaks, ecg.fs, ecg.n_samples)
    per_time = attr.sum(axis=0)
    return {"territory": attr[idx].sum() / total, "territory_chance": len(idx) / len(LEADS),
            "stt": per_time[stt].sum() / total, "stt_chance": stt.mean(),
            "qrs": per_time[qrs].sum() / total, "qrs_chance": qrs.mean()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="*", default=None)
    ap.add_argument("--folds", nargs="*", type=int, default=[9, 10])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    from ecgcore.ecg import ECG
    from ecgcore.models import load_model, model_names
    from ecgcore.realsets import ptbxl_set

    real = ptbxl_set()
    picked = []
    for i, rid in enumerate(real.record_ids):
        leads, names = territory_leads(real.meta[i]["scp_codes"])
        if real.folds[i] in args.folds and leads and real.Y[i, 1]:
            ecg = ECG(signal=real.signals[i], fs=100.0, record_id=rid, source="ptbxl")
            picked.append((rid, ecg, leads, names))
    counts: dict[str, int] = {}
    for _, _, _, names in picked:
        for t in names:
            counts[t] = counts.get(t, 0) + 1
    print(f"real PTB-XL MI records with a territory, folds {args.folds}: {len(picked)} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})")
    out = {}
    print(f"{'model':12s} {'N':>3s} {'territory share':>16s} {'chance':>7s} {'x chance':>9s} {'ST-T share':>11s} "
          f"{'chance':>7s} {'x':>5s} {'QRS share':>10s} {'chance':>7s} {'x':>5s}  goal (territory >= {GOAL_RATIO:g}x)")
    for name in args.models or model_names():
        model = load_model(name)
        rows = [m for _, ecg, leads, _ in picked if (m := measure(model, ecg, leads)) is not None]
        if not rows:
            print(f"{name:12s} no record could be measured")
            continue
        mean = {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}
        ratio = mean["territory"] / mean["territory_chance"]
        out[name] = {**mean, "n": len(rows), "territory_x_chance": ratio,
                     "stt_x_chance": mean["stt"] / mean["stt_chance"], "qrs_x_chance": mean["qrs"] / mean["qrs_chance"]}
        o = out[name]
        print(f"{name:12s} {len(rows):3d} {o['territory']:16.3f} {o['territory_chance']:7.3f} {ratio:9.2f} "
              f"{o['stt']:11.3f} {o['stt_chance']:7.3f} {o['stt_x_chance']:5.2f} {o['qrs']:10.3f} "
              f"{o['qrs_chance']:7.3f} {o['qrs_x_chance']:5.2f}  {'met' if ratio >= GOAL_RATIO else 'MISSED'}")
    if args.json:
        print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
