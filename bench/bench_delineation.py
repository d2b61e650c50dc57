"""Delineators scored against the cardiologists' marks of LUDB (records 1-100 in the data root), in one run.

    nice -n 10 .venv/bin/python -m bench.bench_delineation [--part tune|held-out|all] [--records 1-100]
        [--methods ...] [--combine ...]

The split (`ecgcore.data.tuning`): choose methods and parameters with `--part tune` (LUDB 1-70) and report
them with `--part held-out` (LUDB 71-100, the default), never the other way round. `--records` overrides.

Candidates (ecgcore.signal.delineate): neurokit2 `ecg_delineate` dwt / peak / cwt / prominence per lead,
ECGdeli, and "median" (today's: each lead's median beat, neurokit2 prominence, tangent T end). Every one runs
on the R-peaks of `ecgcore.signal.peaks.find_beats` (ECGdeli on its own, matched to them).

Per boundary (P on/off, QRS on/off, T off), per lead against that lead's marks: a detection matches a mark of
the same kind within +-150 ms (one-to-one, nearest first); sensitivity = matched marks / marks, PPV = matched
detections / detections inside the annotated span of that lead (marks cover only the middle of each record);
error = detection - mark (ms), mean +- SD over matched pairs.

Global intervals per record, as carts measure them (from the earliest onset to the latest offset over the
leads): the reference per beat is the 10th percentile of the 12 leads' P/QRS onset marks and the 90th of their
QRS/T offset marks (`combine_leads(..., "quantile")`, about the 2nd earliest / 2nd latest lead), PR = QRS on -
P on, QRS = QRS off - QRS on, QT = T off - QRS on; the record's value is the median over its annotated beats.
Why not the strict earliest/latest mark (`--reference extreme`): the per-lead marks are generous, and the
strict extremes give QRS >= 120 ms in 28 of the 52 records without any conduction abnormality (median 120 ms),
which no cardiologist's global reading would; the robust extremes give a median of 109 ms. A candidate's per-lead points
are reduced to each lead's median over beats and combined over leads by each `combine_leads` rule (median,
quantile, extreme, cart): `delineate.record_fiducials`, what `analyse_record` reports.
Reported: the mean +- SD of (candidate - reference) over the records where both exist, the count n, and
"PR where none" = records without reference P waves (AF, flutter, ...) where the delineator alone finds a P
onset (analyse_record withholds the PR there by its rhythm check: bench/bench_rhythm.py). Goal (IEC 60601-2-51):
PR and QRS |mean| <= 10 ms, SD <= 10 ms; QT |mean| <= 25 ms, SD <= 30 ms.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict

import numpy as np


from ecgcore.data import ludb  # noqa: E402
from ecgcore.data.tuning import LUDB_HELD_OUT, LUDB_TUNE  # noqa: E402
from ecgcore.core.settings import resolve  # noqa: E402
from ecgcore.signal import delineate as dl  # noqa: E402
from bench import delineators as candidates  # noqa: E402
from ecgcore.signal.peaks import find_beats  # noqa: E402

TOL_S = 0.15
BOUNDARIES = ("P_on", "P_off", "QRS_on", "QRS_off", "T_off")
WAVE_OF = {"P_on": ("P", "onset"), "P_off": ("P", "offset"), "QRS_on": ("QRS", "onset"),
           "QRS_off": ("QRS", "offset"), "T_off": ("T", "offset")}
GOAL = {"PR": (10, 10), "QRS": (10, 10), "QT": (25, 30)}


def parse_records(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def match(det: np.ndarray, ref: np.ndarray, tol: float) -> tuple[int, int, list[float]]:
    """(matched, unmatched detections, signed errors det - ref) matching one-to-one, nearest pairs first."""
    if len(det) == 0 or len(ref) == 0:
        return 0, len(det), []
    d = np.abs(det[:, None] - ref[None, :])
    pairs = sorted(zip(*np.nonzero(d <= tol)), key=lambda p: d[p])
    used_d, used_r, errs = set(), set(), []
    for i, j in pairs:
        if i in used_d or j in used_r:
            continue
        used_d.add(i)
        used_r.add(j)
        errs.append(float(det[i] - ref[j]))
    return len(errs), len(det) - len(errs), errs


def reference_beats(marks: dict, rpeaks: np.ndarray, fs: float) -> np.ndarray:
    """(leads, beats, FIDUCIALS) of the marks assigned to each of our beats (QRS peak within 100 ms of R;
    the last P wave before it, the first T wave after it, not past the neighbouring beats)."""
    leads = list(marks)
    out = np.full((len(leads), len(rpeaks), len(dl.FIDUCIALS)), np.nan)
    for li, lead in enumerate(leads):
        q, p, t = marks[lead]["QRS"], marks[lead]["P"], marks[lead]["T"]
        for bi, r in enumerate(rpeaks):
            if q.n == 0:
                break
            j = int(np.argmin(np.abs(q.peak - r)))
            if abs(q.peak[j] - r) > 0.1 * fs:
                continue
            val = lambda a: float(a) if a >= 0 else np.nan  # noqa: E731
            out[li, bi, dl.IDX["QRS_on"]] = val(q.onset[j])
            out[li, bi, dl.IDX["QRS_off"]] = val(q.offset[j])
            out[li, bi, dl.IDX["R"]] = q.peak[j]
            prev_q = q.peak[j - 1] if j > 0 else -np.inf
            next_q = q.peak[j + 1] if j + 1 < q.n else np.inf
            ps = np.flatnonzero((p.peak < q.peak[j]) & (p.peak > prev_q))
            if len(ps):
                out[li, bi, dl.IDX["P_on"]] = val(p.onset[ps[-1]])
                out[li, bi, dl.IDX["P_off"]] = val(p.offset[ps[-1]])
            ts = np.flatnonzero((t.peak > q.peak[j]) & (t.peak < next_q))
            if len(ts):
                out[li, bi, dl.IDX["T_off"]] = val(t.offset[ts[0]])
    return out


def intervals(points: np.ndarray, fs: float) -> dict[str, float]:
    """Record PR, QRS, QT (ms): medians over beats of the global (beats, FIDUCIALS) points; NaN if none."""
    f = lambda a, b: points[:, dl.IDX[a]] - points[:, dl.IDX[b]]  # noqa: E731
    out = {}
    for name, (a, b) in {"PR": ("QRS_on", "P_on"), "QRS": ("QRS_off", "QRS_on"), "QT": ("T_off", "QRS_on")}.items():
        v = f(a, b)
        v = v[np.isfinite(v)]
        out[name] = float(np.median(v)) / fs * 1000 if len(v) else np.nan
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", default="held-out", choices=("tune", "held-out", "all"),
                    help="LUDB 1-70 (tune), 71-100 (held-out, reported) or 1-100")
    ap.add_argument("--records", default=None, help="LUDB record numbers, e.g. 1-100 or 1-10,42 (overrides --part)")
    ap.add_argument("--methods", nargs="*", default=list(candidates.METHODS))
    ap.add_argument("--combine", nargs="*", default=list(dl.COMBINE))
    ap.add_argument("--reference", default="quantile", choices=("quantile", "extreme", "median"),
                    help="how the cardiologists' per-lead marks make the global reference")
    args = ap.parse_args()
    root = resolve().source("ludb")
    chosen = (parse_records(args.records) if args.records else
              {"tune": list(LUDB_TUNE), "held-out": list(LUDB_HELD_OUT), "all": [*LUDB_TUNE, *LUDB_HELD_OUT]}[args.part])
    records = [n for n in chosen if n in set(ludb.list_records(root))]
    tp = defaultdict(int); fn = defaultdict(int); fp = defaultdict(int); errs = defaultdict(list)  # noqa: E702
    diffs = defaultdict(list); pr_none = defaultdict(int); secs = defaultdict(float)  # noqa: E702
    n_no_p = 0
    for n in records:
        ecg = ludb.load_ecg(root, n)
        fs = ecg.fs
        beats = find_beats(ecg)
        if not beats.ok:
            print(f"record {n}: {beats.reason}", file=sys.stderr)
            continue
        marks = ludb.annotations(root, n)
        ref = reference_beats(marks, beats.rpeaks, fs)
        ref_global = dl.combine_leads(ref, args.reference, min_leads=1)
        ref_iv = intervals(ref_global, fs)
        n_no_p += int(not np.isfinite(ref_iv["PR"]))
        cleaned = dl.clean(ecg.signal, fs)
        for method in args.methods:
            t0 = time.perf_counter()
            pts = candidates.delineate(ecg.signal, fs, beats.rpeaks, method, cleaned=cleaned)
            secs[method] += time.perf_counter() - t0
            for li, lead in enumerate(ecg.leads):
                lm = marks[lead]
                all_marks = np.concatenate([np.r_[w.onset, w.peak, w.offset] for w in lm.values()])
                all_marks = all_marks[all_marks >= 0]
                if len(all_marks) == 0:
                    continue
                lo, hi = all_marks.min() - TOL_S * fs, all_marks.max() + TOL_S * fs
                for b in BOUNDARIES:
                    wave, part = WAVE_OF[b]
                    r = getattr(lm[wave], part)
                    r = r[r >= 0].astype(float)
                    d = pts[li, :, dl.IDX[b]]
                    d = d[np.isfinite(d) & (d >= lo) & (d <= hi)]
                    m, extra, e = match(d, r, TOL_S * fs)
                    key = (method, b)
                    tp[key] += m; fn[key] += len(r) - m; fp[key] += extra  # noqa: E702
                    errs[key] += [x / fs * 1000 for x in e]
            for how in args.combine:
                fid = dl.record_fiducials(pts, beats.rpeaks, how)
                iv = {name: (fid[b] - fid[a]) / fs * 1000 if a in fid and b in fid else np.nan
                      for name, (a, b) in {"PR": ("P_on", "QRS_on"), "QRS": ("QRS_on", "QRS_off"),
                                           "QT": ("QRS_on", "T_off")}.items()}
                for name in ("PR", "QRS", "QT"):
                    if np.isfinite(ref_iv[name]) and np.isfinite(iv[name]):
                        diffs[(method, how, name)].append(iv[name] - ref_iv[name])
                if not np.isfinite(ref_iv["PR"]) and np.isfinite(iv["PR"]):
                    pr_none[(method, how)] += 1
    print(f"LUDB records ({args.records or args.part}): {len(records)} ({n_no_p} without reference P waves); tolerance +-{TOL_S * 1000:.0f} ms; "
          f"global reference: {args.reference}\n")
    print("Per boundary, per lead: sensitivity / PPV (%), error mean +- SD (ms)")
    print(f"{'method':<15}" + "".join(f"{b:>26}" for b in BOUNDARIES) + f"{'s/record':>10}")
    for method in args.methods:
        cells = []
        for b in BOUNDARIES:
            k = (method, b)
            se = 100 * tp[k] / max(1, tp[k] + fn[k])
            ppv = 100 * tp[k] / max(1, tp[k] + fp[k])
            e = np.asarray(errs[k])
            cells.append(f"{se:5.1f}/{ppv:5.1f} {e.mean() if len(e) else np.nan:+6.1f}+-{e.std() if len(e) else np.nan:5.1f}")
        print(f"{method:<15}" + "".join(f"{c:>26}" for c in cells) + f"{secs[method] / max(1, len(records)):10.2f}")
    print("\nGlobal intervals per record: candidate - cardiologists, mean +- SD (ms) [n]; * = meets IEC 60601-2-51")
    print(f"{'method':<15}{'combine':<10}" + "".join(f"{x:>22}" for x in ("PR", "QRS", "QT")) + f"{'PR where none':>15}")
    for method in args.methods:
        for how in args.combine:
            cells = []
            for name in ("PR", "QRS", "QT"):
                d = np.asarray(diffs[(method, how, name)])
                ok = len(d) and abs(d.mean()) <= GOAL[name][0] and d.std() <= GOAL[name][1]
                cells.append(f"{d.mean() if len(d) else np.nan:+6.1f}+-{d.std() if len(d) else np.nan:5.1f} [{len(d)}]"
                             + ("*" if ok else " "))
            print(f"{method:<15}{how:<10}" + "".join(f"{c:>22}" for c in cells) + f"{pr_none[(method, how)]:>15}")


if __name__ == "__main__":
    main()
