"""Interpretation statements from criteria: `interpret(ecg) -> Interpretation`.

The per-lead measurement matrix (`ecgcore.signal.matrix`) feeds THE criteria table (`criteria.CRITERIA`), one
row per statement with its source, SCP acronym and SNOMED code. Each row gives a statement when its criterion
is met, nothing when it is judged and not met, and "not assessable" with the reason when it cannot be judged
(one such statement per category and reason, so a single-lead record says once why it cannot be read for
infarcts rather than ten times).
"""
from __future__ import annotations

import time

import numpy as np

from ecgcore.core.ecg import ECG
from ecgcore.interpret.criteria import CRITERIA, Context, Met, NotAssessable, Verdict
from ecgcore.interpret.statement import CATEGORIES, CATEGORY_NAMES, Interpretation, Mark, Statement
from ecgcore.signal.analysis import RecordAnalysis, analyse_record
from ecgcore.signal.matrix import MeasurementMatrix, measurement_matrix

__all__ = ["CATEGORIES", "Interpretation", "Mark", "MeasurementMatrix", "Statement", "interpret", "statements_for",
           "verdicts"]


#: categories whose criteria read absolute amplitudes (mV): not judged on a file whose amplitudes were rescaled
AMPLITUDE_CATEGORIES: tuple[str, ...] = ("hypertrophy", "voltage")


def rescaled_amplitudes(ecg: ECG, tolerance: float = 0.01) -> str | None:
    """Why the file's amplitudes cannot be taken as millivolts, or None: six or more leads that all span the same
    peak-to-peak amplitude (within `tolerance`, relative) were scaled lead by lead on export (LUDB as stored
    in this data root: every lead spans exactly 1 mV, see `ecgcore.data.ludb.restore_limb_scale`); a recorded
    12-lead ECG never has that."""
    sig = np.asarray(ecg.signal, dtype=np.float64)
    if sig.shape[0] < 6 or not np.isfinite(sig).any():
        return None
    pp = np.nanmax(sig, axis=1) - np.nanmin(sig, axis=1)
    if not np.all(pp > 0) or pp.max() - pp.min() > tolerance * pp.max():
        return None
    return (f"every lead spans the same {pp.max():.2f} mV peak to peak: the file's amplitudes were scaled lead by "
            "lead, so voltage criteria cannot be judged")


def verdicts(m: MeasurementMatrix, sex: str | None = None, age: float | None = None,
             leads: tuple[str, ...] | None = None, amplitude_reason: str | None = None) -> dict[str, Verdict]:
    """{criterion key: Met | Unmet | NotAssessable} of every row of `CRITERIA` judged (a row is skipped once
    an earlier row of its group was met or not assessable). leads: the leads recorded (default: the matrix's);
    amplitude_reason (`rescaled_amplitudes`): the rows of AMPLITUDE_CATEGORIES are not assessable, for it."""
    live = tuple(lead for lead in (leads if leads is not None else tuple(m.leads)) if lead not in m.dead_leads)
    ctx = Context(m, sex, age, live)
    out: dict[str, Verdict] = {}
    done_groups: set[str] = set()
    for c in CRITERIA:
        if c.group and c.group in done_groups:
            continue
        out[c.key] = v = (NotAssessable(amplitude_reason) if amplitude_reason and c.category in AMPLITUDE_CATEGORIES
                          else c.rule(ctx))
        if c.group and isinstance(v, (Met, NotAssessable)):
            done_groups.add(c.group)
    return out


def statements_for(m: MeasurementMatrix, sex: str | None = None, age: float | None = None,
                   leads: tuple[str, ...] | None = None,
                   judged: dict[str, Verdict] | None = None) -> tuple[Statement, ...]:
    """The statements of a measurement matrix (see the module docstring). leads: the leads recorded (default:
    those of the matrix); judged: `verdicts(...)` when already computed."""
    judged = verdicts(m, sex, age, leads) if judged is None else judged
    out: list[Statement] = []
    unassessable: dict[tuple[str, str], list[str]] = {}
    for c in CRITERIA:
        if c.key not in judged:
            continue
        verdict = judged[c.key]
        if isinstance(verdict, Met):
            out.append(Statement(c.key, verdict.text or c.text, c.category, c.severity, verdict.leads,
                                 dict(verdict.values), c.criterion, c.source, c.scp, c.snomed, None, verdict.marks))
        elif isinstance(verdict, NotAssessable):
            k = (c.category, verdict.reason)
            if k not in unassessable:
                unassessable[k] = []
                out.append(Statement(f"NA_{c.category}_{len(unassessable)}", "", c.category, "not assessable", (),
                                     {}, "", c.source, None, None, verdict.reason))
            unassessable[k].append(c.text)
    fixed = []
    for s in out:  # the not-assessable statements name what they stand for
        if s.severity == "not assessable":
            names = unassessable[(s.category, s.reason)]
            text = names[0] if len(names) == 1 else f"{CATEGORY_NAMES[s.category]} ({len(names)} statements)"
            s = Statement(s.key, f"{text}: not assessable", s.category, s.severity, (), {}, "; ".join(names),
                          s.source, None, None, s.reason)
        fixed.append(s)
    return tuple(fixed)


def interpret(ecg: ECG, analysis: RecordAnalysis | None = None) -> Interpretation:
    """Statements and the measurement matrix of one record (any rate, any subset of the 12 leads, mV).

    analysis: `analyse_record(ecg)` when already computed (the app has it). Never raises on a record that
    cannot be measured: its statements say "not assessable" with the reason.
    """
    t0 = time.perf_counter()
    a = analysis if analysis is not None else analyse_record(ecg)
    m = measurement_matrix(ecg, a)
    judged = verdicts(m, ecg.sex, ecg.age, tuple(ecg.leads), rescaled_amplitudes(ecg))
    st = statements_for(m, ecg.sex, ecg.age, tuple(ecg.leads), judged)
    return Interpretation(st, m, ecg.record_id, (time.perf_counter() - t0) * 1000.0,
                          {k: type(v).__name__ for k, v in judged.items()})
