"""What the cardiologists said, per source, in the terms of our statements; and the figures of agreement.

Truth per source (each maps a record's own statements to `criteria.CRITERIA` keys):
- PTB-XL `scp_codes` (every code present, whatever its likelihood): `SCP_TRUTH`; Q-wave infarct by territory
  from `ecgcore.core.leads.MI_TERRITORIES` (an ALMI is a positive for anteroseptal and for lateral).
- The Challenge's SNOMED-CT `#Dx` codes: `SNOMED_TRUTH` (our code plus its near synonyms: LBBB for complete
  LBBB, prolonged PR for 1st-degree block ...). SNOMED has no infarct territory: the Q-wave rows are judged as
  "any territory" against old MI / MI / abnormal Q wave (`ANY_Q_MI`).
- LUDB's diagnosis statements: `LUDB_TRUTH` (regular expressions), axis by LUDB's own categories
  (`ludb_axis_category`). LUDB's signals here span 1 mV in every lead (`ecgcore.data.ludb.restore_limb_scale`),
  so voltage statements (`LUDB_AMPLITUDE_KEYS`) are not judged on LUDB.
A statement is judged on a source only where the source can say it (its truth table names it). Sinus
arrhythmia counts as sinus rhythm (PTB-XL and the Challenge code SARRH / SA instead of SR; a cardiologist reads
it as a sinus rhythm): our "Sinus rhythm" is right on such a record.
`wilson` gives the 95% interval of a proportion (Wilson 1927).
"""
from __future__ import annotations

import math
import re

from ecgcore.core.leads import MI_TERRITORIES

SCP_TRUTH: dict[str, set[str]] = {
    "PACE": {"PACE"}, "AFIB": {"AFIB"}, "SBRAD": {"SBRAD"}, "STACH": {"STACH"}, "SR": {"SR", "SARRH"},
    "SARRH": {"SARRH"},
    "PREMATURE": {"PVC", "PAC", "SVPB", "BIGU", "TRIGU"}, "1AVB": {"1AVB"}, "WPW": {"WPW"}, "CLBBB": {"CLBBB"},
    "CRBBB": {"CRBBB"}, "IRBBB": {"IRBBB"}, "ILBBB": {"ILBBB"}, "LAFB": {"LAFB"}, "LPFB": {"LPFB"},
    "IVCD": {"IVCD"}, "LVH": {"LVH"}, "RVH": {"RVH"}, "LAE": {"LAO/LAE"}, "RAE": {"RAO/RAE"}, "STD": {"STD_"},
    "INVT": {"INVT"}, "LNGQT": {"LNGQT"}, "LVOLT": {"LVOLT"},
    "STEMI_INFERIOR": {"INJIN", "INJIL"}, "STEMI_ANTEROSEPTAL": {"INJAS", "INJAL"},
    "STEMI_LATERAL": {"INJLA", "INJAL", "INJIL"},
}
_Q_GROUP = {"QMI_INFERIOR": "inferior", "QMI_ANTEROSEPTAL": "anteroseptal", "QMI_LATERAL": "lateral"}
for _key, _group in _Q_GROUP.items():
    SCP_TRUTH[_key] = {code for code, groups in MI_TERRITORIES.items() if _group in groups}

SNOMED_TRUTH: dict[str, set[str]] = {
    "PACE": {"10370003", "251268003"}, "AFIB": {"164889003", "195080001", "426749004", "282825002", "314208002"},
    "SBRAD": {"426177001"}, "STACH": {"427084000"}, "SR": {"426783006", "427393009"}, "SARRH": {"427393009"},
    "PREMATURE": {"427172004", "17338001", "284470004", "63593006"}, "1AVB": {"270492004", "164947007"},
    "SPRI": {"49578007"}, "WPW": {"74390002"}, "CLBBB": {"733534002", "164909002"},
    "CRBBB": {"713427006", "59118001"}, "IRBBB": {"713426002"}, "ILBBB": {"251120003"}, "LAFB": {"445118002"},
    "LPFB": {"445211001"}, "IVCD": {"698252002"}, "LAD": {"39732003"}, "RAD": {"47665007"},
    "LVH": {"164873001", "55827005"}, "RVH": {"89792004"}, "LAE": {"67741000119109", "253352002", "446813000"},
    "RAE": {"253339007", "446358003", "67751000119106"}, "STD": {"429622005", "704997005"},
    "INVT": {"59931005"}, "LNGQT": {"111975006"}, "LVOLT": {"251146004"},
}
#: SNOMED-CT infarct codes without a territory: the Q-wave rows are judged together as "QMI_ANY"
ANY_Q_MI: set[str] = {"164867002", "164865005", "164917005"}
Q_KEYS = tuple(_Q_GROUP)

LUDB_TRUTH: dict[str, str] = {
    "PACE": r"pacing", "AFIB": r"^rhythm: atrial fibrillation", "SBRAD": r"^rhythm: sinus bradycardia",
    "STACH": r"^rhythm: sinus tachycardia", "SR": r"^rhythm: sinus (rhythm|arrhythmia)", "SARRH": r"^rhythm: sinus arrhythmia",
    "PREMATURE": r"extrasystole", "1AVB": r"^i degree av", "CLBBB": r"^complete left bundle",
    "CRBBB": r"^complete right bundle", "IRBBB": r"^incomplete right bundle", "ILBBB": r"^incomplete left bundle",
    "LAFB": r"^left anterior hemiblock", "IVCD": r"intrav[ie]ntricular conduction delay",
    "LAE": r"^left atrial (hypertrophy|overload)", "RAE": r"^right atrial (hypertrophy|overload)",
    "STEMI_INFERIOR": r"^stemi: inferior", "STEMI_ANTEROSEPTAL": r"^stemi: (septal|anterior)",
    "STEMI_LATERAL": r"^stemi: lateral", "QMI_INFERIOR": r"^scar formation: inferior",
    "QMI_ANTEROSEPTAL": r"^scar formation: (septal|anterior)", "QMI_LATERAL": r"^scar formation: lateral",
}
LUDB_AMPLITUDE_KEYS = ("LVH", "RVH", "LVOLT", "RAE")
#: LUDB's axis categories (the Russian clinical convention its cardiologists use): (category, low, high] deg
LUDB_AXIS: tuple[tuple[str, float, float], ...] = (
    ("left axis deviation", -180.0, 0.0), ("horizontal", 0.0, 30.0), ("normal", 30.0, 70.0),
    ("vertical", 70.0, 90.0), ("right axis deviation", 90.0, 180.0))


def ludb_axis_category(axis_deg: float | None,
                       bounds: tuple[tuple[str, float, float], ...] = LUDB_AXIS) -> str | None:
    """LUDB's category of a frontal axis (deg), or None when not measured; bounds: LUDB_AXIS or fitted ones."""
    if axis_deg is None or not math.isfinite(axis_deg):
        return None
    for name, lo, hi in bounds:
        if lo < axis_deg <= hi:
            return name
    return "left axis deviation"  # exactly -180


def ludb_axis_truth(diagnoses: list[str]) -> str | None:
    for d in diagnoses:
        m = re.match(r"electric axis of the heart: (.*?)\.?\s*$", d.strip().lower())
        if m:
            return m.group(1)
    return None


def truth(source: str, meta: dict) -> dict[str, bool]:
    """{statement key: present?} for every statement the source can judge, from a record's ECG.meta."""
    if source == "ptbxl":
        codes = set((meta.get("scp_codes") or {}).keys())
        return {k: bool(codes & v) for k, v in SCP_TRUTH.items()}
    if source.startswith("cinc"):
        codes = set(meta.get("dx_codes") or [])
        out = {k: bool(codes & v) for k, v in SNOMED_TRUTH.items()}
        out["QMI_ANY"] = bool(codes & ANY_Q_MI)
        return out
    if source == "ludb":
        diags = [d.strip().lower() for d in (meta.get("diagnoses") or [])]
        out = {k: any(re.search(p, d) for d in diags) for k, p in LUDB_TRUTH.items() if k not in LUDB_AMPLITUDE_KEYS}
        return out
    return {}


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score 95% interval (low, high) of k successes in n trials; (nan, nan) when n == 0."""
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (max(0.0, mid - half), min(1.0, mid + half))


def fit_axis_bounds(pairs: list[tuple[float, str]]) -> tuple[tuple[str, float, float], ...]:
    """LUDB's category boundaries (left|horizontal, horizontal|normal, normal|vertical; right stays at +90 deg)
    that agree best with (axis, LUDB category) pairs, from a 5-degree grid: fit on LUDB 1-70 only."""
    best, best_bounds = -1, LUDB_AXIS
    for a in range(-30, 31, 5):
        for b in range(a + 5, 56, 5):
            for c in range(max(b + 5, 55), 86, 5):
                bounds = (("left axis deviation", -180.0, float(a)), ("horizontal", float(a), float(b)),
                          ("normal", float(b), float(c)), ("vertical", float(c), 90.0),
                          ("right axis deviation", 90.0, 180.0))
                hits = sum(ludb_axis_category(x, bounds) == t for x, t in pairs)
                if hits > best:
                    best, best_bounds = hits, bounds
    return best_bounds
