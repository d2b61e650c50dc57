"""PTB Diagnostic ECG Database (ptbdb) records -> `ECG` (the 12 standard leads of 15, at 1000 Hz).

A ptbdb record is `patientNNN/<name>.hea` + `.dat` (12 standard leads, lower-case names) + `.xyz` (3 Frank
leads, not used). Labels come from the header's free-text 'Reason for admission': 'Myocardial infarction'
-> MI, 'Healthy control' -> NORM; every other reason stays unlabelled (None), since ptbdb's other
categories (bundle branch block, dysrhythmia, cardiomyopathy, ...) do not map cleanly to one superclass.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGReadError
from ecgcore.io.wfdb_reader import read_wfdb

REASON_LABELS: dict[str, tuple[str, ...]] = {
    "myocardial infarction": ("MI",),
    "healthy control": ("NORM",),
}


def reason_for_admission(comments: list[str]) -> str | None:
    """The 'Reason for admission' text of a ptbdb header's comment lines, or None."""
    for line in comments:
        match = re.match(r"^\s*Reason for admission\s*:\s*(.*?)\s*$", line, flags=re.IGNORECASE)
        if match:
            return match.group(1) or None
    return None


def reason_labels(reason: str | None) -> tuple[str, ...] | None:
    """Superclasses for a 'Reason for admission' (MI, NORM), None for any other or a missing reason."""
    return REASON_LABELS.get((reason or "").strip().lower())


def list_records(root: str | os.PathLike) -> list[Path]:
    """Record paths (without extension) under `root` whose .hea and .dat both exist, sorted."""
    root = Path(root)
    return sorted(h.with_suffix("") for h in root.rglob("*.hea") if h.with_suffix(".dat").is_file())


def read_record(path: str | os.PathLike, record_id: str | None = None) -> ECG:
    """One ptbdb record (path without extension) as an `ECG`: (12, samples) float32 mV at 1000 Hz.

    meta: reason_for_admission, comments (the clinical header lines). Raises ECGReadError if files are missing.
    """
    stem = Path(path)
    if stem.suffix.lower() in (".hea", ".dat", ".xyz"):
        stem = stem.with_suffix("")
    header, data = stem.with_suffix(".hea"), stem.with_suffix(".dat")
    if not (header.is_file() and data.is_file()):
        raise ECGReadError(f"The ptbdb record {stem} is incomplete: it needs {header.name} and {data.name}.")
    ecg = read_wfdb({header.name: header.read_bytes(), data.name: data.read_bytes()},
                    record_id=record_id or f"ptbdb/{stem.parent.name}/{stem.name}", source="ptbdb")
    reason = reason_for_admission(ecg.meta.get("comments", []))
    meta = {**ecg.meta, "reason_for_admission": reason, "label_source": "ptbdb 'Reason for admission'"}
    return ecg.with_signal(ecg.signal, labels=reason_labels(reason), meta=meta)
