"""Patient-level bootstrap, the "too few" rule and the paired test of two models (ecgcore.metrics.auc,
ecgcore.metrics.paired), on constructed cases whose answer is known, and on the shipped models' stored
out-of-fold predictions of real PTB-XL records."""
from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from ecgcore.core.settings import resolve
from ecgcore.metrics.auc import MIN_POSITIVES, bootstrap_auc, resample_weights, weighted_auc
from ecgcore.metrics.paired import paired_auc_difference, paired_from_results


def test_weighted_auc_equals_scikit_learn_on_the_resampled_records():
    rng = np.random.default_rng(3)
    y = rng.random(200) < 0.3
    p = np.round(rng.random(200) + y * 0.3, 1)  # ties
    W = resample_weights(200, 20, seed=1)
    for w, auc in zip(W, weighted_auc(y, p, W)):
        rows = np.repeat(np.arange(200), w.astype(int))
        assert auc == pytest.approx(roc_auc_score(y[rows], p[rows]))


def test_patients_are_resampled_whole():
    groups = ["a", "a", "a", "b", "c", "c"]
    W = resample_weights(6, 500, seed=0, groups=groups)
    assert np.all(W[:, 0] == W[:, 1]) and np.all(W[:, 1] == W[:, 2]) and np.all(W[:, 4] == W[:, 5])
    assert np.all(W[:, [0, 3, 4]].sum(axis=1) == 3)  # three patients drawn per resample
    with pytest.raises(ValueError):
        resample_weights(6, 10, groups=["a"])


def test_patient_bootstrap_is_wider_when_a_patients_records_move_together():
    # 60 patients with 5 near-identical records each: resampling records pretends there are 300 independent
    # cases, resampling patients knows there are 60, so its interval is wider.
    rng = np.random.default_rng(0)
    y_pat = rng.random(60) < 0.4
    p_pat = rng.random(60) + y_pat * 0.4
    y = np.repeat(y_pat, 5)[:, None].astype(int)
    p = (np.repeat(p_pat, 5) + rng.normal(0, 0.01, 300))[:, None]
    groups = np.repeat(np.arange(60), 5)
    rec = bootstrap_auc(y, p, n_boot=500, seed=1)["per_class"][0]["ci"]
    pat = bootstrap_auc(y, p, n_boot=500, seed=1, groups=groups)["per_class"][0]["ci"]
    assert (pat[1] - pat[0]) > 1.5 * (rec[1] - rec[0])


def test_too_few_positives_get_no_interval():
    rng = np.random.default_rng(2)
    Y = np.zeros((100, 2), int)
    Y[:MIN_POSITIVES - 1, 0] = 1  # 9 positives: too few
    Y[:40, 1] = 1
    P = rng.random((100, 2)) + Y * 0.5
    boot = bootstrap_auc(Y, P, n_boot=100)
    assert boot["per_class"][0]["ci"] is None and boot["per_class"][0]["too_few"] is True
    assert boot["per_class"][0]["auc"] == pytest.approx(roc_auc_score(Y[:, 0], P[:, 0]))  # the point stays
    assert boot["per_class"][1]["ci"] is not None and boot["per_class"][1]["too_few"] is False
    assert boot["macro"]["ci"] is None and boot["macro"]["too_few"] == [0]
    Y[:MIN_POSITIVES, 0] = 1  # 10 positives: enough
    assert bootstrap_auc(Y, P, n_boot=100)["macro"]["ci"] is not None


def _two_models(rng, n, gap):
    Y = (rng.random((n, 3)) < 0.35).astype(int)
    noise = rng.normal(0, 1, (n, 3))
    good = Y * 1.5 + noise
    other = Y * (1.5 - gap) + noise + rng.normal(0, 0.3, (n, 3))
    return Y, good, other


def test_paired_test_separates_models_that_differ():
    Y, good, worse = _two_models(np.random.default_rng(5), 400, gap=1.0)
    d = paired_auc_difference(Y, good, worse, ["A", "B", "C"], n_boot=1000)
    assert d.difference > 0.05 and d.separated and d.ci95[0] > 0 and d.p < 0.01


def test_paired_test_does_not_separate_models_that_do_not_differ():
    rng = np.random.default_rng(6)
    Y = (rng.random((300, 3)) < 0.35).astype(int)
    a = Y + rng.normal(0, 1, (300, 3))
    b = Y + rng.normal(0, 1, (300, 3))  # the same quality, other noise
    d = paired_auc_difference(Y, a, b, ["A", "B", "C"], n_boot=1000)
    assert not d.separated and d.ci95[0] < 0 < d.ci95[1] and d.p > 0.05
    same = paired_auc_difference(Y, a, a, ["A", "B", "C"], n_boot=200)
    assert same.difference == 0 and same.ci95 == (0.0, 0.0) and not same.separated


def test_paired_test_refuses_too_few_positives_and_mismatched_shapes():
    rng = np.random.default_rng(7)
    Y = np.zeros((50, 1), int)
    Y[:4] = 1
    d = paired_auc_difference(Y, rng.random((50, 1)), rng.random((50, 1)), ["MI"])
    assert d.ci95 is None and d.p is None and d.too_few == ("MI",) and not d.separated
    with pytest.raises(ValueError):
        paired_auc_difference(Y, rng.random((50, 1)), rng.random((49, 1)), ["MI"])


def test_paired_test_on_the_stored_out_of_fold_predictions_of_real_records():
    folder = resolve().models_dir
    docs = {}
    for name in ("resnet1d", "kernel"):
        path = folder / name / "results_ptbxl_cv.json"
        assert path.is_file(), f"{path} missing: the shipped models' stored results are needed"
        docs[name] = json.loads(path.read_text())
    d = paired_from_results(docs["resnet1d"], docs["kernel"], n_boot=500)
    assert d.n_records == docs["resnet1d"]["n_records"] == 513
    assert d.difference == pytest.approx(docs["resnet1d"]["auc"]["macro"] - docs["kernel"]["auc"]["macro"], abs=1e-4)
    assert d.ci95[0] <= d.difference <= d.ci95[1]
