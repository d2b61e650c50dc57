"""A seeded, reproducible synthetic corpus in PTB-XL's exact layout, clearly marked synthetic.

`generate_corpus(out, records, seed, rates, workers)` writes ptbxl_database.csv, scp_statements.csv,
records100/ (and records500/) WFDB files, lesions.jsonl (where each diagnostic signature lies), truth.csv
(true intervals, axis, R peaks) and a README. `simulate_record(spec)` renders one record; `sample_cohort`
draws the specs. Physiology: Gaussian waves per beat with 3-D dipole amplitudes projected to the 8
independent leads (limb leads derived, so Einthoven/Goldberger hold exactly), heart-rate variability,
ectopic beats, electrode-level noise, and each statement's textbook signature with graded severity
(`ecgcore.synth.lesions`).
"""
from ecgcore.synth.cohort import sample_cohort
from ecgcore.synth.corpus import MAX_RECORDS, CorpusSummary, generate_corpus
from ecgcore.synth.record import SimRecord, simulate_record

__all__ = ["generate_corpus", "simulate_record", "sample_cohort", "SimRecord", "CorpusSummary", "MAX_RECORDS"]
