"""Clinical figures at the operating threshold (ecgcore.metrics.clinical) on the shipped models' stored results."""
from __future__ import annotations

import json

import numpy as np
import pytest

from app.common.loaders import models_dir, shipped_model_names
from ecgcore.metrics.clinical import (MIN_POSITIVES, class_operating_sentences, contradiction, few_positives,
                                      leader_sentence, leading_model, operating_point, operating_points,
                                      operating_sentence, short_operating_text, verdicts)


def stored(name: str, slug: str) -> dict:
    path = models_dir() / name / f"results_{slug}.json"
    assert path.is_file(), f"{path} missing: the shipped models' stored results are needed (make train)"
    return json.loads(path.read_text())


def real_slug(name: str) -> str:
    slugs = sorted(p.stem[len("results_"):] for p in (models_dir() / name).glob("results_*.json"))
    real = [s for s in slugs if not s.startswith("synth")]
    assert real, f"no real evaluation set stored for {name}"
    return "ptbxl_cv" if "ptbxl_cv" in real else real[0]


def test_counts_agree_with_the_stored_confusion_matrices_of_every_model():
    for name in shipped_model_names():
        res = stored(name, real_slug(name))
        for cls, op in operating_points(res).items():
            m = res["confusion_per_class"][cls]
            assert (op.tp, op.fp, op.fn, op.tn) == (m["tp"], m["fp"], m["fn"], m["tn"]), (name, cls)
            assert op.positives == res["positives"][cls]
            if op.tp + op.fn:
                assert op.sensitivity == pytest.approx(res["at_thresholds"]["per_class"][cls]["recall"])
            if op.tp + op.fp:
                assert op.ppv == pytest.approx(res["at_thresholds"]["per_class"][cls]["precision"])


def test_undefined_ratios_are_none_not_zero():
    op = operating_point([0, 0, 1], [0.1, 0.2, 0.3], threshold=0.9)  # nothing called positive
    assert (op.tp, op.fp, op.fn, op.tn) == (0, 0, 1, 2)
    assert op.ppv is None and op.sensitivity == 0.0 and op.specificity == 1.0 and op.npv == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        operating_point([0, 1], [0.5], 0.5)


def test_few_positives_and_the_leader_sentence_follow_the_paired_test():
    names = shipped_model_names()
    slug = real_slug(names[0])
    results = {n: stored(n, slug) for n in names}
    first = results[names[0]]
    assert few_positives(first) == {c: n for c, n in first["positives"].items() if n < MIN_POSITIVES}
    lead = leading_model(results, n_boot=500)
    best = max(names, key=lambda n: results[n]["auc"]["macro"])
    assert lead.model == best and set(lead.versus) == set(names) - {best}
    for other, d in lead.versus.items():
        assert d.n_records == first["n_records"] and d.resampled == "patients"
        assert d.difference == pytest.approx(results[best]["auc"]["macro"] - results[other]["auc"]["macro"], abs=1e-4)
    text = leader_sentence(results, "the real set", n_boot=500)
    assert text.startswith(f"On the real set, {best} leads:" if lead.established else "On the real set, no model leads:")


def test_a_leader_is_named_only_when_the_paired_test_separates_it():
    res = stored(shipped_model_names()[0], "ptbxl_cv")
    twin = json.loads(json.dumps(res))  # the same predictions under another name: no difference to find
    text = leader_sentence({"a": res, "b": twin}, "the real set", n_boot=300)
    assert "no model leads" in text and "b +0.000" in text
    rng = np.random.default_rng(0)
    noisy = json.loads(json.dumps(res))  # the same records, probabilities blurred by noise: clearly worse
    P = np.asarray(res["predictions"]["y_prob"]) + rng.normal(0, 0.5, (res["n_records"], len(res["classes"])))
    noisy["predictions"]["y_prob"] = P.tolist()
    noisy["auc"]["macro"] = res["auc"]["macro"] - 0.1  # only its rank is read from the stored figure
    text = leader_sentence({"model": res, "blurred": noisy}, "the real set", n_boot=300)
    assert text.startswith("On the real set, model leads:") and "blurred +0." in text
    fold10 = stored(shipped_model_names()[0], "ptbxl_fold10")  # MI and HYP have fewer than 10 positives there
    few = [c for c, n in fold10["positives"].items() if n < MIN_POSITIVES]
    assert few and "no model leads" in leader_sentence({"a": fold10, "b": json.loads(json.dumps(fold10))}, "fold 10")
    assert "too few positives" in leader_sentence({"a": fold10, "b": json.loads(json.dumps(fold10))}, "fold 10")


def test_operating_sentence_says_how_many_are_caught_and_how_many_calls_are_right():
    res = stored(shipped_model_names()[0], "ptbxl_cv")
    sentences = class_operating_sentences(res, res["thresholds"])
    points = operating_points(res)
    for cls, text in sentences.items():
        op = points[cls]
        assert f"{op.tp} of {op.positives}" in text and f"{op.tp} of {op.tp + op.fp}" in text
        assert f"{int(round(10 * op.sensitivity))} in 10 {cls} are caught" in text
    op = operating_point([1] * 5 + [0] * 20, [0.9] * 3 + [0.1] * 2 + [0.8] * 2 + [0.1] * 18, 0.5)
    assert operating_sentence("MI", op) == ("At this threshold (0.5), out of fold, 6 in 10 MI are caught (3 of 5) and "
                                            "6 in 10 MI calls are right (3 of 5). Only 5 MI records: too few to trust "
                                            "these figures.")
    assert "no record is called MI" in operating_sentence("MI", operating_point([1, 0], [0.1, 0.2], 0.5))
    assert short_operating_text("MI", op) == "MI: 6 in 10 caught (3/5), 6 in 10 calls right (3/5)"
    card = json.loads((models_dir() / shipped_model_names()[0] / "card.json").read_text())
    for cls, v in card["metrics"]["ptbxl_cv"]["at_thresholds"].items():  # what the PDF report prints
        assert (v["tp"], v["fp"], v["fn"], v["tn"]) == (points[cls].tp, points[cls].fp, points[cls].fn, points[cls].tn)


def test_verdicts_mark_outcomes_and_flag_norm_with_another_class():
    found = verdicts(["NORM", "MI", "STTC"], [0.8, 0.6, 0.1], [0.5, 0.5, 0.5], truth=("MI",))
    assert [v.outcome for v in found] == ["FP", "TP", "TN"]
    assert "NORM" in contradiction(found) and "MI" in contradiction(found)
    assert [v.outcome for v in verdicts(["NORM"], [0.2], [0.5], truth=None)] == [None]
    assert contradiction(verdicts(["NORM", "MI"], [0.9, 0.1], [0.5, 0.5], None)) is None
    assert np.isclose(found[0].probability, 0.8)
