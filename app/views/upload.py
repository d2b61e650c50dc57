"""Upload: read the user's own ECG file(s), show what was understood, then open it like any record.

Uploads stay in this browser session (`st.session_state`); nothing is written to disk or shared.
"""
from __future__ import annotations

import streamlit as st

from app.common import incidents, loaders, memory, pages, state, widgets
from app.common.safe import md
from ecgcore.core.ecg import twelve_leads
from ecgcore.core.errors import ECGError, ReaderFailure
from ecgcore.io import read_upload
from ecgcore.io.upload import ACCEPTED, FORMAT_NAMES

widgets.page_setup()
st.title("Upload an ECG")
st.markdown(f"Accepted: {ACCEPTED}. A WFDB record is its `.hea` **together with** its `.dat`/`.mat` "
            "(select both, or zip them). Your files stay in this browser session only.")

# The uploader gets a fresh key after each file read, so it empties and the next upload starts clean.
generation = st.session_state.setdefault("_upload_generation", 0)
# No extension filter: the format is detected from the content (a MUSE XML saved as .txt, a DICOM file with no
# extension as PACS exports it); anything unreadable gets the reader's message.
files = st.file_uploader("ECG file(s)", type=None, accept_multiple_files=True, key=f"upload_files_{generation}")
fs = st.number_input("Sampling rate (Hz) for files that do not state one (CSV without a time column, NPY, .mat array)",
                     min_value=1.0, max_value=20000.0, value=None, step=1.0, key="upload_fs",
                     placeholder="e.g. 500")
with st.expander("Units and lead order, for files that do not state them (CSV without units, NPY, .mat array)"):
    u1, u2 = st.columns(2)
    units_label = u1.selectbox("Units of the values", ["mV", "µV", "ADC counts"], index=None, key="upload_units",
                               placeholder="as the file says (else mV)")
    gain = u2.number_input("Gain (ADC counts per mV)", min_value=0.001, value=None, step=1.0, key="upload_gain",
                           placeholder="e.g. 200", disabled=units_label != "ADC counts")
    if "_upload_order_proposal" in st.session_state:  # set before the widget exists (Streamlit's rule)
        st.session_state["upload_lead_order"] = st.session_state.pop("_upload_order_proposal")
    order_text = st.text_input("Lead order of the rows (NPY, .mat array), comma-separated", key="upload_lead_order",
                               placeholder="I, II, III, aVR, aVL, aVF, V1, V2, V3, V4, V5, V6")
UNITS = {"mV": "mV", "µV": "µV", "ADC counts": "counts"}


def _read(files, fs) -> None:
    """Read the dropped files; on success keep the record in the session and empty the uploader, on
    failure show the reader's message (the files stay listed so the user sees what was given)."""
    with st.spinner("Reading the file(s) ..."):
        try:
            order = [x.strip() for x in (order_text or "").split(",") if x.strip()] or None
            ecg = read_upload({f.name: f.getvalue() for f in files}, fs=fs, units=UNITS.get(units_label or ""),
                              gain=gain, lead_order=order)
        except ReaderFailure as exc:  # a reader bug: its message, an incident id, the traceback in the log
            incidents.show(exc.__cause__ or exc, f"Reading the file ({md(exc)})")
            return
        except ECGError as exc:
            st.error(f"**This file could not be read.** {md(exc)}", icon=":material/error:")
            proposed = getattr(exc, "proposed_order", None)
            if proposed and st.button(f"Read it in the order that fits: {', '.join(proposed)}"):
                st.session_state["_upload_order_proposal"] = ", ".join(proposed)
                st.rerun()
            return
        except Exception as exc:  # noqa: BLE001 - a reader bug: an incident id on the page, the traceback in the log
            incidents.show(exc, "Reading the file")
            return
    memory.forget_uploaded(files)  # the raw bytes are no longer needed once the record is read
    name = state.add_upload(ecg)
    memory.release()  # results are keyed by content: a same-named earlier upload's never show
    st.session_state["_upload_last"] = name
    st.session_state["_upload_generation"] = generation + 1
    state.set_choice("record", state.UPLOAD_PREFIX + name)
    st.rerun()  # the sidebar, drawn before this, then lists the new upload as the current record


def understood(name: str) -> None:
    """What the reader made of an upload: rate, length, leads (recorded / derived), notes, model rate."""
    ecg = state.uploads()[name]
    fmt = ecg.meta.get("format", ecg.source)
    st.success(f"Read **{md(name)}** ({md(FORMAT_NAMES.get(fmt, fmt))}); it is now the current record.")
    c = st.columns(5)
    c[0].metric("Sampling rate", f"{ecg.fs:g} Hz")
    c[1].metric("Length", f"{ecg.duration:.1f} s")
    c[2].metric("Samples per lead", f"{ecg.n_samples:,}")
    c[3].metric("Leads recorded", f"{len(ecg.leads) - len(ecg.derived)}")
    c[4].metric("Leads derived", f"{len(ecg.derived)}")
    said = ecg.meta.get("assumptions", {})
    if said:
        st.markdown("**Read as** (check before predicting):\n" + "\n".join(
            f"- {what}: {md(said[key])}" for key, what in (("rate", "Sampling rate"), ("units", "Units"),
                                                       ("leads", "Lead order")) if key in said))
    try:
        twelve_leads(ecg)
    except ECGError as exc:
        st.warning(md(exc), icon=":material/info:")
    lines = [f"Leads in canonical order: {', '.join(ecg.leads)}."]
    if ecg.derived:
        lines.append(f"Derived (computed from I and II, not recorded): {', '.join(ecg.derived)}.")
    if ecg.meta.get("ignored_channels"):
        lines.append(f"Channels ignored (not standard leads): {', '.join(ecg.meta['ignored_channels'])}.")
    lines += [str(n) for n in ecg.meta.get("notes", [])]
    model_fs = _model_rate()
    if model_fs and abs(model_fs - ecg.fs) > 1e-6:
        lines.append(f"For the models it is resampled from {ecg.fs:g} Hz to {model_fs:g} Hz (polyphase filter); "
                     "the viewer shows it at its own rate.")
    if ecg.age is not None or ecg.sex:
        lines.append(f"Patient: age {f'{ecg.age:g}' if ecg.age is not None else 'unknown'}, sex {ecg.sex or 'unknown'}.")
    st.markdown("\n".join(f"- {md(line)}" for line in lines))
    cols = st.columns(3)
    for col, (page, label) in zip(cols, (("viewer", "Open in the viewer"),
                                          ("predict", "Predict & explain"),
                                          ("beats", "Review beats"))):
        if col.button(label, key=f"up_{page}", width="stretch"):
            pages.switch_to(page)


def _model_rate() -> float | None:
    names = loaders.shipped_model_names()
    return float(loaders.model(names[0]).fs) if names else None


if files:
    _read(files, fs)
elif st.session_state.get("_upload_last") in state.uploads():
    understood(st.session_state["_upload_last"])

if state.uploads():
    st.subheader("Your uploads in this session")
    for name, ecg in list(state.uploads().items()):
        c1, c2 = st.columns([5, 1])
        c1.markdown(f"**{md(name)}** · {ecg.fs:g} Hz · {ecg.duration:.1f} s"
                    + (f" · derived {', '.join(ecg.derived)}" if ecg.derived else ""))
        if c2.button("Remove", key=f"rm_{name}"):
            state.remove_upload(name)  # and every result computed for it
            st.rerun()
