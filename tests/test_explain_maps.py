"""Grad-CAM and per-lead maps: stitching across windows, shapes at the record's rate, units, cache.

These use untrained networks from `create(...)` (shapes and arithmetic don't need training); the checks that
need trained weights are in test_explain_faithfulness.py.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from ecgcore.data.catalogue import load_record
from ecgcore.core.ecg import ECG
from ecgcore.core.errors import ECGError, ECGSignalError, UnknownNameError
from ecgcore.explain import explain_record
from ecgcore.explain.attribution import network_attribution
from ecgcore.explain.gradcam import DEFAULT_CAM_METHOD, check_no_inplace, cam_layer, cam_windows
from ecgcore.explain.stitch import stitch_windows, to_rate
from ecgcore.models import create
from ecgcore.plot.saliency import display_map
from ecgcore.signal.resample import ecg_resample


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def long_record() -> ECG:
    """38 s of a real ptbdb record (1000 Hz, MI patient): 30 overlapping model windows."""
    ecg = load_record("ptbdb/patient096/s0379lre")
    return ecg.with_signal(ecg.signal[:, : int(38 * ecg.fs)])


@pytest.fixture(scope="module")
def record() -> ECG:
    return load_record("ptbxl/00008")  # MI, 500 Hz, 10 s


def test_stitching_averages_overlaps_and_covers_every_sample():
    starts = np.array([0, 5, 10])
    values = np.stack([np.full(10, 1.0), np.full(10, 3.0), np.full(10, 5.0)])
    out = stitch_windows(values, starts, 20)
    np.testing.assert_allclose(out, [1] * 5 + [2] * 5 + [4] * 5 + [5] * 5)
    assert stitch_windows(values[None], starts, 20).shape == (1, 20)
    gap = stitch_windows(values[:2], starts[:2], 20)
    assert np.isnan(gap[15:]).all() and not np.isnan(gap[:15]).any()
    with pytest.raises(ValueError):
        stitch_windows(values, starts, 12)


def test_rate_change_keeps_time_alignment():
    fs_in, fs_out = 100.0, 500.0
    t_in = np.arange(250) / fs_in
    ramp = 2.0 * t_in
    out = to_rate(ramp, fs_in, 1250, fs_out)
    t_out = np.arange(1250) / fs_out
    inside = t_out <= t_in[-1]
    np.testing.assert_allclose(out[inside], 2.0 * t_out[inside], atol=1e-12)
    assert out[-1] == pytest.approx(ramp[-1])  # held at the end


def test_gradcam_on_a_38_s_record_is_one_continuous_map_at_the_record_rate(long_record):
    model = create("resnet1d", seed=1)
    ex = explain_record(long_record, model, "MI", attribution="saliency")
    assert ex.fs == 1000.0 and ex.n_samples == 38000
    assert ex.cam.shape == (5, 38000) and ex.per_lead.shape == (12, 38000)
    assert np.isfinite(ex.cam).all() and np.isfinite(ex.per_lead).all()
    # probabilities and map from the same 15 windows of 5 s, every 2.36 s (3,300 samples / 14 steps)
    em = ecg_resample(long_record, 100.0)
    starts = model.window_starts(em.n_samples)
    assert len(starts) == 15 and starts[1] == 236 and starts[-1] == 3800 - 500
    np.testing.assert_allclose(ex.window_starts_s, starts / 100.0)
    # continuity: no jump where a window starts or ends that is larger than the map's steps elsewhere
    step = np.abs(np.diff(ex.cam, axis=1))
    edges = np.unique(np.concatenate([starts, starts + 500]) * 10).astype(int)
    edges = edges[(edges > 0) & (edges < 37999)]
    inner = np.delete(step, np.concatenate([edges - 1, edges]), axis=1)
    assert step[:, edges - 1].max() <= inner.max() + 1e-9
    # the stitched map is the average of the per-window maps wherever they overlap
    windows = torch.from_numpy(model.standardise(model.windows(em.signal, starts)))
    cam, _ = cam_windows(model.net, cam_layer(model), windows, range(5), 5.0, ex.cam_method)
    t = 3.0  # seconds: inside windows 0 (0-5 s) and 1 (2.36-7.36 s) only
    i = int(t * 100)
    expected = (cam[:, 0, i] + cam[:, 1, i - starts[1]]) / 2
    np.testing.assert_allclose(ex.cam[:, int(t * 1000)], expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ["resnet1d", "inception1d", "lstm"])
def test_explanation_shapes_and_predictions_match_the_model(record, name):
    model = create(name, seed=0)
    ex = explain_record(record, model, attribution="ig", ig_steps=4)
    n = record.n_samples
    assert ex.cam.shape == (5, n) and ex.per_lead.shape == (12, n) and ex.cam_layer == "last"
    assert ex.cam_method == DEFAULT_CAM_METHOD
    np.testing.assert_allclose(ex.probabilities, model.predict_proba(record)[0], rtol=1e-5, atol=1e-6)
    assert ex.target == model.classes[int(np.argmax(ex.probabilities))]
    assert ex.beats.ok and ex.beat_scores.mass.shape == (ex.beats.n, 5)
    assert sorted(ex.beat_scores.ranking.tolist()) == list(range(ex.beats.n))
    # the beat averages lie on the median beat the app draws (the analysis's, at the record's rate)
    length = ex.median_beat.shape[1]
    assert ex.mean_beat_per_lead.shape == (12, length) and ex.mean_beat_cam.shape == (5, length)
    assert ex.median_r == round(ex.analysis.median_r * record.fs / ex.analysis.analysis_fs)
    assert np.isfinite(ex.mean_beat_per_lead).all() and np.abs(ex.mean_beat_per_lead).max() > 0
    shown = display_map(ex.cam, "fixed", ex.cam_method)
    assert ex.cam_relu.min() >= 0 and 0 <= shown.min() <= shown.max() <= 1
    summary = ex.to_json()
    assert summary["rpeaks"] == ex.beats.rpeaks.tolist() and len(summary["beats"]) == ex.beats.n
    assert set(summary["timings_ms"]) >= {"predict", "cam", "per_lead", "evidence", "analysis", "total"}


@pytest.mark.parametrize("name,layer,method", [("resnet1d", "last", "gradcam"), ("inception1d", "early", "hirescam"),
                                               ("lstm", "last", "gradcam")])
def test_all_classes_in_one_call_equal_captums_per_class_grad_cam(record, name, layer, method):
    from captum.attr import LayerAttribution, LayerGradCam, LayerGradientXActivation

    model = create(name, seed=7)
    x = model.net_input(ecg_resample(record, 100.0))[:3]
    module = cam_layer(model, layer)
    cam, logits = cam_windows(model.net, module, x, range(5), 2.5, method)
    for k in range(5):
        if method == "gradcam":
            ref = LayerGradCam(model.net, module).attribute(x, target=k)
        else:
            ref = LayerGradientXActivation(model.net, module).attribute(x, target=k).sum(dim=1, keepdim=True)
        up = LayerAttribution.interpolate(ref, (x.shape[-1],), interpolate_mode="linear")[:, 0].detach().numpy()
        np.testing.assert_allclose(cam[k], up * ref.shape[-1] / 2.5, rtol=1e-4, atol=1e-5 * np.abs(up).max() * ref.shape[-1])
    with torch.no_grad():
        np.testing.assert_allclose(logits, model.net(x).numpy(), rtol=1e-5, atol=1e-6)


def test_integrated_gradients_add_up_to_the_logit_change(record):
    model = create("resnet1d", seed=3)
    x = model.net_input(ecg_resample(record, 100.0))[:3]
    attr = network_attribution(model.net, x, target=1, fs=100.0, method="ig", n_steps=32)
    with torch.no_grad():
        delta = (model.net(x)[:, 1] - model.net(torch.zeros_like(x))[:, 1]).numpy()
    np.testing.assert_allclose(attr.sum(axis=(1, 2)) / 100.0, delta, rtol=0.02, atol=1e-4)  # logits/s x s


def test_grad_cam_refuses_in_place_layers_and_models_without_convolutions():
    net = torch.nn.Sequential(torch.nn.Conv1d(12, 4, 3), torch.nn.ReLU(inplace=True))
    with pytest.raises(ECGError, match="in place"):
        check_no_inplace(net)

    class Features:
        name = "kernel"
        cam_layers = None

    with pytest.raises(ECGError, match="not available"):
        cam_layer(Features())
    with pytest.raises(UnknownNameError, match="last"):
        cam_layer(create("resnet1d"), "middle")


def test_a_model_name_is_loaded_from_models_dir_for_the_call(tmp_path, record):
    saved = create("resnet1d", seed=5)
    saved.save(tmp_path / "resnet1d")
    a = explain_record(record, "resnet1d", "MI", models_dir=tmp_path, attribution="saliency")
    same = explain_record(record, saved, "MI", attribution="saliency")  # the object it was saved from
    np.testing.assert_allclose(a.probabilities, same.probabilities, rtol=1e-5)
    np.testing.assert_allclose(a.cam, same.cam, rtol=1e-4, atol=1e-6)
    b = explain_record(record, "resnet1d", "STTC", models_dir=tmp_path, attribution="saliency")
    assert b is not a and b.target == "STTC"
    np.testing.assert_allclose(a.cam, b.cam)  # Grad-CAM covers every class either way
    changed = record.with_signal(record.signal * 1.1)  # same record id, different signal
    c = explain_record(changed, "resnet1d", "MI", models_dir=tmp_path, attribution="saliency")
    assert not np.allclose(c.probabilities, a.probabilities)
    with pytest.raises(UnknownNameError, match="NORM, MI"):
        explain_record(record, "resnet1d", "AFIB", models_dir=tmp_path)


def test_too_short_record_is_a_typed_error(record):
    short = record.with_signal(record.signal[:, : int(2.0 * record.fs)])
    with pytest.raises(ECGSignalError, match="2.5"):
        explain_record(short, create("resnet1d"))


def test_flat_record_is_explained_with_no_beats(record):
    flat = record.with_signal(np.zeros_like(record.signal))
    ex = explain_record(flat, create("resnet1d"), attribution="saliency")
    assert ex.beats.n == 0 and ex.beat_scores is None and ex.top_beats() == []
    assert any("flat" in n for n in ex.notes) and ex.analysis.value("HR") is None
    assert ex.to_json()["beats_reason"].startswith("no beats found")
    assert np.isnan(ex.median_beat).all()


def test_the_callers_analysis_of_the_record_is_reused_and_another_records_is_not(record):
    from ecgcore.signal.analysis import analyse_record

    model = create("resnet1d", seed=0)
    own = analyse_record(record)
    ex = explain_record(record, model, attribution="saliency", evidence=False, analysis=own)
    assert ex.analysis is own  # not analysed a second time
    fresh = explain_record(record, model, attribution="saliency", evidence=False)
    np.testing.assert_array_equal(fresh.analysis.rpeaks, own.rpeaks)
    np.testing.assert_allclose(ex.mean_beat_per_lead, fresh.mean_beat_per_lead)
    other = analyse_record(load_record("ptbxl/00001"))  # another record's: never stands in for this one's
    ex_other = explain_record(record, model, attribution="saliency", evidence=False, analysis=other)
    assert ex_other.analysis is not other and ex_other.analysis.record_id == record.record_id
    np.testing.assert_array_equal(ex_other.analysis.rpeaks, own.rpeaks)
