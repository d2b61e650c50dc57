"""Interpretation statements (`ecgcore.interpret`) against the cardiologists' statements, per statement and source.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python -m bench.bench_interpret [--sources ptbxl cinc ludb]
        [--cache /tmp/interpret_cache.json] [--json assets/interpretation_validation.json]

Records: every real record of the data root's catalogue with a waveform (PTB-XL, each Challenge source, LUDB
1-100), at its file's rate (pacing spikes need the 500 Hz files); LUDB with its limb-lead scale restored
(`ecgcore.data.ludb.restore_limb_scale`). Truth: `ecgcore.interpret.validation` (PTB-XL scp_codes, Challenge
SNOMED-CT, LUDB diagnoses). A statement is "called" when it is made (assessable and met); "not assessable"
counts as not called and is reported in its own column. Per statement and source: positives, sensitivity,
specificity and PPV with Wilson 95% intervals; "small" marks fewer than 10 positives (read the interval, not the
point). Rules are not tuned on these labels (folds do not matter); the delineation, rhythm and pacing parameters
they rest on were tuned on LUDB 1-70 and half of the other records (`ecgcore.data.tuning`).

Then the goal table of issue 19 with the measured values: rhythm, bundle-branch blocks, 1st-degree block and
LAFB pooled over the sources that judge them; paced records found / pacing called on the others; the LUDB axis
category agreement (LUDB's convention: `validation.LUDB_AXIS`); Q-wave infarct by territory on PTB-XL; LVH
specificity; PR and QRS against the cardiologists' marks on the held-out LUDB 71-100 (as bench_delineation
measures them); and the time to interpret a 10 s record on one core (median and 95th percentile, the analysis
included).
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from ecgcore.core.settings import resolve  # noqa: E402
from ecgcore.data import ludb  # noqa: E402
from ecgcore.data.tuning import LUDB_HELD_OUT, part  # noqa: E402
from ecgcore.interpret import interpret  # noqa: E402
from ecgcore.interpret.criteria import CRITERIA  # noqa: E402
from ecgcore.interpret.validation import (Q_KEYS, fit_axis_bounds, ludb_axis_category,  # noqa: E402
                                          ludb_axis_truth, truth, wilson)
from ecgcore.signal import analyse_record  # noqa: E402

SMALL = 10
KEY_ORDER = [c.key for c in CRITERIA] + ["QMI_ANY"]


def run_records(sources: list[str]) -> list[dict]:
    """One row per record: id, source, truth, called keys, not-assessable keys, axis, time, duration."""
    from ecgcore.data import ptbxl
    from ecgcore.data.catalogue import catalogue, load_record

    settings = resolve()
    frame = catalogue(settings)
    frame = frame[frame["source"].map(lambda s: any(s == x or s.startswith(x + "/") for x in sources))]
    frame = frame[frame["duplicate_of"].isna()] if "duplicate_of" in frame else frame
    db = ptbxl.load_database(ptbxl.data_root_folders(settings)) if (frame["source"] == "ptbxl").any() else None
    rows = []
    for rid, src in zip(frame["record_id"], frame["source"]):
        try:
            ecg = load_record(rid, settings, db=db)
        except Exception as exc:  # a record that cannot be read is reported, never silently skipped
            print(f"{rid}: not read ({exc})", file=sys.stderr)
            continue
        if src == "ludb":
            ecg = ludb.restore_limb_scale(ecg)
        t0 = time.perf_counter()
        it = interpret(ecg)
        secs = time.perf_counter() - t0
        called = sorted(k for k, v in it.verdicts.items() if v == "Met")
        if any(k in called for k in Q_KEYS):
            called.append("QMI_ANY")
        rows.append({"record_id": rid, "source": src, "truth": truth(src, ecg.meta), "called": called,
                     "na": sorted(k for k, v in it.verdicts.items() if v == "NotAssessable"),
                     "axis": it.measurements.value("QRS_axis"), "seconds": secs, "duration": ecg.duration,
                     "axis_truth": ludb_axis_truth(ecg.meta.get("diagnoses") or []) if src == "ludb" else None})
    return rows


def _rate(k: int, n: int) -> str:
    if n == 0:
        return f"{'—':>20}"
    lo, hi = wilson(k, n)
    return f"{k / n:5.2f} [{lo:.2f}-{hi:.2f}]".rjust(20)


def counts(rows: list[dict], key: str, sources: set[str] | None = None) -> dict[str, int]:
    c = defaultdict(int)
    for r in rows:
        if sources is not None and r["source"] not in sources:
            continue
        t = r["truth"].get(key)
        if t is None:
            continue
        called = key in r["called"]
        c["tp" if t and called else "fn" if t else "fp" if called else "tn"] += 1
        c["na"] += key in r["na"]
    return c


def line(name: str, c: dict[str, int]) -> str:
    pos, neg = c["tp"] + c["fn"], c["tn"] + c["fp"]
    small = "small" if pos < SMALL else ""
    return (f"{name:<22}{pos:>5}{neg:>6}{_rate(c['tp'], pos)}{_rate(c['tn'], neg)}"
            f"{_rate(c['tp'], c['tp'] + c['fp'])}{c['na']:>5}  {small}")


def held_out_intervals(paced: bool = True) -> dict[str, list[float]]:
    """analyse_record's PR, QRS, QT minus the cardiologists' on LUDB 71-100 (bench_delineation's reference);
    paced=False leaves out the records with a pacemaker in their diagnoses."""
    from bench.bench_delineation import intervals, reference_beats
    from ecgcore.signal import delineate as dl

    root = resolve().source("ludb")
    out: dict[str, list[float]] = {"PR": [], "QRS": [], "QT": []}
    for n in LUDB_HELD_OUT:
        if n not in set(ludb.list_records(root)):
            continue
        ecg = ludb.load_ecg(root, n)
        if not paced and any("pacing" in d.lower() for d in ecg.meta["diagnoses"]):
            continue
        a = analyse_record(ecg)
        if not len(a.rpeaks):
            continue
        ref = intervals(dl.combine_leads(reference_beats(ludb.annotations(root, n), a.rpeaks, ecg.fs), "quantile",
                                         min_leads=1), ecg.fs)
        for k in out:
            if a.value(k) is not None and np.isfinite(ref[k]):
                out[k].append(a.value(k) - ref[k])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sources", nargs="*", default=["ptbxl", "cinc", "ludb"])
    ap.add_argument("--cache", default=None, help="JSON file: read the per-record results from it if present, "
                                                  "else write them there")
    ap.add_argument("--json", default=None, help="write the per-statement figures to this JSON file (for the app)")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    if args.cache and Path(args.cache).is_file():
        rows = json.loads(Path(args.cache).read_text())
    else:
        rows = run_records(args.sources)
        if args.cache:
            Path(args.cache).write_text(json.dumps(rows))
    sources = sorted({r["source"] for r in rows})
    per_source = ", ".join(f"{s} {sum(r['source'] == s for r in rows)}" for s in sources)
    print(f"records: {len(rows)} ({per_source})\n")
    head = (f"{'statement':<22}{'pos':>5}{'neg':>6}{'sensitivity':>20}{'specificity':>20}{'PPV':>20}{'n/a':>5}")
    table = []
    for src in sources:
        keys = [k for k in KEY_ORDER if any(k in r["truth"] for r in rows if r["source"] == src)]
        print(f"== {src}\n{head}")
        for k in keys:
            c = counts(rows, k, {src})
            if c["tp"] + c["fn"] + c["tn"] + c["fp"] == 0:
                continue
            print(line(k, c))
            table.append({"source": src, "statement": k, **c})
        print()
    # goal table
    print("Goals (issue 19): measured")
    cinc = {s for s in sources if s.startswith("cinc")}
    pooled = set(sources)
    for keys, goal, srcs in ((("SR", "AFIB", "SBRAD", "STACH"), "sens >= 0.95, spec >= 0.98", pooled),
                             (("CLBBB", "CRBBB"), "sens >= 0.90, spec >= 0.98", pooled),
                             (("1AVB", "LAFB"), "sens >= 0.85, spec >= 0.97", pooled)):
        for k in keys:
            c = counts(rows, k, srcs)
            pos, neg = c["tp"] + c["fn"], c["tn"] + c["fp"]
            print(f"  {k:<8} (all sources) sensitivity {c['tp']}/{pos} {_rate(c['tp'], pos).strip()}, specificity "
                  f"{c['tn']}/{neg} {_rate(c['tn'], neg).strip()}   goal {goal}")
    c = counts(rows, "PACE", {"ludb"} | cinc)
    print(f"  paced (LUDB + Challenge): found {c['tp']} of {c['tp'] + c['fn']} paced records; pacing called on "
          f"{c['fp']} of {c['fp'] + c['tn']} others   goal: all found, none called")
    c = counts(rows, "PACE", {"ptbxl"})
    print(f"  paced (PTB-XL PACE): found {c['tp']} of {c['tp'] + c['fn']}; called on {c['fp']} of {c['fp'] + c['tn']} "
          "others")
    lud = [r for r in rows if r["source"] == "ludb" and r["axis_truth"]]
    ax = [(ludb_axis_category(r["axis"]), r["axis_truth"]) for r in lud]
    agree = sum(a == t for a, t in ax)
    print(f"  axis category (LUDB 1-100, its convention 0/30/70/90 deg): {agree}/{len(ax)} "
          f"{_rate(agree, len(ax)).strip()}   goal >= 0.90")
    held = [r for r in lud if part(r["record_id"]) == "held-out"]
    fitted = fit_axis_bounds([(r["axis"], r["axis_truth"]) for r in lud if part(r["record_id"]) == "tune"
                              and r["axis"] is not None])
    agree = sum(ludb_axis_category(r["axis"], fitted) == r["axis_truth"] for r in held)
    print(f"  axis category (held-out LUDB 71-100, boundaries fitted on 1-70: "
          f"{'/'.join(f'{b[2]:g}' for b in fitted[:4])} deg): {agree}/{len(held)} {_rate(agree, len(held)).strip()}")
    for k in Q_KEYS:
        c = counts(rows, k, {"ptbxl"})
        pos, neg = c["tp"] + c["fn"], c["tn"] + c["fp"]
        print(f"  {k:<17} (PTB-XL) sensitivity {c['tp']}/{pos} {_rate(c['tp'], pos).strip()}, specificity "
              f"{c['tn']}/{neg} {_rate(c['tn'], neg).strip()}   goal sens >= 0.60, spec >= 0.95")
    c = counts(rows, "LVH", {"ptbxl"} | cinc)
    pos, neg = c["tp"] + c["fn"], c["tn"] + c["fp"]
    print(f"  LVH by voltage (PTB-XL + Challenge): specificity {c['tn']}/{neg} {_rate(c['tn'], neg).strip()}, "
          f"sensitivity {c['tp']}/{pos} {_rate(c['tp'], pos).strip()}   goal spec >= 0.95")
    for paced, label in ((True, "LUDB 71-100"), (False, "LUDB 71-100 without its 4 paced records")):
        iv = held_out_intervals(paced)
        for k in ("PR", "QRS", "QT"):
            d = np.asarray(iv[k])
            print(f"  {k} on held-out {label}: {d.mean():+.1f} +- {d.std():.1f} ms (n={len(d)})   goal (IEC "
                  f"60601-2-51): mean within +-10 ms, SD <= 10 ms" + ("" if k != "QT" else " (QT: 25/30)"))
    ten = [r["seconds"] * 1000 for r in rows if abs(r["duration"] - 10.0) < 0.5]
    print(f"  interpretation of a 10 s record, one core: median {np.median(ten):.0f} ms, 95th percentile "
          f"{np.percentile(ten, 95):.0f} ms (n={len(ten)})   goal <= 150 ms")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"command": "python -m bench.bench_interpret", "rows": table},
                                              indent=1))


if __name__ == "__main__":
    main()
