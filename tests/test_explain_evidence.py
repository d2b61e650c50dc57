"""Lead evidence on real PTB-XL records with the shipped weights: faithful by construction (the model's own
output on the changed input), zero for a lead the model cannot see, small for a normal beat on a NORM record;
and one class-activation-map implementation behind every caller."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from ecgcore.core.ecg import ECG
from ecgcore.core.labels import SUPERCLASSES
from ecgcore.core.leads import LEAD_GROUPS, LEADS
from ecgcore.core.settings import resolve
from ecgcore.explain import evidence as ev_mod
from ecgcore.explain import gradcam, record
from ecgcore.explain.evidence import GROUPS, compare_with_statements, lead_evidence, template_signal
from ecgcore.models import load_model
from ecgcore.signal.peaks import find_beats

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def resnet():
    return load_model("resnet1d", resolve().models_dir)


def _ecg(real, i: int) -> ECG:
    return ECG(signal=real.signals[i], fs=100.0, record_id=real.record_ids[i], source="ptbxl")


def _rpeaks(ecg: ECG) -> np.ndarray:
    beats = find_beats(ecg)
    assert beats.ok, f"{ecg.record_id}: no beats"
    return beats.rpeaks


def _norm_records(real, fold: int, n: int) -> list[int]:
    norm = SUPERCLASSES.index("NORM")
    out = [i for i in range(len(real.record_ids)) if real.folds[i] == fold and real.Y[i, norm] and real.Y[i].sum() == 1]
    assert len(out) >= n, f"fold {fold} has only {len(out)} NORM records"
    return out[:n]


def test_evidence_is_the_models_own_probability_change(real, resnet):
    i = _norm_records(real, 9, 1)[0]
    ecg = _ecg(real, i)
    prepared = resnet.prepare(ecg)
    ev = lead_evidence(resnet, prepared, _rpeaks(ecg))
    assert ev.per_lead.shape == (12, 5) and ev.per_group.shape == (len(GROUPS), 5) and ev.groups == GROUPS
    np.testing.assert_allclose(ev.probabilities, resnet.predict_proba(ecg)[0], rtol=1e-5, atol=1e-6)
    # the probabilities the caller already has are not predicted again, and change nothing
    given = lead_evidence(resnet, prepared, _rpeaks(ecg), probabilities=resnet.predict_proba(ecg)[0])
    np.testing.assert_allclose(given.per_lead, ev.per_lead, atol=1e-6)
    np.testing.assert_allclose(given.per_group, ev.per_group, atol=1e-6)
    # replacing V2 by hand gives the same change
    changed = prepared.signal.copy()
    v2 = LEADS.index("V2")
    changed[v2] = template_signal(_rpeaks(ecg), prepared.n_samples, prepared.fs)[v2]
    expected = ev.probabilities - resnet.predict_proba(changed[None])[0]
    np.testing.assert_allclose(ev.per_lead[v2], expected, atol=1e-6)
    assert ev.replacement == "template"


def test_a_lead_the_model_cannot_see_carries_no_evidence(real, resnet):
    blind = copy.deepcopy(resnet)
    hidden = [LEADS.index(lead) for lead in LEAD_GROUPS["inferior"]]
    first_conv = next(m for m in blind.net.modules() if isinstance(m, torch.nn.Conv1d))
    with torch.no_grad():
        first_conv.weight[:, hidden, :] = 0.0  # II, III, aVF never reach the network
    mi = [i for i in range(len(real.record_ids)) if real.folds[i] == 10 and real.Y[i, SUPERCLASSES.index("MI")]][:2]
    for i in mi:
        ecg = _ecg(real, i)
        ev = lead_evidence(blind, blind.prepare(ecg), _rpeaks(ecg))
        assert np.abs(ev.per_lead[hidden]).max() < 1e-6
        assert np.abs(ev.per_group[list(ev.groups).index("inferior")]).max() < 1e-6
        assert np.abs(ev.per_lead).max() > 1e-3  # the leads it sees still count


def test_a_normal_beat_in_place_of_a_lead_changes_little_on_norm_records(real, resnet):
    changes = {"template": [], "mean": []}
    for i in _norm_records(real, 9, 6):
        ecg = _ecg(real, i)
        prepared = resnet.prepare(ecg)
        for repl in changes:
            ev = lead_evidence(resnet, prepared, _rpeaks(ecg), replacement=repl, groups={})
            changes[repl].append(np.abs(ev.per_lead))
    template, flat = np.mean(changes["template"]), np.mean(changes["mean"])
    assert template < 0.03, f"the NORM template moves NORM records by {template:.3f} on average"
    assert template < flat, f"template {template:.4f} is not closer to the data than a flat lead {flat:.4f}"


def test_template_sits_at_each_r_peak_and_is_flat_without_beats():
    fs = 250.0
    rpeaks = np.array([100, 300, 480, 700])
    sig = template_signal(rpeaks, 900, fs)
    tpl, r = ev_mod._template_at(fs, str(ev_mod.TEMPLATE_PATH))
    np.testing.assert_allclose(sig[:, rpeaks], np.repeat(tpl[:, r:r + 1], len(rpeaks), axis=1))
    assert not template_signal(np.array([], dtype=int), 500, fs).any()


def test_statement_leads_are_compared_with_the_evidence_leads(real, resnet):
    class Statement:
        def __init__(self, text, leads):
            self.text, self.leads = text, leads

    i = _norm_records(real, 9, 1)[0]
    ecg = _ecg(real, i)
    ev = lead_evidence(resnet, resnet.prepare(ecg), _rpeaks(ecg))
    cls = "MI"
    top = ev.evidence_leads(cls, 3)
    named = ("II", "III", "aVF")
    matches = compare_with_statements(ev, cls, [Statement("a", named), Statement("b", ()), Statement("c", ("aVR",))])
    assert [m.text for m in matches] == ["a", "c"]
    assert matches[0].evidence_leads == tuple(top)
    assert matches[0].shared == tuple(lead for lead in top if lead in named)
    assert matches[0].agrees == bool(matches[0].shared)
    assert ev.summary(cls).startswith(f"{cls} evidence: ")


def test_criteria_statements_of_a_real_inferior_q_wave_record_are_compared(resnet):
    from ecgcore.data.catalogue import load_record
    from ecgcore.interpret import interpret

    ecg = load_record("ptbxl/09739")  # IMI; the criteria find Q waves in II and aVF
    statements = interpret(ecg).statements
    ex = record.explain_record(ecg, resnet, "MI", ig_steps=4)
    matches = compare_with_statements(ex.evidence, "MI", statements)
    infarct = [s for s in statements if s.category == "infarct" and s.leads]
    assert infarct, "the criteria found no infarct statement with leads on ptbxl/09739"
    assert [m.text for m in matches] == [s.text for s in infarct]  # bundle-branch, axis... left out for MI
    for m, s in zip(matches, infarct):
        assert m.leads == tuple(s.leads) and set(m.shared) == set(m.leads) & set(ex.evidence.evidence_leads("MI"))


def test_one_class_activation_map_implementation(real, resnet):
    assert not hasattr(gradcam, "record_gradcam") and not hasattr(record, "streamed_gradcam")
    ecg = _ecg(real, _norm_records(real, 9, 1)[0])
    ex = record.explain_record(ecg, resnet, "MI", ig_steps=4)
    cam, _, _ = gradcam.record_cam(resnet, resnet.prepare(ecg), ex.cam_layer, ex.cam_method)
    np.testing.assert_allclose(ex.cam, cam, rtol=1e-5, atol=1e-6)
    assert ex.cam_method == "hirescam" and ex.evidence is not None
    assert ex.to_json()["lead_evidence"]["replacement"] == "template"


def test_report_names_the_map_drawn_and_carries_the_lead_evidence(real, resnet):
    from ecgcore.plot.report import _page_details, build_report

    i = [i for i in range(len(real.record_ids)) if real.folds[i] == 10 and real.Y[i, SUPERCLASSES.index("MI")]][0]
    ecg = _ecg(real, i)
    ex = record.explain_record(ecg, resnet, "MI", ig_steps=4)
    method = "which leads, and when, carried evidence for MI (Integrated Gradients)"
    texts = [t.get_text() for t in _page_details(ecg, ex, None, ex.analysis, method).texts]
    assert any(ex.evidence.summary("MI") in t for t in texts)
    assert any(method in t for t in texts) and not any("Grad-CAM" in t or "orange" in t for t in texts)
    png = build_report(ecg, explanation=ex, saliency=np.zeros(ecg.n_samples), analysis=ex.analysis, fmt="png",
                       saliency_method=method)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
