"""The lead-wise model on real PTB-XL records with its shipped weights: its lead contributions add up to its logit
exactly, a lead's contribution depends on that lead alone, it survives a save/load round trip, it is registered
(and not an ensemble member), and every explanation path (class activation map, per-lead map, the strip, the
report) runs on it."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from ecgcore.core.ecg import ECG
from ecgcore.core.labels import SUPERCLASSES
from ecgcore.core.leads import LEADS
from ecgcore.core.settings import resolve
from ecgcore.learn.protocol import LEADWISE_RECIPES, recipes_for
from ecgcore.models import load_model, model_names
from ecgcore.models.ensemble import MEMBERS
from ecgcore.models.leadwise import Leadwise

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def model():
    return load_model("leadwise", resolve().models_dir)


def _mi_record(real) -> ECG:
    """The first fold-10 MI record (never trained on)."""
    mi = SUPERCLASSES.index("MI")
    i = next(i for i in range(len(real.record_ids)) if real.folds[i] == 10 and real.Y[i, mi])
    return ECG(signal=real.signals[i], fs=100.0, record_id=real.record_ids[i], source="ptbxl")


def test_registry_lists_it_and_the_ensemble_does_not_take_it():
    assert "leadwise" in model_names() and "leadwise" not in MEMBERS


def test_contributions_add_up_to_the_logit_exactly(model, real):
    ecg = _mi_record(real)
    prepared = model.prepare(ecg)
    x = torch.from_numpy(model.standardise(prepared.cut(prepared.starts)))
    with torch.inference_mode():
        contributions, weights = model.net.decompose(x)
        logits = model.net(x)
    # per window: bias + sum over leads of weight x score is the logit
    np.testing.assert_allclose((contributions.sum(dim=1) + model.net.bias.detach()).numpy(), logits.numpy(), atol=1e-5)
    assert torch.all(weights >= 0) and torch.all(weights.sum(dim=1) <= 1 + 1e-6)
    # per record: the mean over the scoring windows, the windows the probabilities average over
    con = model.lead_contributions(prepared)
    assert con.contributions.shape == con.weights.shape == (len(model.classes), len(LEADS))
    np.testing.assert_allclose(con.mean_logit, logits.numpy().mean(axis=0), atol=1e-5)
    p_record, p_windows = model.predict_prepared(prepared)
    np.testing.assert_allclose(p_windows, 1 / (1 + np.exp(-logits.numpy().astype(np.float64))), atol=1e-5)
    assert np.isclose(p_record, model.predict_proba(ecg)[0], atol=1e-6).all()


def test_changing_one_lead_moves_only_that_leads_contribution(model, real):
    ecg = _mi_record(real)
    prepared = model.prepare(ecg)
    before = model.lead_contributions(prepared)
    v2 = LEADS.index("V2")
    changed = prepared.signal.copy()
    changed[v2] = -changed[v2] + 0.3  # V2 inverted and shifted: a very different lead
    after = model.lead_contributions(type(prepared)(**{**prepared.__dict__, "signal": changed}))
    others = [i for i in range(len(LEADS)) if i != v2]
    np.testing.assert_allclose(after.contributions[:, others], before.contributions[:, others], atol=1e-6)
    np.testing.assert_allclose(after.weights[:, others], before.weights[:, others], atol=1e-6)
    assert np.abs(after.contributions[:, v2] - before.contributions[:, v2]).max() > 1e-3


def test_save_load_round_trip_keeps_predictions_and_contributions(model, real, tmp_path):
    ecg = _mi_record(real)
    card = model.save(tmp_path / "leadwise")
    assert card.parameters == model.parameter_count() > 0
    loaded = Leadwise.load(tmp_path / "leadwise")
    np.testing.assert_array_equal(loaded.predict_proba(ecg), model.predict_proba(ecg))
    np.testing.assert_array_equal(loaded.thresholds, model.thresholds)
    np.testing.assert_array_equal(loaded.lead_contributions(loaded.prepare(ecg)).contributions,
                                  model.lead_contributions(model.prepare(ecg)).contributions)


def test_its_recipe_is_chosen_between_two_candidates_by_the_nested_cv_and_the_card_says_so(real):
    from ecgcore.cli.models import describe

    models_dir = resolve().models_dir
    card = load_model("leadwise", models_dir).card()  # as shipped (a save elsewhere rewrites a card)
    assert list(recipes_for("leadwise")) == list(LEADWISE_RECIPES) == ["real only (scratch, fixed)",
                                                                       "synthetic + fine-tune"]
    # the shipped recipe is the ablation's choice on fold 9, recorded beside the other models' rows
    ablation = json.loads((models_dir / "ablation.json").read_text())
    assert {r["recipe"] for r in ablation["rows"] if r["model"] == "leadwise"} == set(LEADWISE_RECIPES)
    assert {"resnet1d", "inception1d", "lstm", "kernel"} <= {r["model"] for r in ablation["rows"]}
    assert card.training["recipe"]["name"] == ablation["chosen"]["leadwise"]
    assert json.loads((models_dir / "recipes.json").read_text())["leadwise"] == ablation["chosen"]["leadwise"]
    # the card says when the second candidate came, and that the figure is nested over both
    assert "added AFTER that recipe's figures were seen" in card.trained_on["recipe_candidates"]
    assert "added AFTER" in card.summary and "recipe_fixed" not in card.trained_on
    entry = describe("leadwise")
    assert entry["status"] == "ok" and entry["real_out_of_fold"]["nested"] is True
    stored = json.loads((models_dir / "leadwise" / "results_ptbxl_cv.json").read_text())
    assert stored["nested"] is True and stored["candidates"] == list(LEADWISE_RECIPES)
    assert stored["n_records"] == len(real.record_ids) and len(stored["chosen_per_split"]) == 10
    assert set(stored["chosen_per_split"].values()) <= set(LEADWISE_RECIPES)
    assert stored["chosen_per_split"]["10"] == card.training["recipe"]["name"]
    assert "NOT nested" not in card.summary and "The ptbxl_cv figure is nested" in card.summary


@pytest.mark.slow  # a class activation map, Integrated Gradients, lead evidence and a PDF: a few seconds
def test_explain_record_and_the_report_run_on_it(model, real):
    from ecgcore.explain.record import explain_record
    from ecgcore.plot.report import build_report

    ecg = _mi_record(real)
    ex = explain_record(ecg, model, "MI")
    assert ex.cam is not None and ex.cam.shape == (len(model.classes), ecg.n_samples)
    assert ex.per_lead.shape == (12, ecg.n_samples) and ex.per_lead_method == "ig"
    con = ex.contributions
    assert con is not None and ex.to_json()["lead_contributions"]["summary"] == con.summary("MI")
    assert list(con.lead_changes("MI")) == list(LEADS)
    pdf = build_report(ecg, explanation=ex, card=model.card().to_json())
    assert pdf.startswith(b"%PDF")


@pytest.mark.slow  # an AppTest cold start with a model
def test_predict_page_shows_the_lead_contributions_as_the_strip():
    from tests.test_app_pages import app, figures, goto, no_errors

    at = goto(app(record="ptbxl/00008", model="leadwise", target="MI"), "predict")
    no_errors(at)
    assert any(m.value.startswith("**MI contributions") for m in at.markdown)
    strip = [f for f in figures(at) if "MI logit contribution" in json.dumps(f["layout"])]
    assert strip and [str(y) for y in strip[0]["data"][0]["y"]][:3] == ["I", "II", "III"]
    assert any("beyond what a normal lead adds" in c.value for c in at.caption)
