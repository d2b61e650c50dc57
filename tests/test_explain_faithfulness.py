"""Do the trained models' explanations mean something? Adebayo sanity, deletion, lesion overlap, kernel model.

These need the shipped weights (assets/models, or $ECG_MODELS_DIR as the app reads): where a model's weights are
missing its tests FAIL and say so (a broken models folder must show, never skip).
"""
from __future__ import annotations


import numpy as np
import pytest

from ecgcore.core.settings import resolve
from ecgcore.data.catalogue import load_record
from ecgcore.core.ecg import ECG
from ecgcore.explain import explain_record
from ecgcore.explain.attribution import record_attribution
from ecgcore.explain.faithfulness import deletion_drop, lesion_mask, lesion_mass_share, sanity_rank_correlation
from ecgcore.explain.gradcam import DEFAULT_CAM_METHOD, record_cam
from ecgcore.models import create, load_model

#: real records with a clear finding: PTB-XL MI, Challenge LBBB (CD), Georgia RBBB (CD), PTB-XL NORM
RECORDS = ("ptbxl/00008", "cinc/cpsc2018/A1041", "cinc/georgia/E07509", "ptbxl/00001")


def _trained(name: str):
    folder = resolve().models_dir
    if not (folder / name / "card.json").exists():
        pytest.fail(f"no trained {name} weights in {folder}: restore assets/models from git or run `make train`")
    return load_model(name, folder)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def resnet():
    return _trained("resnet1d")


@pytest.fixture(scope="module")
def records() -> list[ECG]:
    return [load_record(r) for r in RECORDS]


def test_maps_of_trained_weights_differ_from_random_weights(resnet, records):
    """Adebayo et al. 2018: a map that explains the model must change when its weights are randomised."""
    random = create("resnet1d", seed=4321, classes=resnet.classes)
    rho_cam, rho_ig, rho_same = [], [], []
    rng = np.random.default_rng(0)
    for ecg in records:
        cam, logits, _ = record_cam(resnet, resnet.prepare(ecg), method=DEFAULT_CAM_METHOD)
        k = int(np.argmax(logits.max(axis=0)))
        rcam, _, _ = record_cam(random, random.prepare(ecg), method=DEFAULT_CAM_METHOD)
        rho_cam.append(sanity_rank_correlation(cam[k], rcam[k]))
        ig = record_attribution(resnet, resnet.prepare(ecg), k, "ig", n_steps=8)
        rho_ig.append(sanity_rank_correlation(ig, record_attribution(random, random.prepare(ecg), k, "ig", n_steps=8)))
        # control: the same weights on the record plus faint noise give nearly the same map
        noisy = ecg.with_signal(ecg.signal + rng.normal(0, 0.005, ecg.signal.shape).astype(np.float32))
        rho_same.append(sanity_rank_correlation(cam[k], record_cam(resnet, resnet.prepare(noisy), method=DEFAULT_CAM_METHOD)[0][k]))
    assert np.mean(rho_same) > 0.9
    assert np.mean(np.abs(rho_cam)) < 0.5 and np.mean(np.abs(rho_ig)) < 0.5


def test_removing_the_most_salient_segments_lowers_the_probability_more_than_random(resnet, records):
    top, rand = [], []
    for ecg in records:
        ex = explain_record(ecg, resnet, attribution="saliency")
        k = ex.target_index
        d_top, d_rand = deletion_drop(ecg, ex.cam[k], lambda e: float(resnet.predict_proba(e)[0, k]),
                                      fraction=0.2, random_draws=8)
        top.append(d_top)
        rand.append(d_rand)
    assert np.mean(top) > np.mean(rand) + 0.02


def test_class_maps_sit_on_simulated_lesions(resnet):
    """Records simulated with one strong finding: the class's positive map mass lies on its lesion windows
    well above the share of time they cover."""
    from ecgcore.synth import make_spec, simulate_record

    cases = {"MI": ("ASMI", "IMI"), "CD": ("CLBBB", "CRBBB"), "STTC": ("ISCAL", "NDT")}
    shares, times = [], []
    for cls, statements in cases.items():
        for j, stmt in enumerate(statements):
            rec = simulate_record(make_spec({stmt: 0.9}, seed=11, ecg_id=1 + j), rates=(100,))
            ecg = ECG(rec.signals[100].astype(np.float32), 100.0, f"sim/{stmt}", "synthetic")
            mask = lesion_mask(rec.lesions, cls, ecg.n_samples, ecg.fs)
            cam, _, _ = record_cam(resnet, resnet.prepare(ecg), method=DEFAULT_CAM_METHOD)
            share, time_share = lesion_mass_share(cam[resnet.classes.index(cls)], mask)
            shares.append(share)
            times.append(time_share)
    assert np.nanmean(shares) > np.mean(times) + 0.15


def test_kernel_model_gets_lead_evidence_and_no_class_map(records):
    from ecgcore.core.leads import LEADS
    from ecgcore.explain.evidence import template_signal

    kernel = _trained("kernel")
    ecg = records[0]
    ex = explain_record(ecg, kernel, "MI")
    assert ex.cam is None and ex.cam_method is None and any("not available" in n for n in ex.notes)
    assert ex.per_lead_method == "evidence" and ex.per_lead.shape == (12, ecg.n_samples)
    assert np.allclose(ex.per_lead, ex.per_lead[:, :1])  # one value per lead: which leads, not when
    np.testing.assert_allclose(ex.probabilities, kernel.predict_proba(ecg)[0], rtol=1e-6)
    # lead II replaced by the NORM template at the record's beats, by hand: the map is that logit change
    prepared = kernel.prepare(ecg)
    rpeaks = np.round(ex.beats.rpeaks * kernel.fs / ecg.fs).astype(int)
    changed = prepared.signal.copy()
    ii = LEADS.index("II")
    changed[ii] = template_signal(rpeaks, prepared.n_samples, prepared.fs)[ii]
    p = np.clip(kernel.predict_proba(changed[None])[0, 1], 1e-6, 1 - 1e-6)
    q = np.clip(ex.probabilities[1], 1e-6, 1 - 1e-6)
    drop = np.log(q / (1 - q)) - np.log(p / (1 - p))  # logit change when lead II shows a normal beat
    assert ex.per_lead[ii, 0] * ecg.duration == pytest.approx(drop, rel=1e-3, abs=1e-5)
    assert ex.beat_scores is None and ex.beats.ok and ex.analysis.value("HR") > 0


def test_lstm_per_lead_integrated_gradients(records):
    lstm = _trained("lstm")
    ecg = records[0]
    ex = explain_record(ecg, lstm, "MI", ig_steps=8)
    assert ex.per_lead_method == "ig" and ex.per_lead.shape == (12, ecg.n_samples)
    assert np.isfinite(ex.per_lead).all() and np.abs(ex.per_lead).sum() > 0
    assert ex.cam.shape == (5, ecg.n_samples)
