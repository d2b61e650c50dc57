"""Reading a record's coded statements for a clinician: SCP-ECG statement kinds, likelihoods, the English
descriptions, and which statements a ground-truth superclass rests on; SNOMED-CT (Challenge `#Dx`) codes
with their mapping to the superclasses.

Sources: PTB-XL's `scp_statements.csv` (columns `description` (English), `diagnostic`, `form`, `rhythm`,
`diagnostic_class`) and `ecgcore.data.snomed` (the documented SNOMED-CT -> superclass table). In PTB-XL a
statement's likelihood is given for diagnostic statements (15, 35, 50, 80, 100 %); form and rhythm statements
carry 0, which means "not given", not "0 %". Nothing here is translated by us: English text is PTB-XL's own.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from ecgcore.core.errors import ECGError

NOT_GIVEN = "not given"


def statement_kind(code: str, statements: pd.DataFrame) -> str:
    """"diagnostic (<superclass>)", "form", "rhythm", "form, rhythm" ... or "" for a code not in the table."""
    if code not in statements.index:
        return ""
    info = statements.loc[code]
    kinds = []
    if info.get("diagnostic") == 1:
        kinds.append(f"diagnostic ({info.get('diagnostic_class')})")
    kinds += [k for k in ("form", "rhythm") if info.get(k) == 1]
    return ", ".join(kinds)


def is_diagnostic(code: str, statements: pd.DataFrame) -> bool:
    return code in statements.index and statements.loc[code].get("diagnostic") == 1


def likelihood_text(code: str, likelihood: float | None, statements: pd.DataFrame) -> str:
    """The likelihood as shown: "80 %"; "not given" for a missing value or for the 0 PTB-XL writes on
    statements that are not diagnostic (form and rhythm statements carry no likelihood)."""
    if likelihood is None or pd.isna(likelihood):
        return NOT_GIVEN
    if float(likelihood) == 0 and not is_diagnostic(code, statements):
        return NOT_GIVEN
    return f"{float(likelihood):g} %"


def english(code: str, statements: pd.DataFrame) -> str:
    """PTB-XL's English description of an SCP-ECG statement ("" when the table does not have the code)."""
    if code not in statements.index:
        return ""
    text = statements.loc[code].get("description")
    return "" if text is None or pd.isna(text) else str(text)


@dataclass(frozen=True)
class Statement:
    code: str
    likelihood: str
    description: str
    kind: str


def statements_of(scp_codes: Mapping[str, float], statements: pd.DataFrame) -> list[Statement]:
    """A record's SCP codes with likelihood text, English description and kind, in the record's order."""
    return [Statement(code, likelihood_text(code, lik, statements), english(code, statements),
                      statement_kind(code, statements)) for code, lik in scp_codes.items()]


def superclass_evidence(scp_codes: Mapping[str, float], statements: pd.DataFrame) -> dict[str, list[str]]:
    """{superclass: ["IMI 15 %", ...]}: the diagnostic statements each superclass of the record rests on
    (any likelihood counts, as in the PTB-XL benchmark)."""
    out: dict[str, list[str]] = {}
    for code, lik in scp_codes.items():
        if is_diagnostic(code, statements):
            cls = str(statements.loc[code].get("diagnostic_class"))
            out.setdefault(cls, []).append(f"{code} {likelihood_text(code, lik, statements)}")
    return out


def english_summary(scp_codes: Mapping[str, float], statements: pd.DataFrame) -> str:
    """The record's coded statements in PTB-XL's own English ("" when none is described)."""
    texts = [english(code, statements) for code in scp_codes]
    return "; ".join(t for t in texts if t)


@dataclass(frozen=True)
class DxMapping:
    code: str
    abbreviation: str
    name: str
    superclass: str | None


def dx_mapping(codes: Iterable[str], names: Mapping[str, str] | None = None) -> list[DxMapping]:
    """SNOMED-CT codes (a Challenge header's `#Dx`) with their names and the superclass each maps to (None:
    not one of the five, e.g. a rhythm), by `ecgcore.data.snomed`'s documented table. names: {code: name}
    (`snomed.code_names()`, read from the data root's Challenge tables when not given; without a data root
    a code is named by itself)."""
    from ecgcore.data import snomed

    if names is None:
        try:
            names = snomed.code_names()
        except ECGError:
            names = {}
    return [DxMapping(str(c), snomed.code_abbreviation(str(c)), snomed.code_name(str(c), dict(names)),
                      snomed.code_superclass(str(c))) for c in codes]


def dx_superclasses(codes: Iterable[str]) -> tuple[str, ...] | None:
    """The superclasses a list of SNOMED-CT codes maps to (None when the list is empty)."""
    from ecgcore.data import snomed

    codes = [str(c) for c in codes]
    return snomed.superclasses(codes) if codes else None


def ground_truth(ecg) -> tuple[tuple[str, ...] | None, str]:
    """(superclasses or None, where they come from) for any record: the record's own labels (PTB-XL
    statements, a catalogue's mapped codes), else an upload's header labels (Challenge `#Dx` SNOMED-CT codes
    mapped by `ecgcore.data.snomed`; LUDB diagnoses mapped by `ecgcore.data.ludb` where that reader set them)."""
    if ecg.labels is not None:
        source = ("PTB-XL diagnostic statements" if ecg.meta.get("scp_codes") else
                  "the header's SNOMED-CT codes" if ecg.meta.get("dx_codes") else "the record's labels")
        return tuple(ecg.labels), source
    codes = ecg.meta.get("dx_codes") or []
    mapped = dx_superclasses(codes)
    if mapped:
        return mapped, "the header's #Dx SNOMED-CT codes, mapped to superclasses"
    return None, "no labels in the record"
