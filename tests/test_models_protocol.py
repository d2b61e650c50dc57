"""The real protocol: patient-disjoint CV folds, thresholds from validation only, external sets disjoint from
training by content, a smoke fine-tuning run (a few real records, 1 epoch), and record-length invariance."""
from __future__ import annotations

import numpy as np
import pytest
import wfdb

from ecgcore.data import challenge, ptbxl
from ecgcore.core.ecg import ECG
from ecgcore.signal.peaks import find_beats
from ecgcore.metrics.thresholds import max_f1_thresholds
from ecgcore.models import load_model, model_names
from ecgcore.learn.protocol import split_for, train_split
from ecgcore.data.catalogue import eval_sets
from ecgcore.data.evalsets import EXTERNAL_SETS, content_hash, external_sets
from ecgcore.core.settings import resolve
from ecgcore.learn.trainer import Recipe

pytestmark = [pytest.mark.usefixtures("one_torch_thread"), pytest.mark.slow]  # the real sets at 100 Hz, fine-tuning

LENGTH_TOLERANCE = 0.06  # |p(5 min) - p(10 s)| per class, same rhythm (README, Models)


def test_the_real_set_is_ptbxl_with_labels_and_folds(real):
    assert len(real) > 500 and real.array().shape[1:] == (12, 1000)
    assert set(np.unique(real.folds)) == set(range(1, 11)) and real.Y.any(axis=1).all()
    assert "ptbxl/00137" not in real.record_ids  # removed by PTB-XL 1.0.3 as a duplicate


def test_the_real_sets_are_the_catalogues_evaluation_sets(real):
    catalogue_sets = eval_sets()
    assert real.record_ids == sorted(catalogue_sets["ptbxl"])
    external = {name: sorted(s.record_ids) for name, s in external_sets().items()}
    expected = {name: sorted(r for source in sources for r in catalogue_sets.get(source, []))
                for name, sources in EXTERNAL_SETS.items()}
    assert external == {name: ids for name, ids in expected.items() if ids}
    assert len(external["cinc_cpsc2018"]) > len(catalogue_sets["cinc/cpsc2018"])  # with the CPSC extra records
    assert catalogue_sets["cinc/ptbxl"]  # the Challenge's PTB-XL copies: PTB-XL recordings, never external
    assert not any(r.startswith("cinc/ptbxl/") for ids in external.values() for r in ids)


def test_cv_splits_put_no_patient_in_two_folds(real):
    for k in range(1, 11):
        train, val = split_for(k)
        assert len(train) == 8 and val != k and k not in train and val not in train
        groups = [set(real.patients[np.isin(real.folds, f)]) for f in (train, [val], [k])]
        assert not (groups[0] & groups[1]) and not (groups[0] & groups[2]) and not (groups[1] & groups[2])
    fold_of = {}
    for p, f in zip(real.patients, real.folds):
        assert fold_of.setdefault(p, f) == f, f"patient {p} in folds {fold_of[p]} and {f}"


def _hr_hashes() -> dict[str, str]:
    """content hash of the 500 Hz file of every PTB-XL record of the training set."""
    root = resolve().require_data_root()
    out = {}
    for folder in ("ptbxl", "ptbxl_more"):
        db = ptbxl.load_database(root / folder)
        for ecg_id in db.index[db["has_500"]]:
            signal, fields = wfdb.rdsamp(str(root / folder / db.at[ecg_id, "filename_hr"]))
            out.setdefault(f"ptbxl/{ecg_id:05d}", content_hash(signal.T, fields["fs"]))
    return out


def test_external_sets_share_no_recording_with_training_by_content(real):
    root = resolve().require_data_root()
    train_hashes = _hr_hashes()
    training = {train_hashes[r] for r in real.record_ids if r in train_hashes}
    assert len(training) >= 500
    # the hash does find a copy under another name: the Challenge's HR00001 is PTB-XL's 00001
    copy = challenge.read_record(root / "cinc" / "ptbxl" / "HR00001")
    assert content_hash(copy.signal, copy.fs) == train_hashes["ptbxl/00001"]
    checked = 0
    for name, ext in external_sets().items():
        for rid in ext.record_ids:
            if name.startswith("cinc_"):
                stem = root / rid.replace("cinc/", "cinc/", 1)
                if not stem.with_suffix(".hea").is_file():
                    stem = root / rid.replace("cinc/", "cinc_more/", 1)
                ecg = challenge.read_record(stem)
                assert content_hash(ecg.signal, ecg.fs) not in training, rid
                checked += 1
    assert checked > 100


def test_smoke_fine_tune_sets_thresholds_from_validation_only(real):
    rows = np.concatenate([np.flatnonzero(real.folds == f)[:4] for f in range(1, 11)])
    small = real.subset(rows)
    recipe = Recipe(name="smoke", init="synthetic", epochs=1, lr=1e-3, batch_size=8, refit_normaliser=False)
    run = train_split("resnet1d", recipe, small, 10, resolve().models_dir)
    assert len(run.history.epochs) == 1 and run.P_test.shape == (4, 5)
    X = small.array()
    val = small.folds == 9
    np.testing.assert_allclose(run.model.thresholds, max_f1_thresholds(small.Y[val], run.model.predict_proba(X[val])))
    assert set(small.folds[run.test_rows]) == {10}


def _tiled(signal: np.ndarray, samples: int) -> np.ndarray:
    """The whole beats of a record (first to last R-peak) repeated to `samples`: the same rhythm, longer."""
    beats = find_beats(ECG(signal=signal, fs=100.0, record_id="r", source="ptbxl")).rpeaks
    seg = signal[:, beats[0]:beats[-1]]
    return np.tile(seg, (1, samples // seg.shape[1] + 1))[:, :samples]


@pytest.mark.parametrize("name", model_names())
def test_same_rhythm_at_10_s_and_5_min_gives_the_same_probabilities(name, real):
    model = load_model(name)
    for rid in ("ptbxl/00001", "ptbxl/00008"):
        long = _tiled(real.signals[real.record_ids.index(rid)], 30000)
        short_p = model.predict_proba(long[None, :, :1000])[0]
        long_p = model.predict_proba(long[None])[0]
        assert np.abs(long_p - short_p).max() <= LENGTH_TOLERANCE, (rid, short_p, long_p)
