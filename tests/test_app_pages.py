"""Every dashboard page in Streamlit's AppTest, on the real shipped records (and the shipped models)."""
from __future__ import annotations

import ast
import base64
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app.common.loaders import shipped_model_names
from ecgcore.data import ptbxl

from tests.bad_inputs.real_records import real_path  # noqa: E402

DEMO_PTBXL = real_path("ptbxl")

MAIN = str(Path(__file__).resolve().parent.parent / "app" / "main.py")
PAGES = ["home", "records", "viewer", "predict", "beats", "upload", "compare"]
TIMEOUT = 180  # a cold first run imports torch, neurokit2 and reads every shipped header


def app(**query: str) -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def goto(at: AppTest, page: str) -> AppTest:
    return at.switch_page(f"views/{page}.py").run()


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def values(array) -> np.ndarray:
    """A plotly array from a figure spec (plain list, or base64 typed array)."""
    if isinstance(array, dict) and "bdata" in array:
        out = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        return out.reshape(array["shape"]) if "shape" in array else out
    return np.asarray(array, dtype=float)




def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


# --------------------------------------------------------------------------------------------- every page
def test_every_page_renders_without_a_record():
    at = app()
    for page in PAGES:
        goto(at, page)
        no_errors(at)
    goto(at, "viewer")
    assert any("No record chosen" in i.value for i in at.info)


def test_every_page_renders_a_real_record_from_a_shared_link():
    at = app(record="8")  # the URL form `?record=8` means PTB-XL ecg_id 8
    for page in PAGES:
        goto(at, page)
        no_errors(at)
    goto(at, "viewer")
    assert at.subheader[0].value == "ptbxl/00008"
    assert at.query_params["record"] == "ptbxl/00008"
    details = " ".join(m.value for m in at.markdown)
    assert "Ground truth:** MI" in details and "inferiorer infarkt" in details  # ecg_id 8: IMI, report text


def test_a_broken_shared_link_shows_a_message_not_a_traceback():
    at = goto(app(record="ptbxl/99999", rate="abc", model="nonsense", target="XYZ"), "viewer")
    assert not at.exception
    assert at.error and "99999" in at.error[0].value
    at = goto(app(record="cinc/nowhere/X1"), "predict")
    assert not at.exception
    assert at.error and "cinc/nowhere/X1" in at.error[0].value and "Record ids look like" in at.error[0].value


# ------------------------------------------------------------------------------------------------ viewer
def test_viewer_draws_twelve_leads_on_ecg_paper_and_switches_layout_and_rate():
    at = goto(app(record="ptbxl/00001"), "viewer")
    no_errors(at)
    paper = figures(at)[0]
    leads = [t for t in paper["data"] if t["type"] == "scatter" and t.get("y") is not None and "x0" in t]
    assert len(leads) == 13 and paper["layout"]["meta"]["fs"] == 500.0
    assert paper["layout"]["yaxis"]["scaleanchor"] == "x" and paper["layout"]["yaxis"]["scaleratio"] == pytest.approx(0.4)
    assert paper["layout"]["xaxis"]["minor"]["dtick"] == pytest.approx(0.04)
    rhythm = [t for t in leads if t["name"] == "II"][-1]
    assert len(values(rhythm["y"])) == 5000

    at.segmented_control(key="_viewer_layout").set_value("12x1").run()
    stacked = [t for t in figures(at)[0]["data"] if t["type"] == "scatter" and "x0" in t]
    assert [t["name"] for t in stacked] == ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"]

    at.segmented_control(key="_viewer_rate").set_value(100).run()  # ecg_id 1 has its own 100 Hz file
    assert at.query_params["rate"] == "100"
    stacked = [t for t in figures(at)[0]["data"] if t["type"] == "scatter" and "x0" in t]
    assert all(len(values(t["y"])) == 1000 and t["dx"] == pytest.approx(0.01) for t in stacked)


def test_viewer_shows_measurements_and_the_median_beat_with_fiducials():
    at = goto(app(record="ptbxl/00008"), "viewer")
    no_errors(at)
    hr = next(m for m in at.metric if m.label == "Heart rate")
    assert 50 <= float(hr.value.split()[0]) <= 100  # ecg_id 8 is in sinus rhythm (SR)
    median = [f for f in figures(at) if f["layout"].get("meta", {}).get("kind") == "beat_12lead"][0]
    assert any(t.get("name") == "fiducial points" for t in median["data"])
    labels = {a["text"] for a in median["layout"]["annotations"]}
    assert {"QRS on", "J"} <= labels


def test_a_long_record_gets_a_window_slider():
    at = goto(app(record="ptbdb/patient096/s0379lre"), "viewer")  # 115 s at 1000 Hz
    no_errors(at)
    slider = at.slider(key="_viewer_start")
    slider.set_value(60.0).run()
    paper = figures(at)[0]
    assert paper["layout"]["xaxis"]["range"][1] >= 70.0 - 1e-6


# ----------------------------------------------------------------------------------------------- records
def _rows(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def test_records_filters_shrink_the_table_and_a_row_opens_the_record():
    at = goto(app(), "records")
    no_errors(at)
    everything = len(_rows(at))
    db = ptbxl.load_database(ptbxl.data_root_folders())  # the data root's ptbxl/ + ptbxl_more/
    assert everything == len(db)

    at.multiselect(key="rec_super").select("MI").run()
    mi = _rows(at)
    assert 0 < len(mi) < everything and all("MI" in s.split() for s in mi["superclasses"])
    at.selectbox(key="rec_sex").select("F").run()
    assert 0 < len(_rows(at)) < len(mi) and set(_rows(at)["sex"]) == {"F"}
    at.selectbox(key="rec_sex").select("any").run()
    at.checkbox(key="rec_wave").check().run()
    with_wave = _rows(at)
    assert len(with_wave) == 75 and {8, 8883, 9739} <= set(with_wave["ecg_id"])  # MI with a waveform (SOURCE.md)

    at.session_state["rec_table"] = {"selection": {"rows": [list(with_wave["ecg_id"]).index(9739)], "columns": []}}
    at.run()
    no_errors(at)
    assert at.session_state["record"] == "ptbxl/09739" and at.query_params["record"] == "ptbxl/09739"
    at.button(key="ptbxl_viewer").click().run()
    assert at.subheader[0].value == "ptbxl/09739"


def test_records_search_and_unknown_code_message():
    at = goto(app(), "records")
    at.text_input(key="rec_query").input("6002").run()
    assert list(_rows(at)["ecg_id"]) == [6002]
    at.text_input(key="rec_query").input("").run()
    at.multiselect(key="rec_fold").select(10).run()
    assert set(_rows(at)["fold"]) == {10}


def test_records_table_handles_a_full_size_index(tmp_path, monkeypatch):
    """21,799 rows (PTB-XL's size): the shipped real rows repeated under new ecg_ids."""
    db = pd.read_csv(DEMO_PTBXL / "ptbxl_database.csv")
    reps = -(-21799 // len(db))
    big = pd.concat([db] * reps, ignore_index=True).iloc[:21799].copy()
    big["ecg_id"] = np.arange(1, 21800)
    (tmp_path / "ptbxl").mkdir()
    big.to_csv(tmp_path / "ptbxl" / "ptbxl_database.csv", index=False)
    shutil.copy(DEMO_PTBXL / "scp_statements.csv", tmp_path / "ptbxl" / "scp_statements.csv")
    monkeypatch.setenv("ECG_DATA_ROOT", str(tmp_path))  # a data root holding only this PTB-XL table

    statements = pd.read_csv(DEMO_PTBXL / "scp_statements.csv", index_col=0)
    mi_codes = set(statements.index[(statements["diagnostic"] == 1) & (statements["diagnostic_class"] == "MI")])
    expected = int(big["scp_codes"].map(lambda t: bool(mi_codes & set(ast.literal_eval(t)))).sum())

    at = goto(app(), "records")
    no_errors(at)
    assert len(_rows(at)) == 21799 and "21,799 of 21,799" in at.caption[0].value
    at.multiselect(key="rec_super").select("MI").run()
    assert len(_rows(at)) == expected


# ------------------------------------------------------------------------------------------------ upload
def _record_files(ecg_id: int) -> list[tuple[str, bytes, str]]:
    stem = DEMO_PTBXL / "records500" / f"{ecg_id // 1000 * 1000:05d}" / f"{ecg_id:05d}_hr"
    return [(stem.name + ".hea", stem.with_suffix(".hea").read_bytes(), "text/plain"),
            (stem.name + ".dat", stem.with_suffix(".dat").read_bytes(), "application/octet-stream")]


def test_upload_a_real_wfdb_record_then_a_broken_file():
    at = goto(app(), "upload")
    at.file_uploader[0].set_value(_record_files(8)).run()
    no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sampling rate"] == "500 Hz" and metrics["Length"] == "10.0 s"
    assert metrics["Leads recorded"] == "12" and metrics["Leads derived"] == "0"
    assert at.session_state["record"] == "upload:00008_hr"
    assert "record" not in at.query_params  # an upload never goes into the shareable URL
    assert at.sidebar.selectbox[0].options[0] == "00008_hr (your upload)"

    at.file_uploader[0].set_value([("broken.hea", b"this is not a header\n", "text/plain"),
                                                     ("broken.dat", b"\x00\x01\x02", "application/octet-stream")]).run()
    assert not at.exception
    assert at.error and "could not be read" in at.error[0].value and "broken.hea" in at.error[0].value
    assert at.sidebar.selectbox[0].options[0] == "00008_hr (your upload)"  # the earlier upload is still there

    goto(at, "viewer")
    no_errors(at)
    assert at.subheader[0].value.replace("\\", "") == "00008_hr"  # shown as text: Markdown characters escaped


def test_upload_an_8_lead_csv_shows_the_derived_leads():
    from ecgcore.data.catalogue import load_record

    ecg = load_record("ptbxl/00001")
    independent = ["I", "II", "V1", "V2", "V3", "V4", "V5", "V6"]
    frame = pd.DataFrame({lead: ecg.lead(lead) for lead in independent})
    frame.insert(0, "time", np.arange(ecg.n_samples) / ecg.fs)
    data = io.StringIO()
    frame.to_csv(data, index=False)
    at = goto(app(), "upload")
    at.file_uploader[0].set_value(("eight.csv", data.getvalue().encode(), "text/csv")).run()
    no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Leads recorded"], metrics["Leads derived"], metrics["Sampling rate"]) == ("8", "4", "500 Hz")
    assert any("III, aVR, aVL, aVF" in m.value for m in at.markdown)


def test_upload_an_npy_file_needs_its_rate_and_takes_it_from_the_form():
    from ecgcore.data.catalogue import load_record

    data = io.BytesIO()
    np.save(data, load_record("ptbxl/06001").signal)  # (12, 5000) mV, no rate inside
    at = goto(app(), "upload")
    at.file_uploader[0].set_value(("record.npy", data.getvalue(), "application/octet-stream")).run()
    assert not at.exception and at.error and "rate" in at.error[0].value.lower()
    at.number_input(key="upload_fs").set_value(500.0).run()
    no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sampling rate"] == "500 Hz" and metrics["Length"] == "10.0 s"


# -------------------------------------------------------------------------------------------- no models
def test_pages_without_a_trained_model_say_so(tmp_path, monkeypatch):
    monkeypatch.setenv("ECG_MODELS_DIR", str(tmp_path))
    at = app(record="ptbxl/00008")
    for page in ("predict", "compare", "beats", "home"):
        goto(at, page)
        no_errors(at)
        assert any("No trained model is shipped yet" in i.value for i in at.info), page
    goto(at, "beats")  # beats and the median beat still work without a model
    assert any("Beat" in m.value and "of" in m.value for m in at.markdown)


# ------------------------------------------------------------------------------------------ with models
@pytest.fixture
def two_models() -> list[str]:
    """The shipped model names; FAILS (never skips) where fewer than two are there: a broken models folder must
    show, not hide the tests that need it."""
    names = shipped_model_names()
    if len(names) < 2:
        pytest.fail(f"these tests need two trained models in the models folder (assets/models, or ECG_MODELS_DIR); "
                    f"found {names or 'none'}: restore assets/models from git or run `make train`")
    return names


needs_two_models = pytest.mark.usefixtures("two_models")


def _bars(at: AppTest) -> dict[str, np.ndarray]:
    probs = [f for f in figures(at) if any(t["type"] == "bar" for t in f["data"])][0]
    return {t["name"]: values(t["x"]) for t in probs["data"] if t["type"] == "bar"}


@needs_two_models
def test_choosing_a_model_changes_the_probabilities():
    first, second = shipped_model_names()[:2]
    at = goto(app(record="ptbxl/00008", model=first, target="MI"), "predict")
    no_errors(at)
    p1 = _bars(at)[first]
    assert p1.shape == (5,) and np.all((p1 >= 0) & (p1 <= 1))
    ecg_fig = [f for f in figures(at) if f["layout"].get("meta", {}).get("kind") == "ecg_3x4"][0]
    coloured = [t for t in ecg_fig["data"] if t.get("legendgroup") == "saliency" and t.get("x") is not None
                and len(values(t["x"]))]
    assert coloured or any("nothing is coloured" in i.value for i in at.info)

    at.selectbox(key="_predict_model").select(second).run()
    no_errors(at)
    p2 = _bars(at)[second]
    assert at.query_params["model"] == second
    assert not np.allclose(p1, p2)


@needs_two_models
def test_beat_review_steps_through_beats_and_compare_shows_every_model():
    at = goto(app(record="ptbxl/00008", model=shipped_model_names()[0], target="MI"), "beats")
    no_errors(at)
    heading = lambda: next(m.value for m in at.markdown if m.value.startswith("**Beat "))  # noqa: E731
    first = heading()
    at.button(key="beat_next").click().run()
    assert heading() != first
    at.button(key="beat_prev").click().run()
    assert heading() == first
    at.pills(key="_beat_pill").set_value(3).run()  # a click on the fourth beat of the strip
    assert heading().startswith("**Beat 4** of") and at.query_params["beat"] == "4"  # numbered from 1

    goto(at, "compare")
    no_errors(at)
    roc = [f for f in figures(at) if "1 − specificity" in json.dumps(f["layout"], ensure_ascii=False)][0]
    names = {t["name"] for t in roc["data"] if t.get("name")}
    assert set(shipped_model_names()) <= names
    table = at.dataframe[0].value
    assert set(table["model"]) == set(shipped_model_names())


# ------------------------------------------------------------------------ clinician-facing figure specs
def _probability_bars(at: AppTest) -> list[dict]:
    probs = [f for f in figures(at) if any(t["type"] == "bar" for t in f["data"])][0]
    return [t for t in probs["data"] if t["type"] == "bar"]


def test_predict_colours_classes_above_threshold_and_marks_them_against_the_ground_truth():
    from ecgcore.plot.metrics import NEGATIVE_COLOUR, POSITIVE_COLOUR

    name = shipped_model_names()[0]
    at = goto(app(record="ptbxl/09739", model=name), "predict")  # ground truth MI (IMI 15 %) and STTC
    no_errors(at)
    bar = _probability_bars(at)[0]
    positive, outcome = bar["meta"]["positive"], bar["meta"]["outcome"]
    colours = bar["marker"]["color"]
    assert [c == POSITIVE_COLOUR for c in colours] == positive and NEGATIVE_COLOUR in colours + [NEGATIVE_COLOUR]
    classes = ["NORM", "MI", "STTC", "CD", "HYP"]
    for cls, pos, out in zip(classes, positive, outcome):
        truth = cls in ("MI", "STTC")
        assert out == {(True, True): "TP", (True, False): "FP", (False, True): "FN", (False, False): "TN"}[(pos, truth)]
    assert any("IMI 15 %" in m.value for m in at.markdown)  # the likelihood the ground truth rests on
    if positive[0] and any(positive[1:]):
        assert any("Contradictory" in w.value for w in at.warning)
    # the class to explain defaults to the top positive class (or the most probable one)
    probs = values(bar["x"])
    thr = np.array([float(t[0]) for t in bar["customdata"]])
    pos_idx = np.flatnonzero(probs >= thr)
    expected = classes[int(pos_idx[np.argmax(probs[pos_idx])] if len(pos_idx) else np.argmax(probs))]
    assert at.session_state["target"] == expected


def test_predict_draws_per_lead_saliency_by_default_with_a_legend_and_keeps_the_paper_scale():
    at = goto(app(record="ptbxl/00008", model=shipped_model_names()[0], target="MI"), "predict")
    no_errors(at)
    paper = [f for f in figures(at) if f["layout"].get("meta", {}).get("kind") == "ecg_3x4"][0]
    legend = [t for t in paper["data"] if t.get("legendgrouptitle")]
    assert legend and "strongest evidence for MI in this record" in legend[0]["legendgrouptitle"]["text"]
    assert not any(t["type"] == "heatmap" for t in paper["data"])  # per-lead on the traces, no band
    margin = (paper["layout"]["margin"]["l"], paper["layout"]["margin"]["r"])
    at.segmented_control(key="_predict_mode").set_value("band").run()
    no_errors(at)
    band = [f for f in figures(at) if f["layout"].get("meta", {}).get("kind") == "ecg_3x4"][0]
    assert any(t["type"] == "heatmap" and not t.get("showscale") for t in band["data"])
    assert (band["layout"]["margin"]["l"], band["layout"]["margin"]["r"]) == margin  # no colour bar narrows it
    assert band["layout"]["height"] == paper["layout"]["height"]
    assert at.query_params["sal"] == "band"


def test_a_model_without_a_map_says_so():
    if "kernel" not in shipped_model_names():
        pytest.fail("the kernel model is not shipped in assets/models")
    at = goto(app(record="ptbxl/00008", model="kernel", target="MI", sal="band"), "predict")
    no_errors(at)
    assert any("no class activation map" in i.value for i in at.info)


def test_compare_marks_operating_points_and_opens_on_a_real_set():
    from ecgcore.metrics.clinical import few_positives

    at = goto(app(), "compare")
    no_errors(at)
    assert not at.session_state["set"].startswith("synth")
    roc = [f for f in figures(at) if "1 − specificity" in json.dumps(f["layout"], ensure_ascii=False)][0]
    points = [t for t in roc["data"] if (t.get("meta") or {}).get("kind") == "operating_point"]
    assert {p["meta"]["model"] for p in points} == set(shipped_model_names())
    titles = " ".join(a["text"] for a in roc["layout"]["annotations"])
    assert "N+ =" in titles and "AUC" in titles
    clinical = at.dataframe[0].value
    assert {"sensitivity", "specificity", "PPV", "NPV", "TP", "FP", "FN", "TN"} <= set(clinical.columns)
    res = json.loads((Path(MAIN).parent.parent / "assets" / "models" / shipped_model_names()[0] /
                      f"results_{at.session_state['set']}.json").read_text())
    if few_positives(res):
        assert any("Too few positives" in w.value for w in at.warning)
    assert any("has the highest macro AUC" in m.value for m in at.markdown)
    assert not at.error  # no synthetic banner on a real set


def test_the_synthetic_set_carries_its_banner_on_every_table_and_figure():
    at = goto(app(), "compare")
    assert at.session_state["set"] == "ptbxl_cv"  # opens on the real out-of-fold set
    assert any(o.startswith("Synthetic test set (not patients)") for o in at.selectbox(key="_cmp_set").options)
    at.selectbox(key="_cmp_set").set_value("synthetic_fold10").run()
    assert not at.exception
    banners = [e for e in at.error if "Synthetic test set (not patients)" in e.value]
    assert len(banners) >= 5  # leader, clinical table, AUC table, each tab
    stored = [f for f in figures(at) if "1 − specificity" in json.dumps(f["layout"], ensure_ascii=False)]
    assert stored and all(f["layout"]["meta"].get("synthetic") for f in stored)


# ------------------------------------------------------------------------------------- shareable links
VIEW = dict(record="ptbxl/09739", model=None, target="MI", sal="band", scale="fixed", layout="12x1",
            rate="500", beat="3")


def test_every_url_key_round_trips_on_predict_and_beats():
    view = {**VIEW, "model": shipped_model_names()[0]}
    at = goto(app(**view), "beats")
    no_errors(at)
    assert {k: at.query_params[k] for k in view} == view  # adopted and written back unchanged
    assert next(m.value for m in at.markdown if m.value.startswith("**Beat ")).startswith("**Beat 3** of")
    assert at.session_state["scale"] == "fixed" and not at.toggle(key="_beats_relative").value
    goto(at, "predict")
    no_errors(at)
    assert {k: at.query_params[k] for k in view} == view
    paper = [f for f in figures(at) if f["layout"].get("meta", {}).get("kind") == "ecg_12x1"]
    assert paper and any(t["type"] == "heatmap" for t in paper[0]["data"])
    # each choice made on screen goes back into the link
    at.segmented_control(key="_predict_mode").set_value("trace").run()
    at.toggle(key="_predict_relative").set_value(True).run()
    at.segmented_control(key="_predict_layout").set_value("3x4").run()
    at.segmented_control(key="_predict_target").set_value("STTC").run()
    assert {k: at.query_params[k] for k in ("sal", "scale", "layout", "target")} == \
        {"sal": "trace", "scale": "relative", "layout": "3x4", "target": "STTC"}


def test_compare_set_and_models_round_trip():
    names = shipped_model_names()[:2]
    at = goto(app(set="ptbxl_fold10", models=",".join(names)), "compare")
    no_errors(at)
    assert at.query_params["set"] == "ptbxl_fold10" and at.query_params["models"] == ",".join(names)
    assert at.multiselect(key="_cmp_models").value == names
    at.multiselect(key="_cmp_models").unselect(names[1]).run()
    assert at.query_params["models"] == names[0]


def test_compare_shows_a_dash_where_a_figure_cannot_be_computed(tmp_path, monkeypatch):
    """A real subset without HYP positives (the stored real predictions of the records not labelled HYP,
    re-scored by `evaluate`'s own report): HYP has no AUC and no sensitivity, shown as "—", never 0."""
    from ecgcore.metrics.summary import evaluation_report

    names = shipped_model_names()[:2]
    for name in names:
        res = json.loads((Path(MAIN).parent.parent / "assets" / "models" / name / "results_ptbxl_cv.json").read_text())
        Y, P = np.asarray(res["predictions"]["y_true"]), np.asarray(res["predictions"]["y_prob"])
        keep = Y[:, res["classes"].index("HYP")] == 0
        ids = [r for r, k in zip(res["predictions"]["record_ids"], keep) if k]
        sub = evaluation_report(Y[keep], P[keep], res["classes"], [res["thresholds"][c] for c in res["classes"]], ids,
                                n_boot=50)
        sub["set"] = {"name": "nohyp", "description": "real records without HYP", "synthetic": False}
        (tmp_path / name).mkdir()
        shutil.copy(Path(MAIN).parent.parent / "assets" / "models" / name / "card.json", tmp_path / name)
        (tmp_path / name / "results_nohyp.json").write_text(json.dumps(sub))
    monkeypatch.setenv("ECG_MODELS_DIR", str(tmp_path))
    at = goto(app(set="nohyp"), "compare")
    no_errors(at)
    clinical = at.dataframe[0].value.set_index(["model", "class"])
    assert (clinical.xs("HYP", level="class")["sensitivity"] == "—").all()
    assert (clinical.xs("HYP", level="class")["positives"] == "0 ⚠ few").all()
    auc = at.dataframe[1].value
    assert (auc["HYP AUC (95% CI)"] == "—").all() and not (auc["NORM AUC (95% CI)"] == "—").any()


def test_the_class_to_explain_follows_the_records_filter():
    at = goto(app(), "records")
    at.multiselect(key="rec_super").select("HYP").run()
    at.session_state["record"] = "ptbxl/00008"
    goto(at, "predict")
    no_errors(at)
    assert at.session_state["target"] == "HYP" and at.query_params["target"] == "HYP"


def test_a_challenge_record_shows_its_codes_mapped_to_superclasses():
    at = goto(app(record="cinc/georgia/E00271"), "viewer")  # #Dx 59118001 (RBBB) -> CD
    no_errors(at)
    codes = next(d.value for d in at.dataframe if "SNOMED-CT" in d.value.columns)
    assert list(codes["SNOMED-CT"]) == ["59118001"] and list(codes["superclass"]) == ["CD"]
    assert any("Ground truth:** CD (59118001" in m.value for m in at.markdown)


def test_a_labelled_record_outside_the_five_superclasses_is_not_called_unlabelled():
    at = goto(app(record="cinc/cpsc2018/A0689"), "viewer")  # #Dx: atrial fibrillation only
    no_errors(at)
    line = next(m.value for m in at.markdown if "Ground truth:**" in m.value)
    assert "none of the five superclasses" in line and "AF" in line and "unlabelled" not in line


def test_compare_names_a_leading_model_only_when_the_paired_test_says_so():
    from ecgcore.metrics.clinical import leading_model

    folder = Path(MAIN).parent.parent / "assets" / "models"
    at = goto(app(), "compare")
    no_errors(at)
    assert at.selectbox(key="_cmp_set").value == "ptbxl_cv"
    for pair in (["ensemble", "kernel"], ["inception1d", "lstm"]):
        at.multiselect(key="_cmp_models").set_value(pair).run()
        no_errors(at)
        results = {n: json.loads((folder / n / "results_ptbxl_cv.json").read_text()) for n in pair}
        lead = leading_model(results)
        shown = [m.value for m in at.markdown if m.value.startswith("On the ")]
        assert len(shown) == 1, shown
        if lead.established:
            assert f"{lead.model} leads:" in shown[0] and "no model leads" not in shown[0]
        else:
            assert "no model leads" in shown[0] and f"{lead.model} leads" not in shown[0]
        assert "paired bootstrap over the same 513 records, patients resampled" in shown[0]


def test_predict_says_each_class_operating_point_at_the_threshold_in_use():
    from ecgcore.metrics.clinical import class_operating_sentences

    at = goto(app(record="ptbxl/00139", model="resnet1d", target="MI"), "predict")
    no_errors(at)
    oof = json.loads((Path(MAIN).parent.parent / "assets" / "models" / "resnet1d" / "results_ptbxl_cv.json").read_text())
    expected = class_operating_sentences(oof, oof["thresholds"], None)  # the page's thresholds are the model's
    shown = " ".join(m.value for m in at.markdown)
    for cls, sentence in expected.items():
        assert f"**{cls}**: {sentence}" in shown
    assert "are caught" in expected["MI"] and "calls are right" in expected["MI"]
