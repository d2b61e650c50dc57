"""From named channels as found in a file to a validated 12-lead `ECG`: lead matching, derivation, checks.

Every reader ends here, so every format gets the same lead rules and the same signal checks, and an `ECG` is
built only once everything passed (never a half-loaded record).
"""
from __future__ import annotations

import re
from typing import Any, Sequence

import numpy as np

from ecgcore.ecg import ECG
from ecgcore.errors import ECGReadError
from ecgcore.io import validate
from ecgcore.leads import LEADS, LIMB_DERIVED, canonical_lead, derive_limb_leads

_PRECORDIAL = ("V1", "V2", "V3", "V4", "V5", "V6")
_WHAT_WORKS = ("A 12-lead ECG needs V1-V6 and at least two of the limb leads I, II, III "
               "(III, aVR, aVL and aVF are then computed).")


def lead_of(name: str) -> str | None:
    """Canonical lead for a channel name, also with an `ECG `/`EKG `/`Lead ` prefix (as EDF labels have)."""
    lead = canonical_lead(name)
    if lead is None:
        stripped = re.sub(r"^\s*(ecg|ekg|lead)[\s_:-]*", "", name, flags=re.IGNORECASE)
        if stripped and stripped != name:
            lead = canonical_lead(stripped)
    return lead


def match_leads(names: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    """Canonical lead -> channel index (first occurrence wins), and the channel names that are not ECG leads.

    Matching is case-insensitive with the aliases of `ecgcore.leads.canonical_lead`; `MLII` is not II.
    """
    index: dict[str, int] = {}
    unmatched: list[str] = []
    for i, name in enumerate(names):
        lead = lead_of(str(name))
        if lead is None:
            unmatched.append(str(name))
        elif lead not in index:
            index[lead] = i
    return index, unmatched


def missing_leads_message(found: Sequence[str], unmatched: Sequence[str], missing: Sequence[str]) -> str:
    """The error text for a record that lacks leads which cannot be computed."""
    text = f"The record lacks lead(s) {', '.join(missing)}. Found: {', '.join(found) or 'no standard leads'}"
    if unmatched:
        shown = ", ".join(repr(u) for u in list(unmatched)[:15])
        text += f"; not recognised as standard leads: {shown}"
        if any(u.strip().upper() == "MLII" for u in unmatched):
            text += " (MLII, the Holter lead, is a different placement from lead II)"
    return text + ". " + _WHAT_WORKS


def plan_leads(names: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    """Which channel gives each recorded lead, checked to be enough for 12 leads; raises `ECGReadError` if not."""
    index, unmatched = match_leads(names)
    limb = [lead for lead in ("I", "II", "III") if lead in index]
    missing = [lead for lead in _PRECORDIAL if lead not in index]
    if len(limb) == 1:
        missing.insert(0, "a second limb lead (" + " or ".join(x for x in ("I", "II", "III") if x not in limb) + ")")
    elif not limb:
        missing.insert(0, "limb leads I, II, III")
    if missing:
        raise ECGReadError(missing_leads_message([lead for lead in LEADS if lead in index], unmatched, missing))
    return index, unmatched


def build_ecg(
    names: Sequence[str],
    signal: np.ndarray,
    fs: float,
    *,
    record_id: str,
    source: str,
    age: float | None = None,
    sex: str | None = None,
    meta: dict[str, Any] | None = None,
    notes: list[str] | None = None,
    ignored: Sequence[str] = (),
) -> ECG:
    """A validated 12-lead ECG from channels `names` of `signal` (channels, samples) at `fs` Hz.

    Values are taken as mV (see `validate` for the µV rule). Leads that are missing but computable from two
    limb leads are derived and listed in `ECG.derived`; channels that are not standard leads are dropped and
    listed in meta["ignored_channels"] (with `ignored`, channels the caller already dropped).
    Raises `ECGReadError` / `ECGSignalError`.
    """
    fs = validate.check_fs(fs)
    if signal.ndim != 2 or signal.shape[0] != len(names):
        raise ECGReadError(f"Internal shape mismatch: {len(names)} names for a signal shaped {signal.shape}.")
    index, unmatched = plan_leads(names)
    validate.check_length(signal.shape[1], len(index), fs)
    recorded = [lead for lead in LEADS if lead in index]
    shown = [f"{lead} ({names[index[lead]]})" if names[index[lead]] != lead else lead for lead in recorded]
    if [index.get(lead) for lead in LEADS] == list(range(len(LEADS))) and signal.shape[0] == len(LEADS) \
            and signal.dtype == np.float32 and signal.flags.c_contiguous and signal.flags.writeable:
        out = signal  # already 12 canonical float32 rows: no copy (readers pass arrays they own)
    else:
        out = np.empty((len(LEADS), signal.shape[1]), dtype=np.float32)
        for lead in recorded:
            out[LEADS.index(lead)] = signal[index[lead]]
    rows = [LEADS.index(lead) for lead in recorded]
    rec = out if len(rows) == len(LEADS) else out[rows]  # a view when all 12 are recorded, else a copy
    validate.check_finite(rec, shown)
    notes = list(notes or [])
    checked = validate.check_amplitudes(rec, shown, notes)
    if checked is not rec or rec is not out:
        out[rows] = checked
    derived = [lead for lead in LEADS if lead not in index]
    if derived:
        by_lead = {lead: out[LEADS.index(lead)] for lead in recorded}
        lead_i, lead_ii, lead_iii = by_lead.get("I"), by_lead.get("II"), by_lead.get("III")
        if lead_i is None:
            lead_i = lead_ii - lead_iii
        if lead_ii is None:
            lead_ii = lead_i + lead_iii
        computed = {"I": lead_i, "II": lead_ii, **derive_limb_leads(lead_i, lead_ii)}
        for lead in derived:
            out[LEADS.index(lead)] = computed[lead]
    meta = dict(meta or {})
    if unmatched or ignored:
        meta["ignored_channels"] = list(ignored) + list(unmatched)
    if derived:
        notes.append(f"Lead(s) {', '.join(derived)} were computed from the recorded limb leads "
                     "(Einthoven/Goldberger), not recorded.")
    if notes:
        meta["notes"] = list(meta.get("notes", [])) + notes
    return ECG(signal=out, fs=fs, record_id=record_id, source=source, leads=LEADS,
               derived=tuple(derived), age=age, sex=sex, labels=None, meta=meta)
