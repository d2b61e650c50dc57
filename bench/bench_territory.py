"""Does each model look where a cardiologist looks on real MI? Attribution share in the infarct territory.

For every real PTB-XL MI record with a territory statement, in folds 9 and 10 (records the shipped weights
never trained on; `--folds` changes that), and every model: the per-lead attribution of the MI class
(Integrated Gradients for the networks, lead occlusion for the kernel model; `ecgcore.explain.attribution`),
as |attribution| summed per lead:
- territory share: the part in the territory's leads (inferior II, III, aVF; anteroseptal V1-V4; lateral I,
  aVL, V5, V6), against chance = the territory's share of the 12 leads;
- ST-T share: the part in the ST-T segments (R + 80 ms to R + 400 ms, cut before the next QRS) against
  chance = those samples' share of the record; and the QRS share (R - 50 ms to R + 80 ms) with its chance;
- "pos. x": the territory share of the positive attribution only (evidence for the class), x chance.
  (The kernel model's occlusion map is flat in time, so its ST-T share equals chance by construction.)
Territories (PTB-XL SCP codes, ECG_CRITERIA.md): IMI, IPMI inferior; ILMI, IPLMI inferior + lateral; ASMI,
AMI anteroseptal; ALMI anteroseptal + lateral; LMI lateral; PMI posterior, seen as the mirror image in V1-V3.
LUDB (external): records whose diagnosis statements name a wall ("Scar formation: inferior wall" and
"STEMI: ..." -> MI,
"Ischemia: lateral wall" -> STTC, as `ecgcore.data.ludb` maps them; anterior and septal -> anteroseptal leads,
posterior -> V1-V3; apical is left out), attribution of the statement's class (MI or STTC), reported apart.
Goal: territory share >= 2x chance. R-peaks: `ecgcore.signal.peaks.find_beats`. The lead evidence (the
model's own probability change when a lead is replaced, `ecgcore.explain.evidence`) is measured the same way by
`bench/bench_evidence.py`.

    .venv/bin/python -m bench.bench_territory [--models resnet1d ...] [--folds 9 10] [--json]
"""
from __future__ import annotations

import argparse
import json


import numpy as np  # noqa: E402

from ecgcore.core.leads import LEAD_GROUPS, LEADS, MI_TERRITORIES  # noqa: E402

TERRITORY_LEADS = LEAD_GROUPS
CODE_TERRITORIES = MI_TERRITORIES
LUDB_WALLS = {"inferior wall": "inferior", "lateral wall": "lateral", "anterior wall": "anteroseptal",
              "septal": "anteroseptal", "posterior wall": "posterior (mirror V1-V3)"}
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


def ludb_territories(diagnoses: list[str], labels: tuple[str, ...]) -> tuple[set[str], list[str], str | None]:
    """(leads, territory names, class to explain) of a LUDB record's wall statements."""
    names, cls = set(), None
    for d in diagnoses:
        head, _, wall = d.partition(":")
        wall = wall.strip().rstrip(".").strip().lower()
        kind = head.strip().lower()
        if wall in LUDB_WALLS and kind in ("scar formation", "stemi", "ischemia"):
            want = "STTC" if kind == "ischemia" else "MI"
            if want in labels:
                names.add(LUDB_WALLS[wall]); cls = cls or want
    names_l = sorted(names)
    return {lead for t in names_l for lead in TERRITORY_LEADS[t]}, names_l, cls


def measure(model, ecg, leads: set[str], cls: str = "MI") -> dict[str, float] | None:
    from ecgcore.explain.attribution import record_attribution
    from ecgcore.signal.peaks import find_beats

    signed = record_attribution(model, model.prepare(ecg), model.classes.index(cls))
    attr = np.abs(signed)
    pos = np.clip(signed, 0, None)
    total = attr.sum()
    beats = find_beats(ecg)
    if total <= 0 or not beats.ok:
        return None
    idx = [LEADS.index(lead) for lead in leads]
    qrs, stt = segment_masks(beats.rpeaks, ecg.fs, ecg.n_samples)
    per_time = attr.sum(axis=0)
    return {"territory": attr[idx].sum() / total, "territory_chance": len(idx) / len(LEADS),
            "territory_positive": pos[idx].sum() / max(pos.sum(), 1e-12),
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
    from ecgcore.core.ecg import ECG
    from ecgcore.models import load_model, model_names
    from ecgcore.data.evalsets import ptbxl_set

    from ecgcore.core.labels import SUPERCLASSES
    from ecgcore.data.evalsets import external_sets

    real = ptbxl_set()
    groups: dict[str, list] = {"PTB-XL MI": [], "LUDB": []}
    for i, rid in enumerate(real.record_ids):
        leads, names = territory_leads(real.meta[i]["scp_codes"])
        if real.folds[i] in args.folds and leads and real.Y[i, 1]:
            ecg = ECG(signal=real.signals[i], fs=100.0, record_id=rid, source="ptbxl")
            groups["PTB-XL MI"].append((rid, ecg, leads, names, "MI"))
    ludb = external_sets().get("ludb")
    for i, rid in enumerate(ludb.record_ids if ludb else []):
        labels = tuple(c for c, y in zip(SUPERCLASSES, ludb.Y[i]) if y)
        leads, names, cls = ludb_territories(ludb.meta[i]["diagnoses"], labels)
        if leads and cls:
            groups["LUDB"].append((rid, ECG(signal=ludb.signals[i], fs=100.0, record_id=rid, source="ludb"),
                                   leads, names, cls))
    for group, picked in groups.items():
        counts: dict[str, int] = {}
        for _, _, _, names, _ in picked:
            for t in names:
                counts[t] = counts.get(t, 0) + 1
        where = f"folds {args.folds}" if group.startswith("PTB-XL") else "external"
        print(f"{group} records with a territory ({where}): {len(picked)} "
              f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})")
    out = {}
    print(f"{'model, records':22s} {'N':>3s} {'territory share':>16s} {'chance':>7s} {'x chance':>9s} {'ST-T share':>11s} "
          f"{'chance':>7s} {'x':>5s} {'QRS share':>10s} {'chance':>7s} {'x':>5s} {'pos. x':>9s}  goal (territory >= "
          f"{GOAL_RATIO:g}x)")
    for name in args.models or model_names():
        model = load_model(name)
        for group, picked in groups.items():
            rows = [m for _, ecg, leads, _, cls in picked if (m := measure(model, ecg, leads, cls)) is not None]
            label = f"{name} {group}"
            if not rows:
                print(f"{label:22s} no record could be measured")
                continue
            mean = {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}
            ratio = mean["territory"] / mean["territory_chance"]
            out[label] = {**mean, "n": len(rows), "territory_x_chance": ratio,
                          "territory_positive_x_chance": mean["territory_positive"] / mean["territory_chance"],
                          "stt_x_chance": mean["stt"] / mean["stt_chance"], "qrs_x_chance": mean["qrs"] / mean["qrs_chance"]}
            o = out[label]
            print(f"{label:22s} {len(rows):3d} {o['territory']:16.3f} {o['territory_chance']:7.3f} {ratio:9.2f} "
                  f"{o['stt']:11.3f} {o['stt_chance']:7.3f} {o['stt_x_chance']:5.2f} {o['qrs']:10.3f} "
                  f"{o['qrs_chance']:7.3f} {o['qrs_x_chance']:5.2f} {o['territory_positive_x_chance']:9.2f}  "
                  f"{'met' if ratio >= GOAL_RATIO else 'MISSED'}")
    if args.json:
        print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
