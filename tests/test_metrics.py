"""Evaluation figures on hand-made examples (worked out by hand) and against scikit-learn."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import multilabel_confusion_matrix, precision_recall_fscore_support, roc_auc_score

from ecgcore.metrics.auc import bootstrap_auc, macro_auc, per_class_auc, rank_auc
from ecgcore.metrics.calibration import reliability
from ecgcore.metrics.confusion import single_label_confusion
from ecgcore.metrics.summary import evaluation_report
from ecgcore.metrics.roc import roc_points
from ecgcore.metrics.thresholds import max_f1_threshold, max_f1_thresholds

# 6 records, 2 classes
Y = np.array([[1, 0], [1, 1], [0, 1], [0, 0], [1, 0], [0, 0]], dtype=np.uint8)
P = np.array([[0.9, 0.2], [0.4, 0.6], [0.35, 0.3], [0.1, 0.4], [0.8, 0.1], [0.7, 0.5]])


def test_auc_by_counting_pairs():
    # class 0: positives .9 .4 .8 vs negatives .35 .1 .7 -> 8 of 9 pairs ordered; class 1: 6 of 8
    assert per_class_auc(Y, P) == pytest.approx([8 / 9, 6 / 8])
    assert macro_auc(Y, P) == pytest.approx((8 / 9 + 6 / 8) / 2)


def test_auc_is_undefined_without_positives_and_left_out_of_the_macro():
    Yc = Y.copy()
    Yc[:, 1] = 0
    assert per_class_auc(Yc, P)[1] is None
    assert macro_auc(Yc, P) == pytest.approx(8 / 9)


def test_figures_at_thresholds_by_hand():
    report = evaluation_report(Y, P, ["A", "B"], [0.5, 0.5], [f"r{i}" for i in range(6)], n_boot=50)
    # A: decisions 1 0 0 0 1 1 -> tp 2, fp 1, fn 1, tn 2; B: 0 1 0 0 0 1 -> tp 1, fp 1, fn 1, tn 3
    assert report["confusion_per_class"] == {"A": {"tn": 2, "fp": 1, "fn": 1, "tp": 2},
                                             "B": {"tn": 3, "fp": 1, "fn": 1, "tp": 1}}
    a, b = report["at_thresholds"]["per_class"]["A"], report["at_thresholds"]["per_class"]["B"]
    assert (a["precision"], a["recall"], a["f1"], a["accuracy"]) == pytest.approx((2 / 3, 2 / 3, 2 / 3, 4 / 6))
    assert (b["precision"], b["recall"], b["f1"], b["accuracy"]) == pytest.approx((0.5, 0.5, 0.5, 4 / 6))
    assert report["at_thresholds"]["macro"]["f1"] == pytest.approx((2 / 3 + 0.5) / 2)
    assert report["at_thresholds"]["macro"]["subset_accuracy"] == pytest.approx(3 / 6)  # records 0, 3 and 4
    assert report["auc"]["macro"] == pytest.approx((8 / 9 + 6 / 8) / 2)
    assert report["predictions"]["record_ids"][2] == "r2" and report["predictions"]["y_prob"][2] == [0.35, 0.3]


def test_single_label_confusion_by_hand():
    # one-class records: r0 (A), r2 (B), r4 (A); most probable class A for all three
    out = single_label_confusion(Y, P, ["A", "B"])
    assert out["matrix"] == [[2, 0], [1, 0]] and out["n_records"] == 3
    assert out["accuracy"] == pytest.approx(2 / 3)


def test_max_f1_threshold_by_hand():
    # class A: threshold 0.4 -> tp 3, fp 1 -> F1 6/7, better than 0.8 (F1 0.8) or 0.35 (F1 0.75)
    assert max_f1_threshold(Y[:, 0], P[:, 0]) == pytest.approx(0.4)
    assert max_f1_thresholds(np.zeros((4, 1), np.uint8), np.random.rand(4, 1)).tolist() == [0.5]


def test_expected_calibration_error_by_hand():
    out = reliability(np.array([0, 1, 1, 0]), np.array([0.05, 0.15, 0.95, 0.85]), n_bins=10)
    assert out["ece"] == pytest.approx((0.05 + 0.85 + 0.05 + 0.85) / 4)
    assert out["count"] == [1, 1, 0, 0, 0, 0, 0, 0, 1, 1]
    assert out["observed"][2] is None and out["observed"][8] == 0.0


def test_matches_scikit_learn_on_a_random_example():
    rng = np.random.default_rng(3)
    Yr = (rng.random((300, 4)) < 0.3).astype(np.uint8)
    Pr = np.clip(Yr * 0.3 + rng.random((300, 4)) * 0.7, 0, 1)
    thr = [0.4, 0.5, 0.6, 0.55]
    report = evaluation_report(Yr, Pr, list("abcd"), thr, list(range(300)), n_boot=100)
    Yhat = (Pr >= np.array(thr)).astype(np.uint8)
    p, r, f, _ = precision_recall_fscore_support(Yr, Yhat, average=None, zero_division=0)
    for i, c in enumerate("abcd"):
        got = report["at_thresholds"]["per_class"][c]
        assert (got["precision"], got["recall"], got["f1"]) == pytest.approx((p[i], r[i], f[i]))
        assert report["auc"]["per_class"][c]["auc"] == pytest.approx(roc_auc_score(Yr[:, i], Pr[:, i]))
        m = multilabel_confusion_matrix(Yr, Yhat)[i]
        assert report["confusion_per_class"][c] == {"tn": m[0, 0], "fp": m[0, 1], "fn": m[1, 0], "tp": m[1, 1]}
    assert report["auc"]["macro"] == pytest.approx(roc_auc_score(Yr, Pr, average="macro"))
    assert report["at_thresholds"]["macro"]["f1"] == pytest.approx(
        precision_recall_fscore_support(Yr, Yhat, average="macro", zero_division=0)[2])


def test_rank_auc_equals_scikit_learn_with_ties():
    rng = np.random.default_rng(2)
    y = rng.random((20, 50)) < 0.3
    p = np.round(rng.random((20, 50)) + y * 0.3, 1)  # many ties
    assert rank_auc(y, p) == pytest.approx([roc_auc_score(a, b) for a, b in zip(y, p)])
    assert np.isnan(rank_auc(np.zeros(5), np.arange(5.0)))


def test_bootstrap_interval_brackets_the_estimate_and_is_seeded():
    rng = np.random.default_rng(0)
    Yr = (rng.random((200, 2)) < 0.4).astype(np.uint8)
    Pr = np.clip(Yr * 0.25 + rng.random((200, 2)) * 0.75, 0, 1)
    a, b = bootstrap_auc(Yr, Pr, n_boot=200, seed=5), bootstrap_auc(Yr, Pr, n_boot=200, seed=5)
    lo, hi = a["macro"]["ci"]
    assert lo < a["macro"]["auc"] < hi and hi - lo < 0.2
    assert a == b
    perfect = bootstrap_auc(Yr, Yr.astype(float), n_boot=50)
    assert perfect["macro"]["ci"] == [1.0, 1.0]


def test_roc_points_are_thinned_but_keep_the_ends():
    rng = np.random.default_rng(1)
    y = rng.random(5000) < 0.5
    pts = roc_points(y, rng.random(5000) + y * 0.2, max_points=100)
    assert len(pts["fpr"]) <= 100 and pts["fpr"][0] == 0.0 and pts["fpr"][-1] == 1.0 and pts["tpr"][-1] == 1.0
    assert np.all(np.diff(pts["fpr"]) >= 0)
    assert roc_points(np.zeros(5), np.random.rand(5)) is None
