"""The catalogue of every real record under the data root, its duplicate rules, the real evaluation sets, dataset
folders and the data/records/download commands.

Expected counts come from each folder's SOURCE.md (data root): ptbxl/ 39 waveforms (ecg_id 1-10 and 29 others,
550 csv rows); ptbxl_more/ ecg_id 1-500 (100 Hz: 2-500, 500 Hz: 11-500, 500 csv rows, 25 of them not in ptbxl/);
cinc/ 166 Challenge records (37 HR* copies of PTB-XL records); cinc_more/ 24 Challenge 2020 records (none in
cinc/); ptbdb/ 4 records; ludb/ records 1-100 of the 200 listed in ludb.csv.
"""
from __future__ import annotations

import json
import shutil
import time
from collections import Counter

import numpy as np
import pytest

from ecgcore.cli import main
from ecgcore.cli.download import physionet_reachable
from ecgcore.core.labels import SUPERCLASSES
from ecgcore.data import catalogue, ptbxl, record_ids
from ecgcore.data.folders import read_dataset
from ecgcore.core.errors import ECGReadError, UnknownNameError
from ecgcore.core.settings import resolve

CHALLENGE = {"cinc/ptbxl": 2, "cinc/cpsc2018": 4, "cinc/cpsc2018_extra": 19, "cinc/georgia": 63,
             "cinc/chapman_shaoxing": 9, "cinc/ningbo": 56}


@pytest.fixture(scope="module")
def cat(settings):
    return catalogue.catalogue(settings)


@pytest.fixture(scope="module")
def counts(settings):
    return catalogue.summary(settings)


def test_catalogue_lists_every_real_record_once(cat):
    unique = cat[cat["duplicate_of"].isna()]
    assert cat["record_id"].is_unique
    assert Counter(unique["source"]) == {"ptbxl": 529 - 4, **CHALLENGE, "ptbdb": 4, "ludb": 100}
    assert {"ptbxl/00001", "cinc/georgia/E00271", "cinc/georgia/E00015", "ptbdb/patient096/s0379lre",
            "ludb/1"} <= set(cat["record_id"])
    row = cat.set_index("record_id").loc["ptbxl/00001"]
    assert row["superclasses"] == ("NORM",) and row["strat_fold"] == 3 and row["sex"] == "F"
    assert row["patient_id"] == "15709" and row["rates"] == (100, 500) and row["fs"] == 500
    assert cat.loc[cat["source"] == "cinc/cpsc2018", "duration"].nunique() > 1
    assert (cat.loc[cat["source"] == "ptbdb", "fs"] == 1000).all()
    assert cat.loc[cat["record_id"] == "ptbxl/12083", "superclasses"].iloc[0] is None  # PACE only: unlabelled


def test_ptbxl_folders_merge_into_one_record_per_ecg_id(settings):
    db = ptbxl.load_database(ptbxl.data_root_folders(settings))
    assert len(db) == 550 + 25 and db.index.is_unique
    wave = db[db["has_100"] | db["has_500"]]
    assert len(wave) == 529 and int(db["has_500"].sum()) == 529 and int(db["has_100"].sum()) == 500
    assert list(db.index[db["folders"] > 1]) == list(range(2, 11))  # 500 Hz in ptbxl/, 100 Hz in ptbxl_more/
    # ecg_id 5: ptbxl_more/ lacks the 500 Hz header, ptbxl/ has one with a date added (same samples): it is used
    assert db.loc[5, "path_500"].startswith(str(settings.source("ptbxl")))
    assert db.loc[11, "path_500"].startswith(str(settings.source("ptbxl_more")))
    assert not any("cache" in str(p) for p in db["path_100"].dropna())
    strat = db.loc[wave.index, ["patient_id", "strat_fold"]]
    assert (strat.groupby("patient_id")["strat_fold"].nunique() == 1).all()  # patient-consistent folds


def test_duplicate_rules_shown_by_counts(cat, counts):
    dups = cat[cat["duplicate_of"].notna()]
    hr = dups[dups["source"] == "cinc/ptbxl"]
    assert len(hr) == 37  # every HR* record of cinc/ is a PTB-XL ecg_id of the catalogue
    assert set(dups["duplicate_of"]) <= set(cat.loc[cat["source"] == "ptbxl", "record_id"])
    assert not dups["in_real_set"].any()
    # one recording under two ecg_ids (same patient and time, identical files); PTB-XL 1.0.3 removed 137
    twins = dict(dups.loc[dups["source"] == "ptbxl", ["record_id", "duplicate_of"]].itertuples(index=False))
    assert twins == {"ptbxl/00137": "ptbxl/00138", "ptbxl/00143": "ptbxl/00144", "ptbxl/00456": "ptbxl/00457",
                     "ptbxl/00459": "ptbxl/00460"}
    assert counts["cinc/ptbxl"]["duplicates_removed"] == 37 and counts["cinc/ptbxl"]["records"] == 2
    assert counts["ptbxl"]["duplicates_removed"] == 9 + 4  # ecg_id 2-10 in both folders; the 4 twins
    assert counts["cinc/georgia"]["duplicates_removed"] == 0  # cinc_more's 3 Georgia records are new
    assert counts["total"]["duplicates_removed"] == 37 + 13
    assert counts["total"]["records"] == 525 + sum(CHALLENGE.values()) + 4 + 100


def test_a_challenge_record_in_cinc_and_cinc_more_is_one_record(tmp_path, settings):
    for folder, names in (("cinc", ("E00271",)), ("cinc_more", ("E00271", "E00015"))):
        (tmp_path / folder / "georgia").mkdir(parents=True)
        for name in names:
            source = settings.source("cinc" if name == "E00271" else "cinc_more") / "georgia"
            for ext in (".hea", ".mat"):
                shutil.copy(source / f"{name}{ext}", tmp_path / folder / "georgia")
    local = resolve(data_root=tmp_path)
    counts = catalogue.summary(local)
    assert counts["cinc/georgia"]["records"] == 2 and counts["cinc/georgia"]["duplicates_removed"] == 1
    assert list(catalogue.catalogue(local)["record_id"]) == ["cinc/georgia/E00271", "cinc/georgia/E00015"]


def test_metadata_rows_without_waveform_are_counted_not_errors(counts):
    assert counts["ptbxl"]["metadata_rows"] == 575 and counts["ptbxl"]["no_waveform"] == 46
    assert counts["ludb"]["metadata_rows"] == 200 and counts["ludb"]["no_waveform"] == 100


def test_labelled_counts_per_superclass(counts):
    # ptbxl_more/SOURCE.md: ecg_id 1-500 NORM 297, MI 73, STTC 96, CD 78, HYP 40, 12 without a superclass;
    # ptbxl/SOURCE.md: the 29 other ids add MI 8883, 9739; STTC 6001, 9008, 9739; CD 6002, 11165; 12083 none
    # less the 4 twins: 137 (HYP), 143 (PACE only), 456 and 459 (NORM)
    ptb = counts["ptbxl"]
    assert ptb["superclasses"] == {"NORM": 320 - 2, "MI": 75, "STTC": 99, "CD": 80, "HYP": 40 - 1}
    assert ptb["labelled"] == 516 - 3 and ptb["unlabelled"] == 13 - 1 and ptb["eval_set"] == 513
    assert counts["ptbdb"]["superclasses"] == {"NORM": 3, "MI": 1, "STTC": 0, "CD": 0, "HYP": 0}
    assert counts["cinc/cpsc2018_extra"]["superclasses"]["MI"] >= 6  # SOURCE: 11 of 24 carry an MI-type code
    assert counts["total"]["eval_set"] == sum(c["eval_set"] for s, c in counts.items() if s != "total")


def test_real_evaluation_sets_are_per_source(cat, settings):
    sets = catalogue.eval_sets(settings, cat)
    assert set(sets) == {"ptbxl", *CHALLENGE, "ptbdb", "ludb"}
    every = [rid for ids in sets.values() for rid in ids]
    assert len(every) == len(set(every)) == int(cat["in_real_set"].sum())
    assert not any(rid.startswith("cinc/ptbxl/HR0000") for rid in every)  # duplicates of PTB-XL ecg_id 1-10
    ptbdb = catalogue.eval_records("ptbdb", settings, rate=100)
    assert [r.labels for r in ptbdb].count(("NORM",)) == 3 and all(r.fs == 100 for r in ptbdb)
    Y = catalogue.label_matrix(ptbdb)
    assert Y.shape == (4, 5) and Y[:, SUPERCLASSES.index("MI")].sum() == 1
    with pytest.raises(UnknownNameError, match="ptbxl"):
        catalogue.eval_records("nowhere", settings)


def test_load_record_for_each_source(settings):
    ecg = catalogue.load_record("ptbxl/00002", settings)
    assert ecg.fs == 500 and ecg.signal.shape == (12, 5000) and "resampled_from_hz" not in ecg.meta
    low = catalogue.load_record("ptbxl/00002", settings, rate=100)
    assert low.fs == 100 and "resampled_from_hz" not in low.meta  # ptbxl_more's own 100 Hz file
    assert catalogue.load_record("ptbxl/06000", settings, rate=100).meta["resampled_from_hz"] == 500
    georgia = catalogue.load_record("cinc/georgia/E00271", settings)
    assert georgia.record_id == "cinc/georgia/E00271" and georgia.source == "cinc/georgia"
    assert georgia.labels == ("CD",)
    assert catalogue.load_record("cinc/georgia/E00015", settings).meta["gain_fix"]  # from cinc_more/
    ptbdb = catalogue.load_record("ptbdb/patient096/s0379lre", settings, rate=100)
    assert ptbdb.fs == 100 and ptbdb.signal.shape == (12, 11520) and ptbdb.labels == ("MI",)
    ludb = catalogue.load_record("ludb/1", settings)
    assert ludb.fs == 500 and ludb.labels == ("STTC", "HYP")
    with pytest.raises(UnknownNameError, match="ecg_id 501"):
        catalogue.load_record("ptbxl/00501", settings)  # a csv row without a waveform file
    with pytest.raises(UnknownNameError, match="ludb/1"):
        catalogue.load_record("ludb/150", settings)  # listed in ludb.csv, held out of the data root
    with pytest.raises(UnknownNameError, match="record ids look like"):
        catalogue.load_record("nonsense/1", settings)


def test_record_ids_have_one_spelling():
    assert str(record_ids.parse("8")) == "ptbxl/00008" == str(record_ids.parse("ptbxl/8"))
    assert str(record_ids.parse("ludb/001")) == "ludb/1"
    assert record_ids.parse("cinc/georgia/E00271").source == "cinc/georgia"
    assert record_ids.ptbxl(5, synthetic=True) == "synthetic/00005"
    for bad in ("ptbxl/abc", "cinc/E00271", "ptbdb/../x/y", ""):
        with pytest.raises(UnknownNameError):
            record_ids.parse(bad)


def test_read_dataset_for_each_kind(tmp_path, settings):
    fold10 = read_dataset(settings.source("ptbxl"), cache_dir=tmp_path)
    assert fold10.kind == "ptbxl" and len(fold10) == 6 and {r.meta["strat_fold"] for r in fold10.records} == {10}
    assert all(r.fs == 100 and r.signal.shape == (12, 1000) for r in fold10.records)
    assert fold10.targets().shape == (6, 5) and "no waveform file" in fold10.skipped.values()
    assert list(tmp_path.glob("signals_100hz_*.npy"))  # the bulk cache goes to the cache folder given
    georgia = read_dataset(settings.source("cinc") / "georgia")
    assert georgia.kind == "challenge" and len(georgia) + len(georgia.skipped) == 60
    assert all(r.labels for r in georgia.records)
    one = read_dataset("real:ptbdb")
    assert len(one) == 4 and one.targets().sum() == 4
    with pytest.raises(ECGReadError, match="not a folder"):
        read_dataset(tmp_path / "missing")
    with pytest.raises(ECGReadError, match="neither"):
        read_dataset(tmp_path)


def test_read_dataset_skips_a_broken_challenge_record(tmp_path, settings):
    for name in ("E00271", "E01137"):
        for ext in (".hea", ".mat"):
            shutil.copy(settings.source("cinc") / "georgia" / f"{name}{ext}", tmp_path)
    (tmp_path / "E01137.mat").write_bytes(b"\x00" * 100)
    data = read_dataset(tmp_path)
    assert [r.record_id for r in data.records] == ["E00271"]
    assert data.skipped["E01137"].startswith("unreadable")


def test_data_command_prints_the_counts(capsys, counts):
    assert main(["data", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["sources"] == json.loads(json.dumps(counts))
    assert main(["data"]) == 0
    table = capsys.readouterr().out
    assert "cinc/georgia" in table and "ludb" in table and "duplicates removed" in table
    assert main(["data", "--data-root", "none"]) == 2
    assert "ECG_DATA_ROOT" in capsys.readouterr().err


def _records(capsys, *args) -> list[dict]:
    assert main(["records", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_records_command_filters(capsys):
    every = _records(capsys)
    assert len(every) == 575
    mi = _records(capsys, "--superclass", "MI", "--with-signal")
    assert len(mi) == 75 and {8, 8883, 9739} <= {r["ecg_id"] for r in mi}
    assert next(r for r in mi if r["ecg_id"] == 8)["scp_codes"]["IMI"] == 35.0
    women = _records(capsys, "--sex", "F", "--age-min", "60", "--age-max", "70", "--fold", "10")
    assert 0 < len(women) < len(every) and all(r["sex"] == "F" and 60 <= r["age"] <= 70 for r in women)
    assert all(r["strat_fold"] == 10 for r in women)
    assert {r["ecg_id"] for r in _records(capsys, "--scp", "iscla")} >= {9739}
    assert main(["records", "--superclass", "MI", "--with-signal", "--limit", "0"]) == 0
    assert "75 records" in capsys.readouterr().out
    assert len(_records(capsys, "--all")) == len(catalogue.catalogue())


def test_records_command_errors_and_data_setting(capsys, tmp_path, settings):
    assert main(["records", "--scp", "NOTACODE"]) == 2
    assert capsys.readouterr().err.startswith("error: Unknown SCP code(s) NOTACODE")
    assert main(["records", "--data", str(tmp_path)]) == 2
    assert "error: No ptbxl_database.csv" in capsys.readouterr().err
    root = tmp_path / "ptbxl"
    root.mkdir()
    lines = (settings.source("ptbxl") / "ptbxl_database.csv").read_text().splitlines(keepends=True)
    (root / "ptbxl_database.csv").write_text("".join(lines[:11]))
    shutil.copy(settings.source("ptbxl") / "scp_statements.csv", root)
    rows = _records(capsys, "--data", str(root))
    assert [r["ecg_id"] for r in rows] == list(range(1, 11)) and not any(r["has_500"] for r in rows)
    assert main(["records", "--data-root", str(tmp_path / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_download_fails_fast_and_clearly_offline(capsys, tmp_path):
    out = tmp_path / "root"
    started = time.monotonic()
    assert main(["download", "--out", str(out), "--host", "physionet.invalid", "--timeout", "3"]) == 2
    assert time.monotonic() - started < 10
    err = capsys.readouterr().err
    assert err.startswith("error: cannot download ludb and ptbxl") and "physionet.invalid" in err
    assert "ECG_DATA_ROOT" in err and not out.exists()
    assert physionet_reachable("127.0.0.1", port=9, timeout=2)[0] is False  # discard port: nothing listens


def test_no_state_at_module_level_in_the_data_layer():
    import ecgcore.data.catalogue as c
    import ecgcore.data.ptbxl as p
    import ecgcore.data.snomed as s

    for module in (c, p, s):
        assert not [n for n, v in vars(module).items() if hasattr(v, "cache_clear")], module.__name__
    assert np.array_equal(resolve(data_root="none").data_root is None, True)


def test_caches_go_to_the_cache_folder_never_under_the_data_root(settings, tmp_path, monkeypatch):
    def listing() -> set[str]:
        return {str(p.relative_to(settings.data_root)) for name in ("ptbxl", "ptbxl_more")
                for p in settings.source(name).rglob("*")}

    before = listing()
    monkeypatch.setenv("ECG_CACHE_DIR", str(tmp_path / "cache"))
    folders = ptbxl.data_root_folders(settings)
    X = ptbxl.load_signals(folders, [1, 11, 6000], rate=100, workers=1)  # default cache folder: the settings'
    assert X.shape == (3, 12, 1000) and len(list((tmp_path / "cache").glob("signals_100hz_*.npy"))) == 1
    catalogue.catalogue(resolve())
    assert listing() == before
