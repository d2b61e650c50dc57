"""Models: registry, shapes and probability ranges, windows, learning on a toy task, checkpoints."""
from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from ecgcore.core.ecg import ECG
import torch  # noqa: E402  (OMP_WAIT_POLICY: conftest.py)
from ecgcore.core.errors import ECGSignalError, UnknownNameError
from ecgcore.metrics.auc import macro_auc
from ecgcore.models import CheckpointError, create, load_model, model_names
from ecgcore.models.base import aggregate_windows
from ecgcore.models.card import ModelCard
from ecgcore.learn.trainer import Recipe, fit
from tests.toy_ecg import CLASSES, toy_dataset

SMALL = {
    "resnet1d": {"widths": [16, 16, 24, 32], "epochs": 3, "batch_size": 32},
    "inception1d": {"filters": 8, "bottleneck": 8, "depth": 1, "kernels": [15, 7, 3], "epochs": 3, "batch_size": 32},
    "lstm": {"front": 16, "hidden": 16, "epochs": 3, "batch_size": 32},
    "kernel": {"components": 80},
    "leadwise": {"widths": [8, 8, 16, 16], "hidden": 16, "epochs": 3, "batch_size": 32},
}
TORCH_MODELS = ["resnet1d", "inception1d", "lstm", "leadwise"]


@pytest.fixture(scope="module")
def toy() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {"train": toy_dataset(160, 0, seconds=5.0), "val": toy_dataset(64, 1, seconds=5.0),
            "test": toy_dataset(64, 2, seconds=5.0)}


@pytest.fixture(scope="module")
def fitted(toy) -> dict:
    """Each model fitted on the toy task (seconds each)."""
    out = {}
    for name in SMALL:  # the trainable models (the ensemble is built from trained members: test_models_shipped)
        model = create(name, classes=CLASSES, **SMALL[name])
        fit(model, Recipe.from_hyper(model.hyper), *toy["train"], *toy["val"])
        out[name] = model
    return out


def test_building_a_model_leaves_the_global_torch_generator_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    create("resnet1d", seed=7)
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())
    a, b = create("resnet1d", seed=7), create("resnet1d", seed=7)
    assert all(torch.equal(x, y) for x, y in zip(a.net.parameters(), b.net.parameters()))


def test_aggregation_is_the_mean_of_the_windows_and_refuses_other_names():
    probs = np.array([[0.1], [0.9], [0.5], [0.2], [0.8]])
    assert aggregate_windows(probs, "mean")[0] == pytest.approx(0.5) and aggregate_windows(probs, "max")[0] == 0.9
    assert create("resnet1d").aggregate == "mean"
    with pytest.raises(UnknownNameError, match="top_quarter_mean.*valid: mean, max"):
        aggregate_windows(probs, "top_quarter_mean")


def test_model_card_round_trips_through_json():
    card = ModelCard(name="resnet1d", parameters=5, metrics={"ptbxl_cv": {"macro_auc": 0.9}},
                     training={"data": {"n_train": 400}})
    again = ModelCard.from_json(json.loads(json.dumps(card.to_json())))
    assert again == card and again.trained_on["n_train"] == 400 and again.metric("ptbxl_cv")["macro_auc"] == 0.9


def test_registry_lists_the_shipped_models():
    assert set(model_names()) >= {"resnet1d", "inception1d", "lstm", "kernel", "ensemble", "leadwise"}


def test_unknown_model_name_lists_valid_names():
    with pytest.raises(UnknownNameError) as err:
        create("resnet9000")
    assert "resnet1d" in str(err.value) and "kernel" in str(err.value)
    with pytest.raises(UnknownNameError):
        load_model("nope")


def test_unknown_setting_is_refused():
    with pytest.raises(UnknownNameError, match="widths"):
        create("resnet1d", width=3)


@pytest.mark.parametrize("n_samples, count, largest_step", [(1000, 3, 250), (1100, 4, 200), (30000, 119, 250),
                                                            (730, 2, 230), (260, 1, None), (250, 1, None)])
def test_window_starts_are_evenly_spaced_cover_the_record_and_are_enough(n_samples, count, largest_step):
    # 10 s at 100 Hz: 3 windows of 5 s at 0, 2.5 and 5 s; 5 min: 119 windows 2.5 s apart; under 5 s: the record
    model = create("resnet1d")
    window = min(500, n_samples)
    starts = model.window_starts(n_samples)
    assert model.score_window(n_samples) == window
    assert len(starts) == count and starts[0] == 0 and starts[-1] == n_samples - window
    if largest_step:
        steps = np.diff(starts)
        assert steps.max() == largest_step and steps.max() - steps.min() <= 1


def test_records_of_mixed_lengths_score_as_they_do_alone():
    # a 3 s record is one window of its own length; batching it with 10 s records must not change anything
    model = create("resnet1d", seed=1)
    rng = np.random.default_rng(0)
    long, short = rng.normal(0, 0.3, (2, 12, 1000)).astype(np.float32), rng.normal(0, 0.3, (12, 300)).astype(np.float32)
    together = model._predict_signals([long[0], short, long[1]])
    alone = np.stack([model._predict_signals([x])[0] for x in (long[0], short, long[1])])
    np.testing.assert_allclose(together, alone, atol=1e-6)


def test_short_record_gets_a_clear_error():
    ecg = ECG(np.zeros((12, 400), np.float32), fs=200.0, record_id="short", source="test")  # 2 s
    with pytest.raises(ECGSignalError, match="2.00 s long.*at least 2.5 s"):
        create("resnet1d").predict_proba(ecg)


@pytest.mark.slow  # fits every model on the toy task (about 45 s on 2 cores)
@pytest.mark.parametrize("name", TORCH_MODELS + ["kernel"])
def test_shapes_and_probability_range(name, fitted):
    model = fitted[name]
    X, _ = toy_dataset(3, 7, seconds=12.0)
    probs = model.predict_proba(X)
    assert probs.shape == (3, 2) and np.all((probs >= 0) & (probs <= 1))
    # any rate, any length: a 500 Hz record of 7.3 s
    ecg = ECG(np.repeat(X[0][:, :730], 5, axis=1), fs=500.0, record_id="r", source="test")
    one = model.predict_proba(ecg)
    assert one.shape == (1, 2)
    windows = model.predict_windows(ecg)
    assert windows.shape == (len(model.window_starts(730)), 2)
    assert model.predict(X).shape == (3, 2)


@pytest.mark.slow  # fits every model on the toy task (about 45 s on 2 cores)
@pytest.mark.parametrize("name", TORCH_MODELS)
def test_torch_models_expose_net_prepare_and_gradcam_layers(name, fitted):
    model = fitted[name]
    X, _ = toy_dataset(1, 3)
    ecg = ECG(X[0], fs=100.0, record_id="r", source="test")
    windows = model.net_input(ecg)
    assert tuple(windows.shape) == (3, 12, 500) and windows.dtype == torch.float32  # 3 x 5 s in 10 s
    assert set(model.gradcam_layers) == {"last", "early"}
    assert all(isinstance(m, torch.nn.Module) for m in model.gradcam_layers.values())
    assert not any(getattr(m, "inplace", False) for m in model.net.modules())
    with torch.no_grad():
        direct = aggregate_windows(torch.sigmoid(model.net(windows)).numpy(), model.aggregate)
    np.testing.assert_allclose(direct, model.predict_proba(ecg)[0], atol=1e-5)


@pytest.mark.slow  # fits every model on the toy task (about 45 s on 2 cores)
@pytest.mark.parametrize("name", TORCH_MODELS + ["kernel"])
def test_learns_the_toy_task(name, fitted, toy):
    model = fitted[name]
    auc = macro_auc(toy["test"][1], model.predict_proba(toy["test"][0]))
    assert auc > 0.8, f"{name} held-out macro AUC {auc:.3f}"
    history = model.training_["history"]
    if name in TORCH_MODELS:
        assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert model.thresholds.shape == (2,)


@pytest.mark.slow  # fits every model on the toy task (about 45 s on 2 cores)
@pytest.mark.parametrize("name", TORCH_MODELS + ["kernel"])
def test_save_load_round_trip_gives_identical_predictions(name, fitted, tmp_path):
    model = fitted[name]
    card = model.save(tmp_path / name)
    assert set(card.files) == {model.weights_name, "config.json"}
    loaded = load_model(name, tmp_path)
    X, _ = toy_dataset(4, 11)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.thresholds, model.thresholds)
    assert loaded.card().parameters == model.parameter_count() > 0


@pytest.mark.slow  # fits every model on the toy task (about 45 s on 2 cores)
def test_changed_weights_fail_the_sha256_check_and_others_still_load(fitted, tmp_path):
    fitted["resnet1d"].save(tmp_path / "resnet1d")
    fitted["lstm"].save(tmp_path / "lstm")
    weights = tmp_path / "resnet1d" / "weights.pt"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="sha256"):
        load_model("resnet1d", tmp_path)
    assert load_model("lstm", tmp_path).predict_proba(toy_dataset(1, 0)[0]).shape == (1, 2)


def test_missing_checkpoint_says_how_to_train(tmp_path):
    with pytest.raises(CheckpointError, match="make train"):
        load_model("inception1d", tmp_path)


@pytest.mark.slow  # fits every model on the toy task (about 45 s on 2 cores)
def test_missing_weights_file_is_reported(fitted, tmp_path):
    fitted["kernel"].save(tmp_path / "kernel")
    (tmp_path / "kernel" / "weights.npz").unlink()
    with pytest.raises(CheckpointError, match="missing"):
        load_model("kernel", tmp_path)


class _Payload:
    def __reduce__(self):
        return (print, ("this must never run",))


@pytest.mark.slow  # fits every model on the toy task (about 45 s on 2 cores)
def test_weights_that_need_unpickling_are_refused_even_with_a_matching_sha(fitted, tmp_path):
    from ecgcore.models.checkpoint import sha256_file

    folder = tmp_path / "resnet1d"
    fitted["resnet1d"].save(folder)
    with open(folder / "weights.pt", "wb") as fh:
        torch.save({"net": _Payload()}, fh, pickle_protocol=pickle.HIGHEST_PROTOCOL)
    card = json.loads((folder / "card.json").read_text())
    card["files"]["weights.pt"]["sha256"] = sha256_file(folder / "weights.pt")
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(CheckpointError, match="cannot load weights"):
        load_model("resnet1d", tmp_path)


@pytest.mark.slow
def test_kernel_prediction_from_stored_arrays_matches_scikit_learn(toy):
    """The .npz arrays reproduce the fitted Nystroem + logistic regression exactly (no pickled estimator)."""
    from sklearn.kernel_approximation import Nystroem
    from sklearn.linear_model import LogisticRegression

    from ecgcore.models.kernel import features_of

    (X, Y), (X_val, Y_val), X_test = toy["train"], toy["val"], toy["test"][0][:16]
    X, Y = X[:64], Y[:64]
    model = create("kernel", classes=CLASSES, components=50, C_grid=[0.1])
    model.fit(X, Y, X_val[:16], Y_val[:16], progress=False)
    a = model.arrays_
    F, F_test = features_of(X, 100.0), features_of(X_test, 100.0)
    Z, Z_test = (np.clip((f - a["feat_mean"]) / a["feat_std"], -8, 8) for f in (F, F_test))
    nys = Nystroem(gamma=float(a["gamma"]), n_components=50, random_state=0).fit(Z)
    expected = np.stack([LogisticRegression(C=0.1, max_iter=2000).fit(nys.transform(Z), Y[:, c])
                         .predict_proba(nys.transform(Z_test))[:, 1] for c in range(2)], axis=1)
    np.testing.assert_allclose(model.predict_proba(X_test), expected, atol=1e-4)
