"""What a record's labels say, shown beside predictions and tracings: the ground truth with the statements
(and likelihoods) or header codes it rests on. Rules live in `ecgcore.data.statements`."""
from __future__ import annotations

import streamlit as st

from app.common import loaders
from ecgcore.core.ecg import ECG
from ecgcore.data.statements import dx_mapping, ground_truth, superclass_evidence


def truth(ecg: ECG) -> tuple[str, ...] | None:
    """The record's ground-truth superclasses (None: unlabelled), header labels of uploads included."""
    return ground_truth(ecg)[0]


def truth_text(ecg: ECG) -> str:
    """"MI (IMI 15 %), STTC (ISCLA 100 %)", "CD (from #Dx 59118001 RBBB)", "none of the five superclasses
    (its header codes: AF; ...)" for a labelled record outside them, or "none (unlabelled record)"."""
    labels, _ = ground_truth(ecg)
    if not labels:
        if ecg.meta.get("dx_codes"):  # labelled, but with statements outside the five superclasses (e.g. AF)
            codes = ", ".join(m.abbreviation or m.code for m in _dx_mapping(ecg))
            return f"none of the five superclasses (its header codes: {codes}; mapping below)"
        if ecg.meta.get("scp_codes"):
            return f"none of the five superclasses (its statements: {', '.join(ecg.meta['scp_codes'])})"
        return "none (unlabelled record)"
    if ecg.meta.get("scp_codes"):
        evidence = superclass_evidence(ecg.meta["scp_codes"], loaders.ptbxl_statements())
        return ", ".join(f"{c} ({', '.join(evidence[c])})" if c in evidence else c for c in labels)
    if ecg.meta.get("dx_codes"):
        rows = [m for m in _dx_mapping(ecg) if m.superclass]
        return ", ".join(f"{c} ({', '.join(f'{m.code} {m.abbreviation}' for m in rows if m.superclass == c)})"
                         if any(m.superclass == c for m in rows) else c for c in labels)
    return ", ".join(labels)


def ground_truth_line(ecg: ECG) -> None:
    """One line: the ground truth with what it rests on (likelihoods, header codes)."""
    labels, source = ground_truth(ecg)
    st.markdown(f"**Ground truth:** {truth_text(ecg)}" + (f"  \n<small>from {source}</small>" if labels else ""),
                unsafe_allow_html=True)


def dx_mapping_table(ecg: ECG):
    """The header's SNOMED-CT codes and the superclass each maps to (None: no table)."""
    import pandas as pd

    codes = ecg.meta.get("dx_codes")
    if not codes:
        return None
    return pd.DataFrame([{"SNOMED-CT": m.code, "abbr.": m.abbreviation, "meaning": m.name,
                          "superclass": m.superclass or "— (not one of the five)"} for m in _dx_mapping(ecg)])


def _dx_mapping(ecg: ECG):
    """The record's `#Dx` codes mapped; names from the record (Challenge reader) or the Challenge tables."""
    codes = ecg.meta.get("dx_codes") or []
    names = ecg.meta.get("dx_names")
    return dx_mapping(codes, dict(zip(codes, names)) if names and len(names) == len(codes) else _code_names())


@st.cache_resource(show_spinner=False)
def _code_names() -> dict[str, str]:
    from ecgcore.data import snomed
    from ecgcore.core.errors import ECGError

    try:
        return snomed.code_names()
    except ECGError:
        return {}
