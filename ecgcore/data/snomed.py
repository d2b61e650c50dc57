"""The PhysioNet/CinC Challenge's SNOMED-CT diagnosis codes mapped to PTB-XL's diagnostic superclasses.

`CODES` lists every code of the Challenge 2021 tables `dx_mapping_scored.csv` / `dx_mapping_unscored.csv`
(in the data root's `cinc/` folder) plus 251238007, which occurs in the Challenge headers but not in those
tables. The codes' names are read from those tables (`code_names`); docs/SNOMED_MAPPING.md is generated here.
Each code maps to one superclass or to None (unmapped: never guessed).

How a code was mapped, from its meaning and PTB-XL's `scp_statements.csv` (see ../shared/ECG_CRITERIA.md):
- MI: infarction codes (MI, acute MI, anterior MI, old MI), as PTB-XL's MI statements (IMI, ASMI, AMI, ...).
- CD: bundle-branch blocks (complete, incomplete, unspecified), fascicular blocks (LAnFB, LPFB), non-specific
  / diffuse intraventricular blocks (PTB-XL IVCD), AV blocks of every degree (1AVB, 2AVB, 3AVB), and WPW /
  ventricular pre-excitation.
- HYP: ventricular hypertrophy (LVH, RVH, unspecified) and atrial enlargement / hypertrophy / abnormality
  (PTB-XL LAO/LAE, RAO/RAE).
- STTC: ST-segment and T-wave abnormalities (non-specific ST-T, ST changes, ST depression, ST elevation,
  ST interval abnormal, T abnormal, T inversion), ischaemia of any territory, prolonged QT (PTB-XL LNGQT).
- Unmapped (None): rhythms and ectopic beats (PTB-XL rhythm / form statements), axis deviations and rotations,
  pacing, voltage-only criteria that PTB-XL keeps apart from its diagnoses (LVHV ~ PTB-XL's form statement
  VCLVH, low QRS voltage ~ LVOLT, right atrial high voltage, tall or prolonged P), prolonged PR (PTB-XL's
  form statement LPR, kept apart from its diagnostic 1AVB), Q-wave / R-wave / QRS abnormalities without
  an infarction code (PTB-XL QWAVE / ABQRS are form statements), early repolarisation, Brugada, U-wave
  abnormality, LV strain (ambiguous between HYP and STTC), and clinical, non-ECG terms (coronary heart
  disease, heart failure, valve disorder, transient ischaemic attack, "cardiac dysrhythmia").

NORM rule (strict): a record is NORM when it has at least one code and every code is a sinus rhythm:
normal sinus rhythm (NSR), sinus bradycardia (SB), sinus tachycardia (STach) or sinus arrhythmia (SA). These
four are PTB-XL's rhythm statements SR, SBRAD, STACH, SARRH, which PTB-XL's cardiologists put beside NORM
(e.g. ecg_id 2, 10, 6003, 14287 in the demo). Any other code, mapped or not (an axis deviation, low voltage,
an ectopic beat), rules NORM out. A record whose codes map to no superclass and that is not NORM is
unlabelled (labels None); a record with mapped codes gets exactly those superclasses (never NORM besides).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Iterable

from ecgcore.core.labels import SUPERCLASSES
from ecgcore.core.settings import Settings, resolve


@dataclass(frozen=True)
class Code:
    """One SNOMED-CT code: its Challenge abbreviation and PTB-XL superclass (None: unmapped)."""

    abbreviation: str
    superclass: str | None


_MI = {"164865005": "MI", "57054005": "AMI", "54329005": "AnMI", "164867002": "OldMI"}
_CD = {
    "6374002": "BBB", "733534002": "CLBBB", "164909002": "LBBB", "713427006": "CRBBB", "59118001": "RBBB",
    "713426002": "IRBBB", "251120003": "ILBBB", "445118002": "LAnFB", "445211001": "LPFB",
    "698252002": "NSIVCB", "82226007": "DIB", "270492004": "IAVB", "195042002": "IIAVB", "426183003": "IIAVBII",
    "54016002": "MoI", "233917008": "AVB", "27885002": "CHB", "204384007": "CIAHB", "74390002": "WPW",
    "195060002": "VPEx",
}
_HYP = {
    "164873001": "LVH", "89792004": "RVH", "266249003": "VH", "67741000119109": "LAE", "253352002": "LAA",
    "446813000": "LAH", "446358003": "RAH", "253339007": "RAAb", "195126007": "AH",
}
_STTC = {
    "428750005": "NSSTTA", "55930002": "STC", "429622005": "STD", "164931005": "STE", "164930006": "STIAb",
    "164934002": "TAb", "59931005": "TInv", "704997005": "ISTD", "111975006": "LQT", "164861001": "MIs",
    "413444003": "AMIs", "413844008": "CMI", "426434006": "AnMIs", "425419005": "IIs", "425623009": "LIs",
}
#: The sinus rhythms allowed in a NORM record (see the module docstring).
SINUS_RHYTHMS: dict[str, str] = {"426783006": "NSR", "426177001": "SB", "427084000": "STach", "427393009": "SA"}
_UNMAPPED = {
    # rhythms, ectopy, pacing
    "164889003": "AF", "164890007": "AFL", "426627000": "Brady", "284470004": "PAC", "63593006": "SVPB",
    "427172004": "PVC", "17338001": "VPB", "10370003": "PR", "233892002": "AAR", "251187003": "AED",
    "61277005": "AIVR", "426664006": "AJR", "251173003": "AB", "195080001": "AFAFL", "251268003": "AP",
    "106068003": "ARH", "713422000": "ATach", "50799005": "AVD", "29320008": "AVJR", "251166008": "AVNRT",
    "233897008": "AVRT", "251170000": "BPAC", "74615001": "BTS", "426749004": "CAF", "13640000": "FB",
    "49260003": "IR", "426995002": "JE", "251164006": "JPC", "426648003": "JTach", "282825002": "PAF",
    "67198005": "PSVT", "425856008": "PVT", "314208002": "RAF", "17366009": "SAAWR", "65778007": "SAB",
    "5609005": "SARR", "60423000": "SND", "251168009": "SVB", "426761007": "SVT", "11157007": "VBig",
    "164884008": "VEB", "75532003": "VEsB", "81898007": "VEsR", "164896001": "VF", "111288001": "VFL",
    "251266004": "VPP", "251182009": "VPVC", "164895002": "VTach", "251180001": "VTrig", "195101003": "WAP",
    # axis, rotation, voltage-only and interval criteria, waves without a diagnosis
    "39732003": "LAD", "47665007": "RAD", "251200008": "ICA", "251199005": "CCR", "251198002": "CR",
    "61721007": "CVCL/CCVCL", "55827005": "LVHV", "251146004": "LQRSV", "67751000119106": "RAHV",
    "251223006": "TPW", "251205003": "PPW", "164912004": "PWC", "164947007": "LPR", "49578007": "SPRI",
    "77867006": "SQT", "164917005": "QAb", "365413008": "PRWP", "164951009": "abQRS", "164942001": "FQRS",
    "164921003": "RAb", "428417006": "ERe", "418818005": "BRU", "164937009": "UAb", "251259000": "HTV",
    "370365005": "LVS", "251139008": "ALR",
    # clinical terms that are not ECG findings
    "53741008": "CHD", "84114007": "HF", "368009": "HVD", "266257000": "TIA", "698247007": "CD",
    "251238007": "CEF",
}

CODES: dict[str, Code] = {
    **{c: Code(a, "MI") for c, a in _MI.items()},
    **{c: Code(a, "CD") for c, a in _CD.items()},
    **{c: Code(a, "HYP") for c, a in _HYP.items()},
    **{c: Code(a, "STTC") for c, a in _STTC.items()},
    **{c: Code(a, None) for c, a in SINUS_RHYTHMS.items()},
    **{c: Code(a, None) for c, a in _UNMAPPED.items()},
}

#: Names of codes that the Challenge's two mapping tables lack.
_EXTRA_NAMES = {"251238007": "cardiac electrophysiological finding"}


#: The Challenge's code tables, in the data root's `cinc/` folder.
DX_TABLES: tuple[str, ...] = ("dx_mapping_scored.csv", "dx_mapping_unscored.csv")


def code_names(settings: Settings | None = None) -> dict[str, str]:
    """{SNOMED-CT code: name} from the Challenge's two tables in the data root's `cinc/` folder (the first
    table wins for a code in both), plus the names those tables lack. Empty when there is no data root
    (names then read "SNOMED-CT <code>")."""
    settings = settings or resolve()
    names: dict[str, str] = {}
    if settings.has_source("cinc"):
        for table in DX_TABLES:
            path = settings.source("cinc") / table
            if not path.is_file():
                continue
            with open(path, newline="", encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    code = (row.get("SNOMEDCTCode") or row.get("SNOMED CT Code") or "").strip()
                    if code and code not in names:
                        names[code] = (row.get("Dx") or "").strip()
    return {**_EXTRA_NAMES, **names}


def code_name(code: str, names: dict[str, str]) -> str:
    """The code's name (e.g. 'sinus rhythm') from `code_names()`, or 'SNOMED-CT <code>' when unknown."""
    return names.get(str(code).strip()) or f"SNOMED-CT {code}"


def code_abbreviation(code: str) -> str:
    """The Challenge abbreviation of a code (e.g. 'NSR'), or the code itself when unknown."""
    return CODES[code].abbreviation if code in CODES else code


def code_superclass(code: str) -> str | None:
    """The PTB-XL superclass one code maps to, or None (unmapped or unknown)."""
    entry = CODES.get(str(code).strip())
    return entry.superclass if entry else None


def superclasses(codes: Iterable[str]) -> tuple[str, ...] | None:
    """A record's superclasses from its SNOMED-CT codes (NORM, MI, STTC, CD, HYP order), or None if unlabelled.

    See the module docstring for the NORM rule. Empty or blank codes are ignored.
    """
    codes = [str(c).strip() for c in codes if str(c).strip()]
    mapped = {code_superclass(c) for c in codes} - {None}
    if mapped:
        return tuple(s for s in SUPERCLASSES if s in mapped)
    if codes and all(c in SINUS_RHYTHMS for c in codes):
        return ("NORM",)
    return None


def mapping_markdown(settings: Settings | None = None) -> str:
    """The mapping as a Markdown document (docs/SNOMED_MAPPING.md is this text; a test keeps them equal).

    Names come from the data root's Challenge tables (`code_names`). Rows: the NORM-rule sinus rhythms, then
    MI, STTC, CD, HYP, then unmapped codes; by abbreviation (case-insensitive) within each group.
    """
    names = code_names(settings)
    rank = {c: i for i, c in enumerate(SUPERCLASSES)}

    def order(item: tuple[str, Code]) -> tuple[int, str, str]:
        code, entry = item
        group = -1 if code in SINUS_RHYTHMS else rank.get(entry.superclass or "", len(SUPERCLASSES))
        return group, entry.abbreviation.lower(), code

    lines = [
        "# SNOMED-CT codes of the PhysioNet/CinC Challenge mapped to PTB-XL superclasses",
        "",
        "Generated from `ecgcore/data/snomed.py` (`snomed.mapping_markdown()`); the rules and the NORM rule are",
        "explained in that module's docstring. Names come from the Challenge's `dx_mapping_scored.csv` /",
        "`dx_mapping_unscored.csv` (data root `cinc/`). \"sinus rhythm (NORM rule)\": the code maps to nothing by",
        "itself, but a record whose codes are all of this kind is NORM. \"-\": unmapped, never guessed.",
        "",
        "| SNOMED-CT | abbreviation | name | superclass |",
        "| --- | --- | --- | --- |",
    ]
    for code, entry in sorted(CODES.items(), key=order):
        target = "sinus rhythm (NORM rule)" if code in SINUS_RHYTHMS else (entry.superclass or "-")
        lines.append(f"| {code} | {entry.abbreviation} | {code_name(code, names)} | {target} |")
    return "\n".join(lines) + "\n"
