"""Clinical figures at the operating threshold (ecgcore.metrics.clinical) on the shipped models' stored results."""
from __future__ import annotations

import json

import numpy as np
import pytest

from app.common.loaders import models_dir, shipped_model_names
from ecgcore.metrics.clinical import (MIN_POSITIVES, contradiction, few_positives, leader_sentence, leading_model,
                                      operating_point, operating_points, verdicts)


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


def test_few_positives_and_the_leader_sentence_follow_the_stored_figures():
    names = shipped_model_names()
    slug = real_slug(names[0])
    results = {n: stored(n, slug) for n in names}
    first = results[names[0]]
    assert few_positives(first) == {c: n for c, n in first["positives"].items() if n < MIN_POSITIVES}
    lead = leading_model(results)
    best = max(names, key=lambda n: results[n]["auc"]["macro"])
    assert lead.model == best
    assert set(lead.overlapping) | set(lead.separated) | set(lead.without_ci) == set(names) - {best}
    lo, hi = results[best]["auc"]["macro_ci95"]
    for other in lead.overlapping:
        olo, ohi = results[other]["auc"]["macro_ci95"]
        assert ohi >= lo and hi >= olo
    text = leader_sentence(results, "the real set")
    assert text.startswith(f"On the real set, {best} has the highest macro AUC, {results[best]['auc']['macro']:.3f}")
    assert ("overlaps" in text) == bool(lead.overlapping)


def test_verdicts_mark_outcomes_and_flag_norm_with_another_class():
    found = verdicts(["NORM", "MI", "STTC"], [0.8, 0.6, 0.1], [0.5, 0.5, 0.5], truth=("MI",))
    assert [v.outcome for v in found] == ["FP", "TP", "TN"]
    assert "NORM" in contradiction(found) and "MI" in contradiction(found)
    assert [v.outcome for v in verdicts(["NORM"], [0.2], [0.5], truth=None)] == [None]
    assert contradiction(verdicts(["NORM", "MI"], [0.9, 0.1], [0.5, 0.5], None)) is None
    assert np.isclose(found[0].probability, 0.8)
