"""The interpretation a page opens with: our statements (urgent ones first and marked), each with its leads and
values; the file's own statements beside them (the cart's, or PTB-XL's cardiologists'); a selected statement is
returned so the page can mark its leads and measured points on the tracing."""
from __future__ import annotations

import streamlit as st

from app.common import details, loaders
from app.common.safe import md
from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGError
from ecgcore.plot.statements import ordered, statement_rows, validation_rows

ABOUT = ("Statements from published criteria (each with its source), computed from this record's measurements by "
         "`ecgcore.interpret`; a research and teaching aid, not a diagnosis. Select a row to mark its leads and "
         "measured points on the tracing.")


def panel(ecg: ECG, key: str):
    """Draw the interpretation of `ecg`; returns (interpretation, selected statement or None). A record that
    cannot be interpreted gets the reason and (None, None)."""
    try:
        interp = loaders.interpretation(ecg)
    except ECGError as exc:
        st.warning(f"No interpretation for this record: {exc}", icon=":material/warning:")
        return None, None
    st.markdown("#### Interpretation")
    urgent = [s for s in interp.statements if s.severity == "urgent"]
    if urgent:  # a finding, not an app error: a red band, not st.error (the library's own words, no user text)
        st.markdown(":red-background[:material/emergency: **Urgent:** "
                    + "; ".join(f"{s.text} ({', '.join(s.leads)})" for s in urgent) + "]")
    cart = ecg.meta.get("cart_statements") or []
    diagnoses = [] if cart else list(ecg.meta.get("diagnoses") or [])  # LUDB: the cardiologists' diagnoses
    codes = None if cart or diagnoses else details.codes_table(ecg)
    has_reference = bool(cart) or bool(diagnoses) or (codes is not None and len(codes))
    ours, theirs = st.columns([5, 2]) if has_reference else (st.container(), None)
    with ours:
        rows = statement_rows(interp.statements)
        event = st.dataframe(rows, key=f"{key}_statements", on_select="rerun", selection_mode="single-row",
                             hide_index=True, width="stretch", height=35 * (len(rows) + 1) + 3,  # every row, no scroll
                             column_order=("severity", "statement", "leads", "values", "criterion", "source",
                                           "SCP", "SNOMED"),
                             column_config={"severity": st.column_config.TextColumn(width="small"),
                                            "statement": st.column_config.TextColumn(width="large"),
                                            "leads": st.column_config.TextColumn(width="small"),
                                            "values": st.column_config.TextColumn(width="medium"),
                                            "SCP": st.column_config.TextColumn(width="small")})
        st.caption(ABOUT)
        validation(interp)
    picked = event.selection.rows if event is not None and event.selection else []
    selected = ordered(interp.statements)[picked[0]] if picked else None
    if theirs is not None:
        with theirs:
            if cart:  # the device's own words from the file: shown as text, never as Markdown
                st.markdown("**The cart's statements** (from the file, not ours)")
                st.dataframe({"cart statement": list(cart)}, hide_index=True, width="stretch")
            elif diagnoses:
                st.markdown("**The record's own diagnoses** (cardiologists', from the file's header)")
                st.dataframe({"diagnosis": diagnoses}, hide_index=True, width="stretch")
            else:
                st.markdown("**The record's own statements** (cardiologists' codes, from the dataset)")
                st.dataframe(codes, hide_index=True, width="stretch")
    return interp, selected


def pacing_spikes(interp) -> tuple[float, ...]:
    """Pacing-spike times (s from the record's start) of a record the interpretation calls paced (found on the
    unfiltered signal: `ecgcore.signal.pacing`); () otherwise."""
    if interp is None or not interp.measurements.pacing.paced:
        return ()
    return tuple(float(t) for t in interp.measurements.pacing.spikes_s)


def model_probabilities(ecg: ECG) -> None:
    """After the statements: the remembered model's probability per class against its thresholds (one cached
    forward pass; Predict & explain shows where the evidence lies). Nothing when no model is shipped; the
    reason when the model cannot score this record (fewer than 8 independent leads, say)."""
    from app.common import labels, state
    from app.common.widgets import DEFAULT_MODEL, show_figure
    from ecgcore.plot.metrics import probability_figure

    names = loaders.shipped_model_names()
    if not names:
        return
    name = state.get("model") if state.get("model") in names else (DEFAULT_MODEL if DEFAULT_MODEL in names else names[0])
    st.markdown("#### The models")
    try:
        probs = loaders.probabilities(ecg, name)
    except ECGError as exc:
        st.caption(f"{name} cannot score this record: {md(exc)}")
        return
    m = loaders.model(name)
    show_figure(probability_figure(list(m.classes), {name: (probs, m.thresholds)}, truth=labels.truth(ecg),
                                   title=f"{name}: probability per class (Predict & explain shows its evidence)"),
                key="viewer_probs")


def validation(interp) -> None:
    """How the statements made here agreed with cardiologists on the real records of the data root, per source
    (sensitivity, specificity, PPV with Wilson 95% intervals), from the bench's stored table."""
    keys = [s.key for s in ordered(interp.statements) if s.severity != "not assessable"]
    rows = validation_rows(loaders.interpretation_validation(), keys)
    with st.expander("How often these statements agree with cardiologists (validation)", expanded=False):
        if not rows:
            st.caption("No validation figures for these statements: run `python -m bench.bench_interpret --json "
                       "assets/interpretation_validation.json`.")
            return
        st.dataframe(rows, hide_index=True, width="stretch")
        st.caption("Against PTB-XL's SCP statements, each Challenge source's SNOMED-CT codes and LUDB's diagnoses "
                   "(`python -m bench.bench_interpret`). Sensitivity = found / had it; specificity = not called / "
                   "did not have it; PPV = right / called. Most sources hold few positives: read the interval.")
