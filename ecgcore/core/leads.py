"""The 12 standard leads: canonical order, name aliases and derivation of the limb leads."""
from __future__ import annotations

import re
from typing import Mapping

import numpy as np

LEADS: tuple[str, ...] = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")
LIMB_DERIVED: tuple[str, ...] = ("III", "aVR", "aVL", "aVF")
INDEPENDENT: tuple[str, ...] = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")
#: Holter (ambulatory) leads kept as they are in records of fewer than 12 leads: modified limb leads, placed on
#: the torso, so never taken for I, II or III.
HOLTER_LEADS: tuple[str, ...] = ("MLI", "MLII", "MLIII")
#: The name kept for the one channel of a single-channel recording whose file does not say which lead it is
#: (a wearable's EDF labelled just `ECG`); never used when any channel names a lead.
UNSPECIFIED_LEAD = "ECG"
#: Contiguous lead groups that face one wall of the left ventricle, as infarct territories are read (Fourth
#: Universal Definition of MI, Thygesen et al., Circulation 2018; AHA/ACCF/HRS 2009 part VI): the one place for
#: territories, used by the criteria statements, the models' lead evidence and the benches. A posterior infarct
#: shows as the mirror image in V1-V3 (tall R, ST depression).
LEAD_GROUPS: dict[str, tuple[str, ...]] = {
    "inferior": ("II", "III", "aVF"),
    "anteroseptal": ("V1", "V2", "V3", "V4"),
    "lateral": ("I", "aVL", "V5", "V6"),
    "posterior (mirror V1-V3)": ("V1", "V2", "V3"),
}
#: PTB-XL's infarct statements (scp_codes) -> the lead groups of their territory.
MI_TERRITORIES: dict[str, tuple[str, ...]] = {
    "IMI": ("inferior",), "IPMI": ("inferior",), "ILMI": ("inferior", "lateral"), "IPLMI": ("inferior", "lateral"),
    "ASMI": ("anteroseptal",), "AMI": ("anteroseptal",), "ALMI": ("anteroseptal", "lateral"), "LMI": ("lateral",),
    "PMI": ("posterior (mirror V1-V3)",),
}
#: Every lead an `ECG` may hold, in the order its rows follow.
ALL_LEADS: tuple[str, ...] = (*LEADS, *HOLTER_LEADS, UNSPECIFIED_LEAD)

_ALIASES = {
    "LI": "I", "LEAD I": "I", "LEADI": "I", "L1": "I",
    "LII": "II", "LEAD II": "II", "LEADII": "II", "L2": "II",
    "LIII": "III", "LEAD III": "III", "LEADIII": "III", "L3": "III",
    "AVR": "aVR", "-AVR": None, "AVL": "aVL", "AVF": "aVF",
    # Latin-American and CODE-style exports (DI, DII, DIII) and the D1-D3 spelling of some carts
    "DI": "I", "DII": "II", "DIII": "III", "D1": "I", "D2": "II", "D3": "III",
}
#: Prefixes that name the lead that follows: IEEE 11073 MDC codes (`MDC_ECG_LEAD_AVR`, as in HL7 aECG and DICOM),
#: `ECG I`, `EKG V1`, `Lead II` (EDF labels and device exports).
_PREFIX = re.compile(r"^\s*(mdc[ _]ecg[ _]lead[ _]|ecg[\s_:-]*|ekg[\s_:-]*|lead[\s_:-]*)", re.IGNORECASE)


def canonical_lead(name: str) -> str | None:
    """Map a lead name as found in files (any case, common aliases) to its canonical name, or None.

    Aliases: `LI`/`Lead I`/`L1`, `DI`/`DII`/`DIII`, `D1`-`D3`, `AVR`; a prefix `MDC_ECG_LEAD_`, `ECG `, `EKG ` or
    `Lead ` before any of them. `MLII` (the Holter modified lead II) is deliberately not mapped to II: it is a
    different placement.
    """
    lead = _plain_lead(name)
    if lead is None:
        stripped = _PREFIX.sub("", name)
        if stripped and stripped != name:
            lead = _plain_lead(stripped)
    return lead


def holter_lead(name: str) -> str | None:
    """`MLII` (any case, with an `ECG `/`Lead ` prefix) and the other `HOLTER_LEADS`, else None."""
    for key in (name, _PREFIX.sub("", name)):
        upper = key.strip().upper()
        if upper in HOLTER_LEADS:
            return upper
    return None


def _plain_lead(name: str) -> str | None:
    key = name.strip().upper().replace("_", " ")
    if key in _ALIASES:
        return _ALIASES[key]
    for lead in LEADS:
        if key == lead.upper():
            return lead
    return None


def derive_limb_leads(lead_i: np.ndarray, lead_ii: np.ndarray) -> dict[str, np.ndarray]:
    """Einthoven's and Goldberger's equations: III, aVR, aVL and aVF from I and II (same units)."""
    return {
        "III": lead_ii - lead_i,
        "aVR": -(lead_i + lead_ii) / 2,
        "aVL": lead_i - lead_ii / 2,
        "aVF": lead_ii - lead_i / 2,
    }


def limb_bases(by_lead: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, frozenset[str]] | None:
    """(I, II, the leads of `by_lead` they came from): I and II as given, or computed from two of I, II, III
    (I = II - III, II = I + III; same units, same length). None with fewer than two of I, II, III."""
    if "I" in by_lead and "II" in by_lead:
        return by_lead["I"], by_lead["II"], frozenset({"I", "II"})
    if "II" in by_lead and "III" in by_lead:
        return by_lead["II"] - by_lead["III"], by_lead["II"], frozenset({"II", "III"})
    if "I" in by_lead and "III" in by_lead:
        return by_lead["I"], by_lead["I"] + by_lead["III"], frozenset({"I", "III"})
    return None


#: a channel label that says "an ECG" but not which lead, in any position of a montage label: `ECG`, `EKG1`,
#: `ecg_0`, `EEG EKG1-REF` and `EEG EKG-LE` (an EEG montage's ECG electrode, TUH EEG / clinical EEG EDF), `POL ECG`
_UNSPECIFIED = re.compile(r"\s*(?:(?:eeg|pol|emg|bio|ch|x)[\s_-]+)?(?:ecg|ekg)[\s_-]*\d?"
                          r"(?:[\s_-]*(?:ref|le|re|avg|ar|a1|a2|m1|m2|l|r))?\s*", re.IGNORECASE)


def is_unspecified_lead(name: str) -> bool:
    """True for a channel label that says "an ECG" but not which lead: `ECG`, `EKG`, `ECG1`, `ECG 1`, `ecg_0`,
    and an EEG montage's ECG electrode (`EEG EKG1-REF`, `EEG ECG-LE`, `POL ECG`)."""
    return _UNSPECIFIED.fullmatch(name) is not None


def strongest_leads(values: Mapping[str, float], minimum: float, k: int | None = 3) -> list[str]:
    """The leads of {lead: value} whose value is at least `minimum`, largest first: at most `k` (all with None).
    What a lead strip names (`ecgcore.explain.evidence.LeadEvidence`, `ecgcore.models.leadwise.LeadContributions`)."""
    ranked = sorted((lead for lead, v in values.items() if v >= minimum), key=lambda lead: -values[lead])
    return ranked if k is None else ranked[:k]
