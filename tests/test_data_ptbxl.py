"""PTB-XL loader on one real PTB-XL folder: the data root's ptbxl/ (see its SOURCE.md for the counts). The two
folders merged (ptbxl/ + ptbxl_more/) are tested in test_data_catalogue.py."""
from __future__ import annotations

import shutil
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import wfdb

from ecgcore.core.labels import SUPERCLASSES
from ecgcore.data import ptbxl
from ecgcore.core.errors import ECGError, ECGReadError, UnknownNameError
from ecgcore.core.leads import LEADS

from tests.bad_inputs.real_records import real_path  # noqa: E402

DEMO_PTBXL = real_path("ptbxl")

WAVEFORM_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 666, 3961, *range(6000, 6010), 7911, 7968, 8040, 8883, 9008,
                9589, 9739, 9764, 9959, 10029, 11165, 12083, 13792, 14287, 15935, 17691, 19293]


@pytest.fixture(scope="module")
def db() -> pd.DataFrame:
    return ptbxl.load_database(DEMO_PTBXL)


@pytest.fixture(scope="module")
def statements() -> pd.DataFrame:
    return ptbxl.load_statements(DEMO_PTBXL)


def test_database_shape_and_parsed_columns(db):
    assert len(db) == 550 and db.index.name == "ecg_id" and db.index.is_unique
    assert all(isinstance(codes, dict) and codes for codes in db["scp_codes"])
    assert db.loc[1, "scp_codes"] == {"NORM": 100.0, "LVOLT": 0.0, "SR": 0.0}
    assert set(db["sex"].dropna()) == {"M", "F"}
    assert db.loc[1, "sex"] == "F" and db.loc[2, "sex"] == "M"  # PTB-XL: 1 = female, 0 = male
    assert set(db["strat_fold"]) == set(range(1, 11))
    assert db["validated_by_human"].dtype == bool and (~db["validated_by_human"]).sum() == 2


def test_waveform_flags_match_the_files_on_disk(db):
    with_wave = db.index[db["has_100"] | db["has_500"]]
    assert sorted(with_wave) == WAVEFORM_IDS
    assert list(db.index[db["has_100"]]) == [1]
    assert db["has_500"].sum() == 39
    assert (~(db["has_100"] | db["has_500"])).sum() == 511  # rows whose files this demo lacks


def test_superclass_counts_stated_in_source_md(db):
    rows = db.loc[WAVEFORM_IDS]
    counts = Counter(c for classes in rows["superclasses"] for c in classes)
    assert {c: counts.get(c, 0) for c in SUPERCLASSES} == {"NORM": 32, "MI": 3, "STTC": 3, "CD": 2, "HYP": 0}
    assert sorted(rows.index[rows["superclasses"].map(lambda s: "MI" in s)]) == [8, 8883, 9739]
    assert db.loc[6002, "superclasses"] == ("NORM", "CD")
    assert db.loc[9739, "superclasses"] == ("MI", "STTC")
    assert db.loc[12083, "superclasses"] == ()  # PACE only: a rhythm statement
    assert (rows["superclasses"].map(len) > 0).sum() == 38
    assert Counter(rows["strat_fold"]) == {1: 2, 2: 2, 3: 3, 4: 7, 5: 4, 6: 4, 7: 3, 8: 6, 9: 2, 10: 6}


def test_ecg_id_1_is_norm_and_read_at_both_rates(db):
    low = ptbxl.load_ecg(DEMO_PTBXL, 1, rate=100, db=db)
    high = ptbxl.load_ecg(DEMO_PTBXL, 1, rate=500, db=db)
    assert low.labels == ("NORM",) and high.labels == ("NORM",)
    assert low.signal.shape == (12, 1000) and high.signal.shape == (12, 5000)
    assert low.signal.dtype == np.float32 and low.fs == 100 and high.fs == 500
    assert low.leads == LEADS and low.derived == ()
    assert "resampled_from_hz" not in low.meta  # the original 100 Hz file exists for ecg_id 1
    assert low.age == 56 and low.sex == "F" and low.record_id == "ptbxl/00001" and low.source == "ptbxl"
    assert low.meta["scp_codes"] == {"NORM": 100.0, "LVOLT": 0.0, "SR": 0.0}
    assert low.meta["strat_fold"] == 3 and low.meta["validated_by_human"] is True
    assert low.meta["report"] == "sinusrhythmus periphere niederspannung"


def test_first_samples_equal_the_header_initial_values():
    # 00001_lr.hea / 00001_hr.hea give each lead's first sample (adu) with gain 1000/mV, leads I..V6
    first_lr = np.array([-119, -55, 64, 86, -91, 4, -69, -31, 0, -26, -39, -79]) / 1000
    first_hr = np.array([-115, -50, 65, 82, -90, 7, -65, -40, -5, -35, -35, -75]) / 1000
    assert np.allclose(ptbxl.load_ecg(DEMO_PTBXL, 1, 100).signal[:, 0], first_lr, atol=1e-6)
    assert np.allclose(ptbxl.load_ecg(DEMO_PTBXL, 1, 500).signal[:, 0], first_hr, atol=1e-6)


@pytest.mark.parametrize("ecg_id", [8883, 12083])
def test_signal_equals_wfdb_in_canonical_lead_order(db, ecg_id):
    ecg = ptbxl.load_ecg(DEMO_PTBXL, ecg_id, rate=500, db=db)
    raw, fields = wfdb.rdsamp(str(DEMO_PTBXL / db.loc[ecg_id, "filename_hr"]))
    assert fields["sig_name"][3] == "AVR"  # upper case in PTB-XL files
    for k, name in enumerate(fields["sig_name"]):
        lead = {"AVR": "aVR", "AVL": "aVL", "AVF": "aVF"}.get(name, name)
        assert np.allclose(ecg.lead(lead), raw[:, k], atol=1e-6)


def test_100hz_derived_from_500hz_is_marked_and_matches_the_original_100hz_file(db):
    derived = ptbxl.load_ecg(DEMO_PTBXL, 2, rate=100, db=db)
    assert derived.fs == 100 and derived.signal.shape == (12, 1000)
    assert derived.meta["resampled_from_hz"] == 500 and derived.meta["file"] == "records500/00000/00002_hr"
    # ecg_id 1 has both files: resampling its 500 Hz original must reproduce PTB-XL's own 100 Hz record
    from ecgcore.signal.resample import resample_signal

    original = ptbxl.load_ecg(DEMO_PTBXL, 1, rate=100, db=db).signal
    resampled = resample_signal(ptbxl.load_ecg(DEMO_PTBXL, 1, rate=500, db=db).signal, 500, 100)
    corr = [np.corrcoef(original[k], resampled[k])[0, 1] for k in range(12)]
    assert min(corr) > 0.95 and np.median(corr) > 0.98
    assert np.sqrt(np.mean((original - resampled) ** 2)) < 0.03  # mV


def test_missing_files_give_a_clear_error_not_a_crash(db):
    assert not db.loc[11, "has_100"] and not db.loc[11, "has_500"]
    with pytest.raises(ECGReadError, match=r"ecg_id 11 has no waveform.*records100/00000/00011_lr"):
        ptbxl.load_ecg(DEMO_PTBXL, 11, rate=100, db=db)
    with pytest.raises(ECGReadError, match="ecg_id 18 is not in"):
        ptbxl.load_ecg(DEMO_PTBXL, 18, db=db)  # one of the 26 ids absent from this csv
    with pytest.raises(ECGError, match="rate=100 or rate=500"):
        ptbxl.load_ecg(DEMO_PTBXL, 1, rate=250, db=db)
    with pytest.raises(ECGReadError, match="No ptbxl_database.csv"):
        ptbxl.load_database(DEMO_PTBXL / "records500")


def test_deleted_waveform_is_flagged_and_reported(tmp_path):
    root = tmp_path / "ptbxl"
    shutil.copytree(DEMO_PTBXL, root, ignore=shutil.ignore_patterns("cache", "records100"))
    (root / "records500/00000/00003_hr.dat").unlink()
    db = ptbxl.load_database(root)
    assert not db.loc[3, "has_500"] and db.loc[4, "has_500"] and not db["has_100"].any()
    with pytest.raises(ECGReadError, match="ecg_id 3"):
        ptbxl.load_ecg(root, 3, rate=100, db=db)
    with pytest.raises(ECGReadError, match=r"1 record\(s\) have no 100 Hz waveform.*ecg_id 3"):
        ptbxl.load_signals(root, [2, 3], rate=100, db=db, cache_dir=tmp_path / "cache")


def test_task_labels_follow_scp_statements(db, statements):
    classes, Y = ptbxl.task_labels(db, statements, "superdiagnostic")
    assert classes == list(SUPERCLASSES) and Y.shape == (550, 5) and Y.dtype == np.uint8
    assert [tuple(c for c, y in zip(classes, row) if y) for row in Y] == list(db["superclasses"])
    pos = db.index.get_loc(9739)  # {'IMI': 15, 'ISCLA': 80, 'QWAVE': 0, 'STD_': 0, 'SR': 0}
    expected = {"subdiagnostic": {"IMI", "ISCA"}, "diagnostic": {"IMI", "ISCLA"}, "form": {"QWAVE", "STD_"},
                "rhythm": {"SR"}, "all": {"IMI", "ISCLA", "QWAVE", "STD_", "SR"}}
    sizes = {"subdiagnostic": 23, "diagnostic": 44, "form": 19, "rhythm": 12, "all": 71}
    for task, labels in expected.items():
        classes, Y = ptbxl.task_labels(db, statements, task)
        assert len(classes) == sizes[task]
        assert {c for c, y in zip(classes, Y[pos]) if y} == labels, task
    with pytest.raises(UnknownNameError, match="superdiagnostic"):
        ptbxl.task_labels(db, statements, "superclass")


def test_filters_shrink_the_table(db):
    assert sorted(ptbxl.filter_records(db, superclass="MI", with_signal=True).index) == [8, 8883, 9739]
    assert len(ptbxl.filter_records(db, superclass=["mi", "HYP"])) < len(db)
    assert set(ptbxl.filter_records(db, scp="ISCLA").index) >= {9739}
    women = ptbxl.filter_records(db, sex="F")
    assert 0 < len(women) < len(db) and set(women["sex"]) == {"F"}
    aged = ptbxl.filter_records(db, age_min=60, age_max=70)
    assert 0 < len(aged) < len(db) and aged["age"].between(60, 70).all()
    assert len(ptbxl.filter_records(db, fold=10)) == 75
    assert len(ptbxl.filter_records(db, fold=[9, 10])) == 154
    assert len(ptbxl.filter_records(db, validated=False)) == 2
    both = ptbxl.filter_records(db, superclass="NORM", sex="M", fold=range(1, 9), with_signal=True)
    assert 0 < len(both) < len(ptbxl.filter_records(db, superclass="NORM", with_signal=True))
    with pytest.raises(UnknownNameError, match="NORM, MI, STTC, CD, HYP"):
        ptbxl.filter_records(db, superclass="AFIB")
    with pytest.raises(ECGError):
        ptbxl.filter_records(db, fold=11)


def test_split_is_folds_1_to_8_9_10(db):
    parts = ptbxl.split(db)
    assert len(parts["test"]) == 75 and len(parts["val"]) == 79 and len(parts["train"]) == 550 - 154
    assert set(db.loc[parts["train"], "strat_fold"]) == set(range(1, 9))
    assert not set(parts["train"]) & set(parts["test"])


def test_load_signals_matches_load_ecg_and_caches(db, tmp_path):
    ids = WAVEFORM_IDS
    X = ptbxl.load_signals(DEMO_PTBXL, ids, rate=100, db=db, cache_dir=tmp_path, workers=2, chunk_size=10)
    assert X.shape == (39, 12, 1000) and X.dtype == np.float32
    files = list(tmp_path.glob("signals_100hz_*.npy"))
    assert len(files) == 1
    for k in (0, 1, 38):
        assert np.array_equal(X[k], ptbxl.load_ecg(DEMO_PTBXL, ids[k], rate=100, db=db).signal)
    again = ptbxl.load_signals(DEMO_PTBXL, ids, rate=100, db=db, cache_dir=tmp_path)
    assert np.array_equal(X, again)
    np.save(files[0], np.zeros((1,), np.float32))  # the cache is what is returned the second time
    assert ptbxl.load_signals(DEMO_PTBXL, ids, rate=100, db=db, cache_dir=tmp_path).shape == (1,)
    other = ptbxl.load_signals(DEMO_PTBXL, ids[:3], rate=500, db=db, cache_dir=tmp_path)
    assert other.shape == (3, 12, 5000) and len(list(tmp_path.glob("*.npy"))) == 2


def test_synthetic_marked_rows_load_as_synthetic(tmp_path):
    root = tmp_path / "synth"
    shutil.copytree(DEMO_PTBXL, root, ignore=shutil.ignore_patterns("cache"))
    table = pd.read_csv(root / "ptbxl_database.csv")
    table["device"] = ptbxl.SYNTHETIC_DEVICE  # what ecgcore.synth writes: the one "is this synthetic?" rule
    table.to_csv(root / "ptbxl_database.csv", index=False)
    ecg = ptbxl.load_ecg(root, 1, rate=100)
    assert ecg.source == "synthetic" and ecg.meta["synthetic"] is True and ecg.record_id == "synthetic/00001"
    assert ptbxl.is_synthetic(ptbxl.load_database(root)) and not ptbxl.is_synthetic(ptbxl.load_database(DEMO_PTBXL))


def test_age_300_means_over_89(db):
    assert ptbxl.age_years(300.0) is None and ptbxl.age_years(89.0) == 89.0 and ptbxl.age_years(float("nan")) is None
    assert db.loc[279, "age"] == 91.0 and ptbxl.age_column(db).loc[279] == 91.0  # this release keeps real ages
    ages = ptbxl.age_column(pd.DataFrame({"age": [300.0, 56.0, None]}))
    assert ages.iloc[0] == 90.0 and ages.iloc[1] == 56.0 and pd.isna(ages.iloc[2])


def test_a_corpus_written_by_ecgcore_synth_is_recognised_as_synthetic(tmp_path):
    from ecgcore.synth import generate_corpus

    generate_corpus(tmp_path / "synth", records=3, seed=0, rates=(100,), workers=1, progress=False)
    ecg = ptbxl.load_ecg(tmp_path / "synth", 1, 100)
    assert ecg.source == "synthetic" and ecg.meta["synthetic"] is True
    assert ecg.record_id.startswith("synthetic/")
