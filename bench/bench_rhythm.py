"""Atrial fibrillation detection (`ecgcore.signal.analyse_record` rhythm) on real records with and without AF.

    nice -n 10 .venv/bin/python -m bench.bench_rhythm [--sources cinc cinc_more ludb] [--part held-out] [--list]

Truth: Challenge `#Dx` SNOMED-CT 164889003 (atrial fibrillation) / 164890007 (atrial flutter); LUDB's rhythm
statement ("Atrial fibrillation", "Atrial flutter, typical"). Every other record is a negative. Left out:
cinc_more's Georgia (E*) and PTB-XL (HR*) records, whose 2020 headers state wrong gains (their SOURCE.md).
Reported: sensitivity / specificity of rhythm == "atrial fibrillation" for AF (flutter records left out of
this count, being neither), and of "no P waves" (PR withheld with the AF/flutter reason) for AF or flutter;
every AF/flutter record with its rhythm and PR; every false positive. The rhythm thresholds are tuned on the
"tune" part (`ecgcore.data.tuning`: LUDB 1-70, half of the other records by a hash of their id) and
reported on the held-out part (the default).
"""
from __future__ import annotations

import argparse
import warnings
from pathlib import Path


from ecgcore.data import challenge, ludb  # noqa: E402
from ecgcore.data.tuning import part  # noqa: E402
from ecgcore.core.settings import resolve  # noqa: E402
from ecgcore.signal import analyse_record  # noqa: E402
from ecgcore.signal.measure import NO_P_AF  # noqa: E402

AF_CODES = {"164889003": "AF", "164890007": "AFL"}


def records(root: Path, sources: list[str]):
    """(record id, ECG, truth: "AF" | "AFL" | None) of every record of the sources."""
    for src in sources:
        if src == "ludb":
            for n in ludb.list_records(root / "ludb"):
                ecg = ludb.load_ecg(root / "ludb", n)
                rhythm = ecg.meta.get("rhythm") or ""
                yield ecg.record_id, ecg, "AF" if "fibrillation" in rhythm else "AFL" if "flutter" in rhythm else None
            continue
        folder = root / src
        for path in challenge.list_records(folder):
            rel = path.relative_to(folder).as_posix()
            if src == "cinc_more" and rel.split("/")[0] in ("georgia", "ptbxl"):
                continue
            ecg = challenge.read_record(path, record_id=f"{src}/{rel}", source=src)
            codes = set(ecg.meta.get("dx_codes", []))
            truth = "AF" if "164889003" in codes else "AFL" if "164890007" in codes else None
            yield ecg.record_id, ecg, truth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sources", nargs="*", default=["cinc", "cinc_more", "ludb"])
    ap.add_argument("--list", action="store_true", help="print every record's rhythm")
    ap.add_argument("--part", default="held-out", choices=("tune", "held-out", "all"),
                    help="records to report on (ecgcore.data.tuning.part)")
    args = ap.parse_args()
    root = resolve().require_data_root()
    rows = []
    warnings.simplefilter("ignore")
    for rid, ecg, truth in records(root, args.sources):
        if args.part != "all" and part(rid) != args.part:
            continue
        a = analyse_record(ecg)
        pr = a.measurements["PR"]
        rows.append((rid, truth, a.rhythm.name, pr.value, pr.reason, a.rhythm.irregularity))
        if args.list:
            print(f"{rid:<32} {str(truth):<5} {a.rhythm.name:<45} irr {a.rhythm.irregularity:.3f} PR {pr.value} {pr.reason}")

    def rates(pos_truth: set, predicted) -> str:
        tp = sum(1 for r in rows if r[1] in pos_truth and predicted(r))
        p = sum(1 for r in rows if r[1] in pos_truth)
        neg = [r for r in rows if r[1] is None]
        tn = sum(1 for r in neg if not predicted(r))
        return (f"sensitivity {tp}/{p} = {100 * tp / max(1, p):.0f}%, "
                f"specificity {tn}/{len(neg)} = {100 * tn / max(1, len(neg)):.0f}%")

    print(f"part: {args.part}; records: {len(rows)} ({sum(r[1] == 'AF' for r in rows)} AF, {sum(r[1] == 'AFL' for r in rows)} flutter)")
    print("rhythm 'atrial fibrillation' for AF:        ", rates({"AF"}, lambda r: r[2] == "atrial fibrillation"))
    print("PR withheld, no P waves, for AF or flutter: ", rates({"AF", "AFL"}, lambda r: r[4] == NO_P_AF))
    print("\nAF / flutter records:")
    for r in rows:
        if r[1]:
            print(f"  {r[0]:<32} {r[1]:<4} {r[2]:<45} PR {'—' if r[3] is None else f'{r[3]:.0f} ms'} ({r[4]})")
    print("\nfalse 'atrial fibrillation':")
    for r in rows:
        if r[1] is None and r[2] == "atrial fibrillation":
            print(f"  {r[0]:<32} irregularity {r[5]:.3f}")


if __name__ == "__main__":
    main()
