"""A seeded, reproducible synthetic corpus in PTB-XL's exact layout, clearly marked synthetic.

`generate_corpus(out, records, seed, rates, workers)` writes ptbxl_database.csv, scp_statements.csv,
records100/ (and records500/) WFDB files, lesions.jsonl (where each diagnostic signature lies), truth.csv
(true intervals, axis, R peaks) and a README. `simulate_record(spec)` renders one record; `sample_cohort`
draws the specs. Physiology: Gaussian waves per beat with 3-D dipole amplitudes projected to the 8
independent leads (limb leads derived, so Einthoven/Goldberger hold exactly), heart-rate variability,
ectopic beats, electrode-level noise, and each statement's textbook signature with graded severity
(`ecgcore.synth.lesions`).
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "generate_corpus": "ecgcore.synth.corpus", "CorpusSummary": "ecgcore.synth.corpus", "MAX_RECORDS": "ecgcore.synth.corpus",
    "simulate_record": "ecgcore.synth.record", "SimRecord": "ecgcore.synth.record",
    "sample_cohort": "ecgcore.synth.cohort", "make_spec": "ecgcore.synth.cohort",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import on first use, so the CLI can reject bad arguments without loading scipy."""
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'ecgcore.synth' has no attribute {name!r}")
