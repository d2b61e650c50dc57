"""How many of the data root's `cases/` files are handled as `cases/README.md` says; with `--limb`, the limb-lead
consistency check over every real 12-lead record under the data root (false alarms: 0 expected).

    python -m bench.bench_cases [--data-root PATH] [--limb]

Prints one line per case, then "N of 9 handled". A measurement case (af-no-p-waves, lead-off-mid-record,
polarity-inverted) counts as handled when it reads as a 12-lead record and `ecgcore.signal.analyse_record` gives
its README figures (AF: HR about 114, PR not measurable, axis about +47; lead-off: HR 70, axis about +47, the flat
span noted; inverted: PR about 165 and an inversion note).
"""
from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path
from typing import Callable



from ecgcore.core.errors import ECGError  # noqa: E402
from ecgcore.io import read_path, read_upload  # noqa: E402
from ecgcore.io.limb_leads import LeadOrderError  # noqa: E402
from ecgcore.core.leads import LEADS  # noqa: E402
from ecgcore.core.settings import resolve  # noqa: E402

PTBXL_ORDER = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6", "III", "aVR", "aVL", "aVF")


def _twelve(ecg, fs: float, n: int) -> str | None:
    if ecg.leads != LEADS or ecg.fs != fs or ecg.n_samples != n:
        return f"read as {len(ecg.leads)} leads, {ecg.fs:g} Hz, {ecg.n_samples} samples"
    return None


def _csv_preamble(folder: Path) -> str | None:
    ecg = read_path(folder / "device_export.csv")
    said = ecg.meta.get("assumptions", {})
    return _twelve(ecg, 500.0, 5000) or (None if said.get("units", "").startswith("µV") else "units not from metadata")


def _csv_units(folder: Path) -> str | None:
    ecg = read_path(folder / "rdsamp_export.csv")
    return _twelve(ecg, 500.0, 5000) or (None if "units row" in ecg.meta["assumptions"]["units"] else "units row unused")


def _di(folder: Path) -> str | None:
    return _twelve(read_path(folder / "di_names.csv"), 500.0, 5000)


def _npy(folder: Path) -> str | None:
    data = (folder / "ptbxl_style_reordered.npy").read_bytes()
    try:
        read_upload({"a.npy": data}, fs=500)
    except LeadOrderError as exc:
        if exc.proposed_order != PTBXL_ORDER:
            return f"refused, proposing {exc.proposed_order}"
        return _twelve(read_upload({"a.npy": data}, fs=500, lead_order=exc.proposed_order), 500.0, 5000)
    return "accepted silently in the wrong order"


def _wfdb(name: str, fs: float, n: int) -> Callable[[Path], str | None]:
    return lambda folder: _twelve(read_path(folder / name), fs, n)


def _measured(name: str, check: Callable) -> Callable[[Path], str | None]:
    def run(folder: Path) -> str | None:
        ecg = read_path(folder / name)
        problem = _twelve(ecg, 500.0, 5000)
        if problem:
            return problem
        try:
            from ecgcore.signal import analyse_record
        except ImportError:
            return None  # read: the measurements are the signal analysis's (not landed here)
        return check(analyse_record(ecg))
    return run


def _value(analysis, key: str):
    m = getattr(analysis, "measurements", {}).get(key)
    return None if m is None else m.value


def _axis_47(a) -> bool:
    axis = _value(a, "axis")
    return axis is not None and abs(axis - 47) <= 15


def _af(a) -> str | None:
    hr, pr = _value(a, "HR"), _value(a, "PR")
    ok = hr is not None and abs(hr - 114) <= 6 and pr is None and _axis_47(a)
    return None if ok else f"HR {hr}, PR {pr}, axis {_value(a, 'axis')}"


def _leadoff(a) -> str | None:
    hr = _value(a, "HR")
    noted = "flat" in " ".join(getattr(a, "notes", []) or []).lower()
    ok = hr is not None and abs(hr - 70) <= 3 and _axis_47(a) and noted
    return None if ok else f"HR {hr}, axis {_value(a, 'axis')}, flat span noted: {noted}"


def _inverted(a) -> str | None:
    pr = _value(a, "PR")
    notes = " ".join(getattr(a, "notes", []) or [])
    return None if pr is not None and abs(pr - 165) <= 20 and "invert" in notes.lower() else f"PR {pr}, notes {notes!r}"


CASES: dict[str, Callable[[Path], str | None]] = {
    "csv-metadata-preamble": _csv_preamble,
    "csv-units-row": _csv_units,
    "lead-names-DI": _di,
    "npy-lead-order": _npy,
    "wfdb-fmt212-odd-length": _wfdb("s212odd.hea", 1000.0, 4999),
    "wfdb-multi-segment": _wfdb("multi.hea", 500.0, 5000),
    "polarity-inverted": _measured("inv_all.hea", _inverted),
    "af-no-p-waves": _measured("af105.hea", _af),
    "lead-off-mid-record": _measured("leadoff_mid.hea", _leadoff),
}


def limb_sweep(root: Path) -> None:
    """The limb-lead check's verdict on every real 12-lead record (as the app reads them), per source."""
    counts: dict[str, Counter] = {}
    alarms: list[str] = []
    for source in ("ptbxl", "ptbxl_more", "cinc", "cinc_more", "ludb", "ptbdb"):
        counts[source] = Counter()
        for hea in sorted((root / source).rglob("*.hea")):
            try:
                ecg = read_path(hea)
            except ECGError as exc:
                counts[source]["not read"] += 1
                alarms.append(f"{hea.relative_to(root)}: not read: {str(exc)[:120]}")
                continue
            if not ecg.is_twelve_lead:
                counts[source]["not 12-lead"] += 1
                continue
            status = ecg.meta.get("limb_leads", "?")
            counts[source][status] += 1
            if status == "inconsistent":
                alarms.append(f"{hea.relative_to(root)}: limb leads inconsistent")
        print(f"{source:11s} " + ", ".join(f"{k}: {v}" for k, v in sorted(counts[source].items())), flush=True)
    print(f"false alarms (inconsistent on a real record): {sum(c['inconsistent'] for c in counts.values())}")
    for line in alarms[:20]:
        print("  " + line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root")
    parser.add_argument("--limb", action="store_true", help="also sweep every real 12-lead record")
    args = parser.parse_args()
    root = resolve(data_root=args.data_root).require_data_root()
    handled = 0
    for name, check in CASES.items():
        t0 = time.perf_counter()
        try:
            problem = check(root / "cases" / name)
        except ECGError as exc:
            problem = f"error: {exc}"
        handled += problem is None
        print(f"{'ok ' if problem is None else 'NO '} {name:24s} {time.perf_counter() - t0:5.2f} s  {problem or ''}")
    print(f"{handled} of {len(CASES)} handled")
    if args.limb:
        limb_sweep(root)
    return 0 if handled == len(CASES) else 1


if __name__ == "__main__":
    raise SystemExit(main())
