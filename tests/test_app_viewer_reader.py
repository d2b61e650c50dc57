"""The viewer as an ECG reader (AppTest, real records): the interpretation first with the file's own statements
beside it, paper speed / gain / 6x2 from widgets and from a shared link, calipers typed in."""
from __future__ import annotations


import pytest

from tests.bad_inputs.real_records import real_path
from tests.test_app_pages import app, figures, goto, no_errors

pytestmark = pytest.mark.slow


def _viewer(**query: str):
    at = goto(app(**query), "viewer")
    no_errors(at)
    return at


def _frame(at, column: str):
    """The first table on the page with `column` (ours: "statement"; beside it: "cart statement", "diagnosis",
    "SCP code"; the validation: "sensitivity")."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _ecg_figure(at) -> dict:
    return next(f for f in figures(at) if str((f["layout"].get("meta") or {}).get("kind", "")).startswith("ecg_"))


def test_the_viewer_opens_with_our_statements_and_the_records_own_beside_them():
    at = _viewer(record="180")  # PTB-XL ecg_id 180: scp_codes CLBBB
    kinds = [type(e).__name__ for e in at.main]
    assert kinds.index("Dataframe") < kinds.index("UnknownElement")  # statements before the tracing (plotly)
    ours, theirs = _frame(at, "statement"), _frame(at, "SCP code")
    assert list(ours.columns[:4]) == ["severity", "statement", "leads", "values"]
    lbbb = ours[ours["statement"] == "Complete left bundle-branch block"]
    assert len(lbbb) == 1 and lbbb["SCP"].iloc[0] == "CLBBB" and "QRS" in lbbb["values"].iloc[0]
    assert "V6" in lbbb["leads"].iloc[0]
    assert "CLBBB" in set(theirs["SCP code"])  # the cardiologists' code beside ours
    severities = list(ours["severity"])
    assert severities == sorted(severities, key=lambda s: (not s.startswith("‼"), s == "not assessable"))


def test_speed_gain_and_6x2_from_the_widgets_and_back_into_the_link():
    at = _viewer(record="102")
    meta = _ecg_figure(at)["layout"]["meta"]
    assert (meta["mm_per_s"], meta["mm_per_mv"], meta["kind"]) == (25, 10, "ecg_3x4")
    at.button_group(key="_viewer_speed").set_value(50).run()
    at.button_group(key="_viewer_gain").set_value(20).run()
    at.button_group(key="_viewer_layout").set_value("6x2").run()
    no_errors(at)
    fig = _ecg_figure(at)
    meta = fig["layout"]["meta"]
    assert (meta["mm_per_s"], meta["mm_per_mv"], meta["kind"], meta["rows"]) == (50, 20, "ecg_6x2", 7)
    assert "50 mm/s · 20 mm/mV" in fig["layout"]["title"]["text"]
    assert (at.query_params["speed"], at.query_params["gain"], at.query_params["layout"]) == ("50", "20", "6x2")
    assert any("Showing 0-5 s of 10 s" in c.value for c in at.caption)  # 50 mm/s: 5 s to a page
    at.button(key="viewer_page_next").click().run()
    assert _ecg_figure(at)["layout"]["xaxis"]["range"][1] == pytest.approx(10.0)


def test_a_shared_link_carries_speed_and_gain_and_ignores_nonsense():
    fig = _ecg_figure(_viewer(record="102", speed="50", gain="5", layout="12x1"))
    assert (fig["layout"]["meta"]["mm_per_s"], fig["layout"]["meta"]["mm_per_mv"]) == (50, 5)
    fig = _ecg_figure(_viewer(record="102", speed="33", gain="abc"))
    assert (fig["layout"]["meta"]["mm_per_s"], fig["layout"]["meta"]["mm_per_mv"]) == (25, 10)


def test_calipers_typed_in_give_time_rate_and_amplitude():
    at = _viewer(record="102")
    at.toggle(key="viewer_calipers").set_value(True).run()
    no_errors(at)
    at.number_input(key="_cal_a_t").set_value(1.0).run()
    at.number_input(key="_cal_b_t").set_value(1.75).run()
    readout = [m.value for m in at.markdown if m.value.startswith("**Δt")]
    assert readout and readout[0].startswith("**Δt 750 ms (80 /min) · ΔV ")
    fig = _ecg_figure(at)
    assert [a["text"] for a in fig["layout"]["annotations"] if a.get("text", "").startswith("Δt")] == [readout[0][2:-2]]
    assert fig["layout"]["dragmode"] == "select"  # a drag across the tracing places both legs
    at.number_input(key="_cal_b_t").set_value(9.5).run()
    at.selectbox(key="_cal_b_lead").set_value("V1").run()
    no_errors(at)
    assert any(m.value.startswith("**Δt 8500 ms") for m in at.markdown)


def test_a_cart_file_shows_the_carts_statements_as_text_beside_ours():
    path = real_path("formats/muse_xml/egm_muse-sinus.xml")
    at = goto(app(), "upload")
    at.file_uploader[0].set_value([(path.name, path.read_bytes(), "text/xml")]).run()
    goto(at, "viewer")
    no_errors(at)
    cart = _frame(at, "cart statement")
    assert list(cart.columns) == ["cart statement"]
    assert "Anterior infarct, age undetermined" in set(cart["cart statement"])
    assert len(_frame(at, "statement")) >= 1



def test_predict_and_explain_opens_with_the_interpretation_then_the_models():
    at = goto(app(record="180"), "predict")
    no_errors(at)
    order = [getattr(e, "value", None) if type(e).__name__ == "Markdown" else type(e).__name__ for e in at.main]
    first = order.index("#### Interpretation")
    assert first < order.index("Dataframe") < order.index("#### The models") < order.index("UnknownElement")
    assert "Complete left bundle-branch block" in set(_frame(at, "statement")["statement"])
    probs = [f for f in figures(at) if "probability per class" in (f["layout"].get("title") or {}).get("text", "")]
    assert probs, "the models' probabilities follow the statements"


def test_a_ludb_record_shows_its_cardiologists_diagnoses_beside_the_paced_rhythm_we_find():
    at = _viewer(record="ludb/34")  # LUDB 34: "UNIpolar ventricular pacing." in its header's diagnoses
    ours, theirs = _frame(at, "statement"), _frame(at, "diagnosis")
    assert "UNIpolar ventricular pacing." in set(theirs["diagnosis"])
    assert any(text.startswith("Paced rhythm") for text in ours["statement"])
    assert any("pacing spikes found on the unfiltered signal" in c.value for c in at.caption)
    fig = _ecg_figure(at)
    assert any(t.get("name") == "pacing spikes" for t in fig["data"])


def test_the_viewer_gives_the_models_probabilities_after_the_statements():
    at = _viewer(record="180")
    order = [getattr(e, "value", None) if type(e).__name__ == "Markdown" else type(e).__name__ for e in at.main]
    assert order.index("#### Interpretation") < order.index("#### The models")
    probs = [f for f in figures(at) if "probability per class" in (f["layout"].get("title") or {}).get("text", "")]
    assert len(probs) == 1 and len(probs[0]["data"]) >= 1


def test_an_urgent_statement_is_named_first_in_a_red_band():
    at = _viewer(record="180")
    ours = _frame(at, "statement")
    urgent = ours[ours["severity"].str.startswith("‼")]
    if len(urgent):  # the statements this record gets are the library's; the band follows them
        band = next(m.value for m in at.markdown if "**Urgent:**" in m.value)
        assert band.startswith(":red-background[") and urgent["statement"].iloc[0] in band
        assert list(ours.index[: len(urgent)]) == list(urgent.index)
    else:
        assert not any("**Urgent:**" in m.value for m in at.markdown)


@pytest.mark.parametrize("sal", ["trace", "band"])
def test_predict_draws_its_evidence_in_the_6x2_layout(sal):
    at = goto(app(record="8", layout="6x2", sal=sal), "predict")
    no_errors(at)
    fig = _ecg_figure(at)
    assert fig["layout"]["meta"]["kind"] == "ecg_6x2" and fig["layout"]["meta"]["rows"] == 7
    assert any(t.get("legendgroup") or t.get("showlegend") for t in fig["data"])  # the evidence legend is drawn


def test_the_statements_made_come_with_how_often_they_agree_with_cardiologists():
    at = _viewer(record="102")  # PTB-XL ecg_id 102: 1AVB
    from ecgcore.data.catalogue import load_record
    from ecgcore.interpret import interpret

    checked = _frame(at, "sensitivity")
    made = {s.key for s in interpret(load_record("ptbxl/00102")).statements if s.severity != "not assessable"}
    assert set(checked["statement"]) and set(checked["statement"]) <= made  # the statements made, no others
    assert "ptbxl" in set(checked["source"]) and checked["sensitivity"].str.contains(r"\[").any()
    assert any(e.label.startswith("How often these statements agree") for e in at.expander)
