"""What is known about a record, shown beside its tracing: patient, labels, report, codes."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app.common import labels, loaders
from app.common.safe import md
from ecgcore.core.ecg import ECG
from ecgcore.io.upload import FORMAT_NAMES
from ecgcore.data.statements import english_summary, statements_of


def codes_table(ecg: ECG) -> pd.DataFrame | None:
    """SCP codes with likelihood ("not given" where PTB-XL's 0 means that), PTB-XL's English description and
    kind; or the header's SNOMED-CT codes with names and the superclass each maps to (Challenge, uploads)."""
    if ecg.meta.get("scp_codes"):
        rows = statements_of(ecg.meta["scp_codes"], loaders.ptbxl_statements())
        return pd.DataFrame([{"SCP code": r.code, "likelihood": r.likelihood, "meaning (English, PTB-XL)": r.description,
                              "kind": r.kind} for r in rows])
    return labels.dx_mapping_table(ecg)


def record_details(ecg: ECG) -> None:
    """Patient, ground truth, recording facts, report and codes of `ecg`."""
    truth = labels.truth_text(ecg)
    age = f"{ecg.age:g} y" if ecg.age is not None else ecg.meta.get("age_note", "unknown")
    sex = {"M": "male", "F": "female"}.get(ecg.sex or "", "unknown")
    source = ecg.source
    if source.startswith("upload:"):  # "upload:muse_xml" -> "your upload (GE MUSE XML)"
        fmt = source.split(":", 1)[1]
        source = f"your upload ({FORMAT_NAMES.get(fmt, fmt)})"
    st.markdown(f"**Ground truth:** {truth}  \n**Age:** {age} · **Sex:** {sex}  \n"
                f"**Source:** {source} · **Rate:** {ecg.fs:g} Hz · **Length:** {ecg.duration:.1f} s")
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
            notes.append(f"{label}: {md(ecg.meta[key])}")
    if notes:
        st.caption(" · ".join(notes))
    report = ecg.meta.get("report") or ecg.meta.get("reason_for_admission")
    if report:
        st.markdown(f"**Report (original):** {md(report)}")
    if ecg.meta.get("scp_codes"):
        english = english_summary(ecg.meta["scp_codes"], loaders.ptbxl_statements())
        if english:
            st.markdown(f"**Coded statements in English:** {english}  \n<small>PTB-XL's own English descriptions "
                        "of the record's SCP-ECG statements (not a translation of the free-text report).</small>",
                        unsafe_allow_html=True)
    codes = codes_table(ecg)
    if codes is not None:
        st.dataframe(codes, hide_index=True, width="stretch")


#: our measurement key -> the cart's key in ecg.meta["cart_measurements"] (each clinical reader in ecgcore/io/ writes these keys)
_CART_KEYS = {"HR": "HR", "PR": "PR", "QRS": "QRS", "QT": "QT", "QTc_Bazett": "QTc", "axis": "QRS_axis"}


def measurements(ecg: ECG) -> None:
    """Rhythm, HR, PR, QRS, QT, QTc and axis of `ecg` (ecgcore.signal.analyse_record): each a value or "—"
    with its reason on hover, clinical flags beside the values (the threshold on hover), the cart's own
    measurements beside ours when the file had them (its P and T axes in the caption), the cart's
    interpretation statements as text, and the analysis notes."""
    analysis = loaders.beat_analysis(ecg)
    st.markdown(f"**Rhythm:** {analysis.rhythm.name}"
                + (f" · {int(analysis.premature.sum())} premature beat(s)" if analysis.premature.any() else ""))
    if not analysis.beats.ok:
        st.warning(f"No beats found: {analysis.beats.reason}")
    cart = ecg.meta.get("cart_measurements") or {}
    rows = analysis.rows()
    for start in range(0, len(rows), 2):
        cols = st.columns(2)
        for col, row in zip(cols, rows[start:start + 2]):
            cart_value = cart.get(_CART_KEYS.get(row["key"], ""))
            help_text = row["reason"] or row["flags"] or None
            col.metric(row["label"], row["text"], delta=f"⚑ {row['flags']}" if row["flags"] else None,
                       delta_color="inverse", delta_arrow="off", help=help_text,
                       delta_description=f"cart {cart_value:.0f}" if cart_value is not None else None)
    missing = [f"{r['label']}: {r['reason']}" for r in rows if r["reason"]]
    if missing:
        st.caption("— not measurable: " + "; ".join(dict.fromkeys(missing)))
    if cart:
        axes = [f"{name} {cart[key]:.0f}°" for key, name in (("P_axis", "P axis"), ("T_axis", "T axis"))
                if key in cart]
        st.caption("cart: the recording device's own measurements, from the file"
                   + (f" (also {', '.join(axes)})" if axes else ""))
    statements = ecg.meta.get("cart_statements") or []
    if statements:
        st.markdown("**Cart's interpretation** (the device's own statements, from the file; not ours):\n"
                    + "\n".join(f"- {md(line)}" for line in statements))
    for note in analysis.notes:
        st.caption(note)
    st.caption(f"{analysis.beats.n} beats, R-peaks on lead {analysis.beats.lead} ({analysis.beats.method}); "
               f"confidence {analysis.confidence}. Delineation: neurokit2 per lead, each lead's median over beats, "
               "combined over leads (chosen on LUDB: bench/bench_delineation.py).")
