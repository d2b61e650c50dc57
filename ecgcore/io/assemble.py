"""From named channels as found in a file to a validated 12-lead `ECG`: lead matching, derivation, checks.

Every reader ends here, so every format gets the same lead rules and the same signal checks, and an `ECG` is
built only once everything passed (never a half-loaded record).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGReadError
from ecgcore.io import validate
from ecgcore.io import limb_leads
from ecgcore.core.leads import (ALL_LEADS, LEADS, UNSPECIFIED_LEAD, canonical_lead, derive_limb_leads, holter_lead,
                           is_unspecified_lead, limb_bases)

_PRECORDIAL = ("V1", "V2", "V3", "V4", "V5", "V6")
_WHAT_WORKS = ("A 12-lead ECG needs V1-V6 and at least two of the limb leads I, II, III "
               "(III, aVR, aVL and aVF are then computed).")


def lead_of(name: str) -> str | None:
    """The lead a channel name stands for: a canonical lead (`ecgcore.core.leads.canonical_lead`, aliases and prefixes
    included) or a Holter lead (`MLII`, ...), else None."""
    return canonical_lead(name) or holter_lead(name)


def match_leads(names: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    """Lead -> channel index (first occurrence wins), and the channel names that are not ECG leads.

    Matching is case-insensitive with the aliases of `ecgcore.core.leads.canonical_lead`; `MLII` is kept as the
    Holter lead it is, never taken for II.
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


def completes_twelve(recorded: Sequence[str]) -> bool:
    """True when V1-V6 and two of the limb leads I, II, III are among `recorded` (the other four are computed)."""
    return all(lead in recorded for lead in _PRECORDIAL) and sum(lead in recorded for lead in ("I", "II", "III")) >= 2


def plan_leads(names: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    """Which channel gives each lead to keep, and the channel names dropped.

    A record that completes the 12 leads keeps the canonical ones only (an extra `MLII` column is dropped); a
    record with fewer leads keeps every ECG lead it has (canonical and Holter) and becomes a lead-subset `ECG`.
    Raises `ECGReadError` when no channel is an ECG lead.
    """
    index, unmatched = match_leads(names)
    if completes_twelve(list(index)):
        holter = [lead for lead in index if lead not in LEADS]
        for lead in holter:
            unmatched.append(str(names[index.pop(lead)]))
        return index, unmatched
    unspecified = [i for i, name in enumerate(names) if is_unspecified_lead(str(name))]
    if not index and len(unspecified) == 1:  # one channel labelled just "ECG": kept, its lead unknown
        unmatched.remove(str(names[unspecified[0]]))
        return {UNSPECIFIED_LEAD: unspecified[0]}, unmatched
    if not index:
        raise ECGReadError(_no_lead_message([str(n) for n in names], [str(names[i]) for i in unspecified]))
    return index, unmatched


def _no_lead_message(names: list[str], unspecified: list[str]) -> str:
    """Why no channel was kept: the ECG-like channels by name first (never cut from the list), then a count."""
    if len(unspecified) > 1:
        return (f"This record has {len(unspecified)} ECG channels that do not say which lead they are "
                f"({', '.join(repr(u) for u in unspecified)}), among {len(names)} channels; which one to show cannot "
                "be decided. Export the ECG channel alone, or name its lead (I, II, V1, ...).")
    shown = ", ".join(repr(u) for u in names[:15]) + (f" and {len(names) - 15} more" if len(names) > 15 else "")
    return (f"No channel of this record is an ECG lead: its {len(names)} channel(s) are not recognised as leads "
            f"({shown or 'none'}), and none is labelled ECG/EKG. Name the leads I, II, III, aVR, aVL, aVF, V1-V6 (or MLII for a "
            "Holter lead). " + _WHAT_WORKS)


def _limb_check(out: np.ndarray, leads: Sequence[str], recorded: Sequence[str], fs: float,
                order: Sequence[str] | None, rows: np.ndarray | None, notes: list[str], meta: dict[str, Any]) -> None:
    """Einthoven's and Goldberger's equations on the recorded limb leads (`ecgcore.io.limb_leads`).

    Rows named by an assumed `order` (an NPY array): a broken equation means the order is wrong, so the record
    is refused with the order that fits the file's `rows` when exactly one does (`LeadOrderError`). Leads the
    file names itself: the record is kept for viewing with a note, and meta["limb_leads"] = "inconsistent" makes
    `ecgcore.core.ecg.twelve_leads` refuse it for the models (mislabelled leads must not be scored).
    """
    by_lead = {lead: out[leads.index(lead)] for lead in recorded if lead in leads}
    status, residuals = limb_leads.assess(by_lead, fs)
    meta["limb_leads"] = status
    if status == "gains differ":
        notes.append("The limb leads obey Einthoven's and Goldberger's equations in shape but not in amplitude: "
                     "the leads' gains disagree, so amplitudes compared between leads may be off.")
    if status != "inconsistent":
        return
    broken = ", ".join(f"{lead} ({r:.0%} off)" for lead, r in residuals.items() if r > limb_leads.MAX_RESIDUAL)
    equations = ("Einthoven's and Goldberger's equations (III = II - I, aVR = -(I + II)/2, aVL = I - II/2, "
                 f"aVF = II - I/2) fail for {broken}")
    if order is None:
        notes.append(f"The limb leads do not fit together: {equations}. The leads may be mislabelled, so the "
                     "12-lead models will not score this record.")
        return
    text = (f"The limb leads do not fit together: {equations}. The rows are probably in another order than the one "
            f"assumed ({limb_leads.describe_order(order)})")
    proposal = limb_leads.propose_order(rows, fs) if rows is not None and rows.shape[0] == len(LEADS) else None
    if proposal is not None:
        text += (f". The order that fits is {limb_leads.describe_order(proposal)}: state it as the lead order and "
                 "read the file again.")
    else:
        text += ". State the lead order the file was saved in, or export it with the leads named."
    raise limb_leads.LeadOrderError(text, proposal)


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
    assumptions: dict[str, str] | None = None,
    order_from_position: bool = False,
) -> ECG:
    """A validated `ECG` from channels `names` of `signal` (channels, samples) at `fs` Hz.

    Values are taken as mV (see `validate` for the µV rule). A record with V1-V6 and two limb leads becomes a
    12-lead ECG: missing limb leads are derived and listed in `ECG.derived`. A record with fewer leads keeps the
    ones it has (`ECG.leads`, canonical order first), with III, aVR, aVL, aVF derived when two limb leads exist.
    Recorded limb leads must fit Einthoven's/Goldberger's equations (`ecgcore.io.limb_leads`).
    Channels that are not ECG leads are dropped and listed in meta["ignored_channels"] (with `ignored`,
    channels the caller already dropped). `assumptions` ({"rate"|"units"|"leads": sentence}) go to
    meta["assumptions"]; `order_from_position` says the names come from an assumed order, not from the file.
    Raises `ECGReadError` / `ECGSignalError`.
    """
    fs = validate.check_fs(fs)
    if signal.ndim != 2 or signal.shape[0] != len(names):
        raise ECGReadError(f"Internal shape mismatch: {len(names)} names for a signal shaped {signal.shape}.")
    index, unmatched = plan_leads(names)
    validate.check_length(signal.shape[1], len(index), fs)
    twelve = completes_twelve(list(index))
    recorded = [lead for lead in ALL_LEADS if lead in index]
    limb = [lead for lead in ("I", "II", "III") if lead in index]
    if twelve:
        leads: tuple[str, ...] = LEADS
    else:
        derivable = set(LEADS[:6]) if len(limb) >= 2 else set()
        leads = tuple(lead for lead in ALL_LEADS if lead in index or lead in derivable)
    shown = [f"{lead} ({names[index[lead]]})" if names[index[lead]] != lead else lead for lead in recorded]
    if [index.get(lead) for lead in LEADS] == list(range(len(LEADS))) and signal.shape[0] == len(LEADS) \
            and signal.dtype == np.float32 and signal.flags.c_contiguous and signal.flags.writeable:
        out = signal  # already 12 canonical float32 rows: no copy (readers pass arrays they own)
    else:
        out = np.empty((len(leads), signal.shape[1]), dtype=np.float32)
        for lead in recorded:
            out[leads.index(lead)] = signal[index[lead]]
    rows = [leads.index(lead) for lead in recorded]
    rec = out if len(rows) == len(leads) else out[rows]  # a view when every lead is recorded, else a copy
    validate.check_finite(rec, shown)
    notes = list(notes or [])
    checked = validate.check_amplitudes(rec, shown, notes)
    microvolts = checked is not rec  # divided by 1000 (the µV rule)
    if checked is not rec or rec is not out:
        out[rows] = checked
    meta = dict(meta or {})
    _limb_check(out, leads, recorded, fs, list(names) if order_from_position else None,
                signal if order_from_position else None, notes, meta)
    derived = [lead for lead in leads if lead not in index]
    if derived:
        bases = limb_bases({lead: out[leads.index(lead)] for lead in recorded})
        assert bases is not None  # leads are derived only from two recorded limb leads
        lead_i, lead_ii, _ = bases
        computed = {"I": lead_i, "II": lead_ii, **derive_limb_leads(lead_i, lead_ii)}
        for lead in derived:
            out[leads.index(lead)] = computed[lead]
    if unmatched or ignored:
        meta["ignored_channels"] = list(ignored) + list(unmatched)
    if derived:
        notes.append(f"Lead(s) {', '.join(derived)} were computed from the recorded limb leads "
                     "(Einthoven/Goldberger), not recorded.")
    if not twelve:
        notes.append(f"This record holds {len(leads)} lead(s) ({', '.join(leads)}), not the 12 of a standard ECG.")
    if UNSPECIFIED_LEAD in leads:
        notes.append(f"The file does not say which lead its channel {names[index[UNSPECIFIED_LEAD]]!r} is; it is "
                     f"shown as '{UNSPECIFIED_LEAD}'.")
    if notes:
        meta["notes"] = list(meta.get("notes", [])) + notes
    said = dict(assumptions or {})
    if microvolts:
        said["units"] = ("µV: the values looked like microvolts and were divided by 1000"
                         + (f" (instead of: {said['units']})" if "units" in said else "")
                         + "; if they are ADC counts, state the units and the gain")
    if said:
        meta["assumptions"] = said
    return ECG(signal=out, fs=fs, record_id=record_id, source=source, leads=leads,
               derived=tuple(derived), age=age, sex=sex, labels=None, meta=meta)
