"""What is known about a record, shown beside its tracing: patient, labels, report, codes."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app.common import loaders
from ecgcore.ecg import ECG


def _codes_table(ecg: ECG) -> pd.DataFrame | None:
    """SCP codes with likelihood and meaning (PTB-XL), or SNOMED-CT codes with names (Challenge)."""
    if ecg.meta.get("scp_codes"):
        statements = loaders.ptbxl_statements()
        rows = []
        for code, likelihood in ecg.meta["scp_codes"].items():
            info = statements.loc[code] if code in statements.index else None
            kind = ""
            if info is not None:
                kind = str(info.get("diagnostic_class")) if info.get("diagnostic") == 1 else (
                    "form" if info.get("form") == 1 else "rhythm" if info.get("rhythm") == 1 else "")
            rows.append({"SCP code": code, "likelihood %": likelihood,
                         "meaning": "" if info is None else str(info.get("description", "")), "class / kind": kind})
        return pd.DataFrame(rows)
    if ecg.meta.get("dx_codes"):
        return pd.DataFrame({"SNOMED-CT": ecg.meta["dx_codes"], "abbr.": ecg.meta.get("dx_abbreviations"),
                             "meaning": ecg.meta.get("dx_names")})
    return None


def record_details(ecg: ECG) -> None:
    """Patient, ground truth, recording facts, report and codes of `ecg`."""
    truth = ", ".join(ecg.labels) if ecg.labels else "unlabelled"
    age = f"{ecg.age:g} y" if ecg.age is not None else ecg.meta.get("age_note", "unknown")
    sex = {"M": "male", "F": "female"}.get(ecg.sex or "", "unknown")
    st.markdown(f"**Ground truth:** {truth}  \n**Age:** {age} · **Sex:** {sex}  \n"
                f"**Source:** {ecg.source} · **Rate:** {ecg.fs:g} Hz · **Length:** {ecg.duration:.1f} s")
    notes = []
    if ecg.derived:
        notes.append(f"derived leads: {', '.join(ecg.derived)} (computed from I and II)")
    if ecg.meta.get("resampled_from_hz"):
        notes.append(f"resampled from {ecg.meta['resampled_from_hz']} Hz")
    if ecg.meta.get("synthetic"):
        notes.append("SYNTHETIC record (generated, not a patient)")
    for key, label in (("strat_fold", "fold"), ("validated_by_human", "validated by a cardiologist"),
                       ("device", "device"), ("recording_date", "recorded")):
        if ecg.meta.get(key) is not None:
            notes.append(f"{label}: {ecg.meta[key]}")
    if notes:
        st.caption(" · ".join(notes))
    report = ecg.meta.get("report") or ecg.meta.get("reason_for_admission")
    if report:
        st.markdown(f"**Report:** {report}")
    codes = _codes_table(ecg)
    if codes is not None:
        st.dataframe(codes, hide_index=True, width="stretch")
