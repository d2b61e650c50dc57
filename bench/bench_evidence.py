"""Is the lead evidence in the infarct territory? Lead evidence (`ecgcore.explain.evidence`) on real MI records.

For every real PTB-XL MI record with a territory statement in folds 9 and 10 (never trained on), the LUDB records
whose statements name a wall (external), and every shipped model: the MI evidence of each lead (p(MI) minus
p(MI) with that lead replaced by the NORM template beat at the record's R-peaks; `bench.bench_territory` gives
the territories, as in `ecgcore.core.leads.MI_TERRITORIES`):
- share x chance: the territory leads' part of the positive per-lead evidence (a record without any positive
  evidence counts 0), over chance = the territory's share of the 12 leads; goal >= 2x;
- leads win: the share of records where the territory's leads carry more evidence per lead (mean) than the
  other leads; goal >= 85%;
- group wins: the share of records where replacing the territory's leads together lowers p(MI) more than
  replacing any anatomical group (`LEAD_GROUPS`) that shares no lead with it.
The lead-wise model (`ecgcore.models.leadwise`) is measured twice: with the replacement evidence as every model,
as "leadwise (own)" with its own lead contributions (each lead's part of the MI logit; a group's is the sum of its
leads'), which need no replacement, and as "leadwise (own - NORM)" with those minus each lead's mean contribution on
the training folds' NORM records (what the app's strip shows).
`--stability`: on fold-9 NORM records, how far each replacement (`VARIANTS`) moves the predictions when it
replaces one lead (mean and 95th percentile over records, leads and classes of |p - p(replaced)|): the
replacement that keeps the input in distribution moves a NORM record least. `--variant` runs the territory
figures with another replacement.

    .venv/bin/python -m bench.bench_evidence [--models resnet1d ...] [--folds 9 10] [--stability] [--variant NAME] [--json]
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from bench.bench_territory import ludb_territories, territory_leads
from ecgcore.core.leads import LEAD_GROUPS, LEADS

GOAL_RATIO, GOAL_WINS = 2.0, 0.85
#: the replacements compared: name -> (replacement, limb leads kept consistent)
VARIANTS = {"template": ("template", False), "template-consistent-limbs": ("template", True),
            "mean": ("mean", False)}


def _rpeaks(model, ecg):
    from ecgcore.signal.peaks import find_beats

    beats = find_beats(ecg)
    return np.round(beats.rpeaks * model.fs / ecg.fs).astype(np.int64) if beats.ok else None


def measure(model, ecg, leads: set[str], cls: str, replacement: str = "template",
            consistent_limbs: bool = False) -> dict[str, float]:
    """Territory share, chance and the two win criteria for one record."""
    from ecgcore.explain.evidence import lead_evidence

    others = {g: ls for g, ls in LEAD_GROUPS.items() if not set(ls) & leads}
    groups = {"territory": tuple(sorted(leads)), **others}
    prepared = model.prepare(ecg)
    ev = lead_evidence(model, prepared, _rpeaks(model, ecg), replacement=replacement, groups=groups,
                       consistent_limbs=consistent_limbs)
    k = ev.classes.index(cls)
    e = ev.per_lead[:, k]
    idx = np.array([LEADS.index(lead) for lead in leads])
    inside = np.isin(np.arange(len(LEADS)), idx)
    pos = np.clip(e, 0, None)
    share = float(pos[inside].sum() / pos.sum()) if pos.sum() > 0 else 0.0
    group = ev.per_group[:, k]
    return {"share": share, "chance": len(idx) / len(LEADS), "leads_win": float(e[inside].mean() > e[~inside].mean()),
            "group_win": float(len(group) == 1 or group[0] > group[1:].max()),
            "template": float(ev.replacement == "template")}


def measure_contributions(model, ecg, leads: set[str], cls: str, relative: bool = False) -> dict[str, float]:
    """The same criteria on the lead-wise model's own lead contributions (`ecgcore.models.leadwise`: each lead's
    part of the class's mean window logit; `relative`: minus each lead's NORM reference, as the strip shows them)
    in place of the replacement evidence; a group's contribution is the sum of its leads'."""
    con = model.lead_contributions(model.prepare(ecg))
    e = (con.relative if relative else con.contributions)[con.classes.index(cls)]
    idx = np.array([LEADS.index(lead) for lead in leads])
    inside = np.isin(np.arange(len(LEADS)), idx)
    pos = np.clip(e, 0, None)
    share = float(pos[inside].sum() / pos.sum()) if pos.sum() > 0 else 0.0
    others = [e[[LEADS.index(lead) for lead in ls]].sum() for ls in LEAD_GROUPS.values() if not set(ls) & leads]
    return {"share": share, "chance": len(idx) / len(LEADS), "leads_win": float(e[inside].mean() > e[~inside].mean()),
            "group_win": float(not others or e[inside].sum() > max(others)), "template": 0.0}


def stability(models, folds=(9,)) -> dict:
    """|p - p(one lead replaced)| on NORM records of `folds`, per model and replacement."""
    from ecgcore.core.ecg import ECG
    from ecgcore.core.labels import SUPERCLASSES
    from ecgcore.data.evalsets import ptbxl_set
    from ecgcore.explain.evidence import lead_evidence

    real = ptbxl_set()
    norm = SUPERCLASSES.index("NORM")
    chosen = [i for i in range(len(real.record_ids)) if real.folds[i] in folds and real.Y[i, norm] and real.Y[i].sum() == 1]
    out = {}
    for name, model in models:
        row = {}
        for label, (repl, consistent) in VARIANTS.items():
            d = []
            for i in chosen:
                ecg = ECG(signal=real.signals[i], fs=100.0, record_id=real.record_ids[i], source="ptbxl")
                ev = lead_evidence(model, model.prepare(ecg), _rpeaks(model, ecg), replacement=repl, groups={},
                                   consistent_limbs=consistent)
                d.append(np.abs(ev.per_lead))
            d = np.stack(d)
            row[label] = {"mean": round(float(d.mean()), 4), "p95": round(float(np.percentile(d, 95)), 4),
                         "norm_mean": round(float(d[:, :, norm].mean()), 4)}
        out[name] = {"records": len(chosen), **row}
        print(f"{name:12s} NORM records of folds {list(folds)} (N={len(chosen)}), |p - p(one lead replaced)|: "
              + "  ".join(f"{r}: mean {v['mean']:.4f} p95 {v['p95']:.4f} (NORM class {v['norm_mean']:.4f})"
                          for r, v in row.items()), flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="*", default=None)
    ap.add_argument("--folds", nargs="*", type=int, default=[9, 10])
    ap.add_argument("--stability", action="store_true")
    ap.add_argument("--variant", choices=list(VARIANTS), default="template",
                    help="the replacement (default: the shipped one)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    from ecgcore.core.ecg import ECG
    from ecgcore.core.labels import SUPERCLASSES
    from ecgcore.data.evalsets import external_sets, ptbxl_set
    from ecgcore.models import load_model, model_names

    models = [(name, load_model(name)) for name in (args.models or model_names())]
    if args.stability:
        out = stability(models)
        if args.json:
            print(json.dumps(out, indent=2))
        return 0
    real = ptbxl_set()
    groups: dict[str, list] = {"PTB-XL MI": [], "LUDB": []}
    for i, rid in enumerate(real.record_ids):
        leads, names = territory_leads(real.meta[i]["scp_codes"])
        if real.folds[i] in args.folds and leads and real.Y[i, SUPERCLASSES.index("MI")]:
            groups["PTB-XL MI"].append((ECG(signal=real.signals[i], fs=100.0, record_id=rid, source="ptbxl"), leads,
                                        "MI"))
    ludb = external_sets().get("ludb")
    for i, rid in enumerate(ludb.record_ids if ludb else []):
        labels = tuple(c for c, y in zip(SUPERCLASSES, ludb.Y[i]) if y)
        leads, _, cls = ludb_territories(ludb.meta[i]["diagnoses"], labels)
        if leads and cls == "MI":
            groups["LUDB"].append((ECG(signal=ludb.signals[i], fs=100.0, record_id=rid, source="ludb"), leads, cls))
    print(f"replacement: {args.variant}")
    print(f"MI records with a territory: PTB-XL folds {args.folds}: {len(groups['PTB-XL MI'])}; "
          f"LUDB (external): {len(groups['LUDB'])}")
    print(f"{'model, records':32s} {'N':>3s} {'share':>6s} {'chance':>7s} {'x chance':>9s} {'leads win':>10s} "
          f"{'group win':>10s}  goals (>= {GOAL_RATIO:g}x chance, >= {GOAL_WINS:.0%} leads win)  s/record")
    out = {}
    # the replacement evidence for every model; for a model with its own lead read-out (leadwise), that read-out too
    runs = [(name, model, "", lambda m, ecg, leads, cls: measure(m, ecg, leads, cls, *VARIANTS[args.variant]))
            for name, model in models]
    for name, model in models:
        if hasattr(model, "lead_contributions"):
            runs += [(name, model, " (own)", measure_contributions),
                     (name, model, " (own - NORM)", lambda *a: measure_contributions(*a, relative=True))]
    for name, model, how, measure_one in runs:
        for group, picked in groups.items():
            if not picked:
                continue
            t0 = time.perf_counter()
            rows = [measure_one(model, ecg, leads, cls) for ecg, leads, cls in picked]
            per = (time.perf_counter() - t0) / len(rows)
            mean = {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}
            ratio = mean["share"] / mean["chance"]
            label = f"{name}{how} {group}"
            out[label] = {**{k: round(v, 4) for k, v in mean.items()}, "x_chance": round(ratio, 3), "n": len(rows)}
            wins = mean["leads_win"]
            goal_share = "met" if ratio >= GOAL_RATIO else f"MISSED by {GOAL_RATIO - ratio:.2f}x"
            goal_wins = "met" if wins >= GOAL_WINS else f"MISSED by {(GOAL_WINS - wins) * 100:.0f} points"
            goals = f"{goal_share}, {goal_wins}"
            print(f"{label:32s} {len(rows):3d} {mean['share']:6.3f} {mean['chance']:7.3f} {ratio:9.2f} "
                  f"{mean['leads_win']:10.0%} {mean['group_win']:10.0%}  {goals}  {per:.2f}", flush=True)
    if args.json:
        print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
