"""Long records within bounds, by design: every window of a long record is predicted, but the class activation
map, the per-lead map, the beats and the measurements are computed for the window in view only; the class map
is streamed over chunks of windows (bench/bench_io_memory.py --explain measures the time and peak memory)."""
from __future__ import annotations

import numpy as np
import pytest
import wfdb

from ecgcore.core.ecg import ECG
from ecgcore.explain import attribution, record
from ecgcore.explain.gradcam import record_cam
from ecgcore.models import load_model
from ecgcore.core.settings import resolve

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def real_10s() -> ECG:
    root = resolve().require_data_root()  # fails, naming ECG_DATA_ROOT, when there is no data root
    r = wfdb.rdrecord(str(root / "ptbxl" / "records500" / "00000" / "00001_hr"))
    return ECG(signal=r.p_signal.T.astype(np.float32), fs=500.0, record_id="ptbxl/00001", source="ptbxl")


@pytest.fixture(scope="module")
def model():
    return load_model("resnet1d", resolve().models_dir)


def test_per_lead_attribution_is_computed_for_the_window_in_view_only(real_10s, model, monkeypatch):
    long = real_10s.with_signal(np.tile(real_10s.signal, (1, 9)), record_id="long")  # 90 s, real beats
    attributed: list[int] = []
    real_call = attribution.network_attribution

    def counting(net, windows, *args, **kwargs):
        attributed.append(len(windows))
        return real_call(net, windows, *args, **kwargs)

    monkeypatch.setattr(attribution, "network_attribution", counting)
    ex = record.explain_record(long, model, ig_steps=4, view_s=(20.0, 30.0))
    starts = model.window_starts(int(long.duration * model.fs)) / model.fs
    in_view = int(np.sum((starts < 30.0) & (starts + model.score_window_s > 20.0)))
    assert sum(attributed) == in_view < len(starts) / 5  # the windows overlapping the view, not the record's
    assert ex.per_lead_span_s == (20.0, 30.0)
    fs = long.fs
    assert np.abs(ex.per_lead[:, int(21 * fs):int(29 * fs)]).sum() > 0
    assert not ex.per_lead[:, : int(15 * fs)].any() and not ex.per_lead[:, int(35 * fs):].any()
    assert ex.cam is not None and ex.cam.shape == (len(model.classes), long.n_samples)
    assert np.abs(ex.cam[:, int(21 * fs):int(29 * fs)]).sum() > 0  # the class map: the view's windows only
    assert not ex.cam[:, : int(15 * fs)].any() and not ex.cam[:, int(35 * fs):].any()
    # the predictions still cover every window of the whole record
    assert ex.window_probabilities.shape == (len(starts), len(model.classes))
    np.testing.assert_allclose(ex.probabilities, model.predict_proba(long)[0], rtol=1e-5, atol=1e-6)
    assert ex.beats.ok and (ex.beats.rpeaks >= 20 * fs).all() and (ex.beats.rpeaks < 30 * fs).all()


def test_short_record_keeps_its_whole_per_lead_map(real_10s, model):
    ex = record.explain_record(real_10s, model, ig_steps=4)
    assert ex.per_lead_span_s is None and np.abs(ex.per_lead).sum(axis=1).min() > 0
    # the probabilities are the model's own, from the windows the maps are made from (3 of 5 s in 10 s)
    assert ex.window_probabilities.shape == (3, len(model.classes))
    np.testing.assert_allclose(ex.probabilities, model.predict_proba(real_10s)[0], rtol=1e-5, atol=1e-6)


def test_class_map_in_chunks_equals_the_one_call_map(real_10s, model):
    prepared = model.prepare(real_10s)
    streamed, logits, starts = record_cam(model, prepared, "last", "hirescam", chunk=3)  # several chunks
    whole, logits_whole, starts_whole = record_cam(model, prepared, "last", "hirescam", chunk=10_000)
    np.testing.assert_allclose(streamed, whole, rtol=1e-4, atol=1e-4 * np.abs(whole).max())
    np.testing.assert_allclose(logits, logits_whole, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(starts, starts_whole)


def test_viewer_pages_through_a_long_upload_10_s_at_a_time(real_10s):
    import io
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    buf = io.BytesIO()
    np.save(buf, np.tile(real_10s.signal, (1, 6)))  # 60 s of a real record
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app" / "main.py"), default_timeout=180)
    at.switch_page("views/upload.py").run()
    at.number_input(key="upload_fs").set_value(500).run()
    at.file_uploader[0].set_value([("long.npy", buf.getvalue(), "application/octet-stream")]).run()
    at.switch_page("views/viewer.py").run()

    def shown() -> str:
        return next(c.value for c in at.caption if c.value.startswith("Showing"))

    assert shown() == "Showing 0-10 s of 60 s (page 1 of 6)"
    at.button(key="viewer_page_next").click().run()
    at.button(key="viewer_page_next").click().run()
    assert shown() == "Showing 20-30 s of 60 s (page 3 of 6)" and not at.exception
    at.button(key="viewer_page_prev").click().run()
    assert shown() == "Showing 10-20 s of 60 s (page 2 of 6)"


def test_kernel_model_gets_lead_evidence_for_the_window_in_view_only(real_10s):
    kernel = load_model("kernel", resolve().models_dir)
    long = real_10s.with_signal(np.tile(real_10s.signal, (1, 9)), record_id="long")  # 90 s
    ex = record.explain_record(long, kernel, view_s=(30.0, 40.0))
    fs = long.fs
    assert ex.per_lead_method == "evidence" and ex.per_lead_span_s == (30.0, 40.0)
    assert np.abs(ex.per_lead[:, int(31 * fs):int(39 * fs)]).sum() > 0
    assert not ex.per_lead[:, : int(29 * fs)].any() and not ex.per_lead[:, int(41 * fs):].any()


def test_kept_predictions_give_the_same_explanation_without_predicting_again(real_10s, model, monkeypatch):
    long = real_10s.with_signal(np.tile(real_10s.signal, (1, 9)), record_id="long")
    kept = record.predict_record(long, model)
    fresh = record.explain_record(long, model, ig_steps=4, view_s=(40.0, 50.0))

    def no_second_pass(*_args, **_kwargs):
        raise AssertionError("predicted the whole record again")

    monkeypatch.setattr(record, "predict_record", no_second_pass)
    paged = record.explain_record(long, model, ig_steps=4, view_s=(40.0, 50.0), predictions=kept)
    np.testing.assert_allclose(paged.probabilities, fresh.probabilities)
    np.testing.assert_allclose(paged.window_probabilities, fresh.window_probabilities)
    np.testing.assert_allclose(paged.cam, fresh.cam)
