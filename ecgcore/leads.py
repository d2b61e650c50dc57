"""The 12 standard leads: canonical order, name aliases and derivation of the limb leads."""
from __future__ import annotations

import numpy as np

LEADS: tuple[str, ...] = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")
LIMB_DERIVED: tuple[str, ...] = ("III", "aVR", "aVL", "aVF")
INDEPENDENT: tuple[str, ...] = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")

_ALIASES = {
    "LI": "I", "LEAD I": "I", "LEADI": "I", "L1": "I",
    "LII": "II", "LEAD II": "II", "LEADII": "II", "L2": "II",
    "LIII": "III", "LEAD III": "III", "LEADIII": "III", "L3": "III",
    "AVR": "aVR", "-AVR": None, "AVL": "aVL", "AVF": "aVF",
}


def canonical_lead(name: str) -> str | None:
    """Map a lead name as found in files (any case, common aliases) to its canonical name, or None.

    `MLII` (the Holter modified lead II) is deliberately not mapped to II: it is a different placement.
    """
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
