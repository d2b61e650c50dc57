"""Nested cross-validation (`ecgcore.learn.nested`) on a small real PTB-XL subset (5 records per fold, 2 NORM) with two
short candidate recipes of the real set of recipes (the shipped one among them, epochs cut to 1): each split
chooses the best validation AUC, split 10 is the ablation's choice with the shipped weights' predictions, the
cache resumes without training, and the results document says nested."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from ecgcore.core.settings import resolve
from ecgcore.data.evalsets import ptbxl_set
from ecgcore.learn import nested
from ecgcore.core.errors import ECGError
from ecgcore.learn.ensemble import nested_members, nested_thresholds
from ecgcore.learn.figures import cv_document
from ecgcore.learn.protocol import RECIPES, choose, merge_rows, split_for
from ecgcore.learn.trainer import Recipe
from ecgcore.models import load_model

pytestmark = [pytest.mark.usefixtures("one_torch_thread"), pytest.mark.slow]  # trains 18 one-epoch candidates

NAME = "resnet1d"


@pytest.fixture(scope="module")
def setting(tmp_path_factory):
    real = ptbxl_set()
    # per fold 2 NORM and 3 other records, so that every validation fold has a scorable class
    norm = real.Y[:, 0] == 1
    small = real.subset(np.concatenate([np.r_[np.flatnonzero((real.folds == f) & norm)[:2],
                                              np.flatnonzero((real.folds == f) & ~norm)[:3]] for f in range(1, 11)]))
    models_dir = resolve().models_dir
    shipped = load_model(NAME, models_dir)
    shipped_recipe = shipped.card().training["recipe"]["name"]
    # the shipped recipe and the pretrained start alone, one epoch each: the real candidates, shortened
    candidates = {r: dataclasses.replace(RECIPES[r], epochs=min(RECIPES[r].epochs, 1), batch_size=16)
                  for r in ("synthetic only", shipped_recipe)}
    cache = tmp_path_factory.mktemp("cache")
    log: list[str] = []
    first = nested.nested_cv(NAME, small, models_dir, shipped, shipped_recipe, candidates, cache, log=log.append)
    return small, models_dir, shipped, shipped_recipe, candidates, cache, first


def test_each_split_chooses_the_best_validation_auc_of_its_candidates(setting):
    small, _, _, _, candidates, _, cv = setting
    assert [s.test_fold for s in cv.splits] == list(range(1, 11)) and cv.trained == 9 * len(candidates)
    for s in cv.splits:
        assert set(s.candidates_val_auc) == set(candidates) and s.val_fold == split_for(s.test_fold)[1]
        assert s.candidates_val_auc[s.chosen] == max(s.candidates_val_auc.values())
        assert set(small.folds[s.test_rows]) == {s.test_fold} and set(small.folds[s.val_rows]) == {s.val_fold}
        np.testing.assert_array_equal(cv.P[s.test_rows], s.P_test)
    assert not np.isnan(cv.P).any() and not np.isnan(cv.P_shipped_recipe).any()


def test_a_cached_candidate_is_the_trained_one(setting):
    small, models_dir, _, _, candidates, cache, cv = setting
    recipe = next(iter(candidates.values()))
    c = nested.candidate(NAME, recipe, small, 3, models_dir, cache, nested.data_key(small))
    assert not c.trained and nested.cache_path(cache, NAME, recipe.name, 3).is_file()
    split = cv.splits[2]
    assert c.val_auc == pytest.approx(split.candidates_val_auc[recipe.name], abs=5e-5)
    if split.chosen == recipe.name:
        np.testing.assert_array_equal(c.P_test, split.P_test)


def test_split_10_is_the_ablations_choice_and_the_shipped_weights(setting):
    small, models_dir, shipped, shipped_recipe, candidates, _, cv = setting
    s10 = cv.splits[-1]
    ablation = nested.ablation_val_aucs(NAME, models_dir)
    assert s10.chosen == shipped_recipe and s10.candidates_val_auc == {r: ablation[r] for r in candidates}
    fold10 = np.flatnonzero(small.folds == 10)
    np.testing.assert_allclose(cv.P[fold10], shipped.predict_proba(small.array()[fold10]), atol=1e-6)
    np.testing.assert_allclose(cv.P_shipped_recipe[fold10], cv.P[fold10])


@pytest.fixture(scope="module")
def doc(setting):
    small, models_dir, shipped, _, candidates, cache, _ = setting
    recipe = Recipe.from_json(shipped.card().training["recipe"])
    return cv_document(NAME, small, models_dir, shipped, recipe, nested=True, n_boot=20, cache_dir=cache,
                       candidates=candidates, log=lambda s: None)


def test_the_second_run_trains_nothing_and_the_results_say_nested(setting, doc):
    small, models_dir, shipped, shipped_recipe, candidates, cache, first = setting
    assert doc["nested"] is True and doc["candidates"] == list(candidates)
    assert doc["chosen_per_split"] == {s.test_fold: s.chosen for s in first.splits}
    assert "fold 10 never chose anything" in doc["provenance"]
    np.testing.assert_allclose(doc["predictions"]["y_prob"], first.P.round(5))
    assert doc["not_nested"]["recipe"] == shipped_recipe
    np.testing.assert_allclose(doc["not_nested"]["y_prob"], first.P_shipped_recipe.round(5))
    again = nested.nested_cv(NAME, small, models_dir, shipped, shipped_recipe, candidates, cache, log=lambda s: None)
    assert again.trained == 0


def test_a_changed_recipe_is_a_cache_miss(setting):
    small, models_dir, _, _, candidates, _, _ = setting
    recipe = next(r for r in candidates.values() if r.epochs > 0)
    data = nested.data_key(small)
    key = nested.cache_key(NAME, recipe, data, models_dir)
    assert key != nested.cache_key(NAME, dataclasses.replace(recipe, lr=recipe.lr / 2), data, models_dir)
    assert key != nested.cache_key(NAME, recipe, nested.data_key(small.subset(np.arange(len(small) - 1))),
                                   models_dir)


def test_the_key_follows_the_scoring_rule_and_the_models_own_code():
    from ecgcore.models import model_class, model_names

    for name in (n for n in model_names() if n != "ensemble"):
        modules = nested.key_modules(model_class(name).__module__)
        assert {"ecgcore.models.base", "ecgcore.learn.trainer", model_class(name).__module__} <= set(modules)
        assert "ecgcore.models.card" not in modules
    assert "ecgcore.signal.analysis" in nested.key_modules(model_class("kernel").__module__)


def test_the_ensembles_split_thresholds_come_from_its_members_own_validation_predictions(doc):
    stored = json.loads(json.dumps({"a": doc, "b": doc}))  # as read back from results_ptbxl_cv.json
    assert nested_members(stored)
    # one member twice: the mean is that member, so each split's thresholds are its chosen model's own (max F1 on
    # the same validation fold), up to the 5-decimal rounding of the stored probabilities
    thresholds = nested_thresholds(stored, np.asarray(doc["thresholds_per_fold"][10]))
    for k in range(1, 11):
        np.testing.assert_allclose(thresholds[k], doc["thresholds_per_fold"][k], atol=1e-4)
    with pytest.raises(ECGError, match="not all of one kind"):
        nested_members({"a": doc, "b": {**doc, "nested": False}})


def test_card_models_json_and_wording_read_the_nested_flag_from_the_stored_results(doc, tmp_path):
    import shutil

    from ecgcore.cli.models import describe
    from ecgcore.models import checkpoint
    from ecgcore.models.card import nested_sentence, write_card

    shutil.copytree(resolve().models_dir / NAME, tmp_path / NAME)
    folder = tmp_path / NAME
    flat = {**doc, "nested": False}  # as `evaluate --cv` without --nested writes it
    checkpoint.write_json(folder / "results_ptbxl_cv.json", doc)
    card = write_card(folder, load_model(NAME, tmp_path))
    assert "figure is nested" in card.summary and "NOT nested" not in card.summary
    entry = describe(NAME, tmp_path)["real_out_of_fold"]
    assert entry["nested"] is True and "fold 10 never chose anything" in entry["provenance"]
    assert entry["chosen_per_split"] == {str(k): v for k, v in doc["chosen_per_split"].items()}
    assert entry["not_nested"]["recipe"] == doc["not_nested"]["recipe"] and "y_prob" not in entry["not_nested"]
    assert nested_sentence({NAME: doc}).startswith("The PTB-XL out-of-fold figure is nested")
    assert "not nested" in nested_sentence({NAME: flat}) and "not comparable" in nested_sentence({NAME: doc, "x": flat})


def test_refreshing_stored_figures_keeps_the_nested_provenance(doc):
    from ecgcore.learn.refresh import refresh_results

    stored = json.loads(json.dumps(doc))
    again = refresh_results(stored, n_boot=20)
    for key in ("nested", "provenance", "candidates", "chosen_per_split", "splits"):
        assert again[key] == stored[key], key
    assert again["not_nested"] == stored["not_nested"]  # recomputed from its predictions, same resamples
    assert again["auc"]["macro"] == pytest.approx(stored["auc"]["macro"], abs=1e-4)


def test_the_command_line_refuses_nested_without_cv(capsys):
    from ecgcore.cli import main

    assert main(["evaluate", "--nested", "--model", NAME]) == 2
    assert "--nested goes with --cv" in capsys.readouterr().err


def test_a_shipped_recipe_the_ablation_did_not_choose_is_refused_before_any_training(setting, tmp_path):
    small, models_dir, shipped, _, candidates, _, _ = setting
    with pytest.raises(ECGError, match="the ablation chose"):
        nested.nested_cv(NAME, small, models_dir, shipped, "synthetic only", candidates, tmp_path, log=lambda s: None)
    assert not list(tmp_path.rglob("*.npz"))


def test_an_ablation_over_one_model_keeps_the_other_models_rows():
    stored = json.loads((resolve().models_dir / "ablation.json").read_text())["rows"]
    again = [{**r, "val_fold9_macro_auc": 0.5} for r in stored if r["model"] == "kernel"]
    merged = merge_rows(stored, again)
    assert [r for r in merged if r["model"] != "kernel"] == [r for r in stored if r["model"] != "kernel"]
    assert [r for r in merged if r["model"] == "kernel"] == again
    others = {m: c for m, c in choose(stored).items() if m != "kernel"}
    assert {m: c for m, c in choose(merged).items() if m != "kernel"} == others
