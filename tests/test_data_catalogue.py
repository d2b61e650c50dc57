"""The shipped demo catalogue, the real evaluation set, dataset folders and the records/download commands."""
from __future__ import annotations

import json
import shutil
import time
from collections import Counter

import numpy as np
import pytest

from ecgcore.cli import main
from ecgcore.cli.download import physionet_reachable
from ecgcore.config import DEMO_CINC, DEMO_PTBXL, SUPERCLASSES
from ecgcore.data import catalogue
from ecgcore.data.folders import read_dataset
from ecgcore.errors import ECGReadError, UnknownNameError


@pytest.fixture(scope="module")
def cat():
    return catalogue.demo_catalogue()


def test_catalogue_lists_every_shipped_record(cat):
    assert len(cat) == 206 and cat["record_id"].is_unique
    assert Counter(cat["source"]) == {"ptbxl": 39, "cinc/ptbxl": 37, "cinc/cpsc2018": 4, "cinc/georgia": 60,
                                      "cinc/chapman_shaoxing": 9, "cinc/ningbo": 56, "ptbdb": 1}
    assert {"ptbxl/00001", "cinc/georgia/E00271", "ptbdb/patient096/s0379lre"} <= set(cat["record_id"])
    row = cat.set_index("record_id").loc["ptbxl/00001"]
    assert row["superclasses"] == ("NORM",) and row["strat_fold"] == 3 and row["sex"] == "F"
    cpsc = cat[cat["source"] == "cinc/cpsc2018"]
    assert cpsc["duration"].nunique() > 1 and (cat.loc[cat["source"] == "ptbdb", "fs"] == 1000).all()
    assert cat.loc[cat["record_id"] == "cinc/ptbxl/HR12083", "superclasses"].iloc[0] is None  # unlabelled


def test_duplicates_point_at_the_ptbxl_recording_and_are_counted_once(cat):
    dups = cat[cat["duplicate_of"].notna()]
    assert len(dups) == 37 and set(dups["source"]) == {"cinc/ptbxl"}
    assert set(dups["duplicate_of"]) <= set(cat.loc[cat["source"] == "ptbxl", "record_id"])
    assert not dups["in_real_set"].any()
    real = catalogue.real_labelled_records()
    ids = [r.record_id for r in real]
    assert len(ids) == len(set(ids)) == cat["in_real_set"].sum()
    assert not any(r.source == "cinc/ptbxl" for r in real)


def test_real_labelled_records(cat):
    real = catalogue.real_labelled_records()
    assert all(r.labels for r in real)
    assert Counter(r.source for r in real)["ptbxl"] == 38  # ecg_id 12083 (PACE only) is unlabelled
    Y = catalogue.real_label_matrix(real)
    assert Y.shape == (len(real), 5)
    counts = dict(zip(SUPERCLASSES, Y.sum(0)))
    assert counts["MI"] == 4  # PTB-XL 8, 8883, 9739 and the ptbdb record
    assert all(counts[c] > 0 for c in SUPERCLASSES)
    assert len(real) == 148


def test_load_record_for_each_source():
    ecg = catalogue.load_record("ptbxl/00002")
    assert ecg.fs == 500 and ecg.signal.shape == (12, 5000) and "resampled_from_hz" not in ecg.meta
    low = catalogue.load_record("ptbxl/00002", rate=100)
    assert low.fs == 100 and low.meta["resampled_from_hz"] == 500
    assert catalogue.load_record("ptbxl/00001", rate=100).meta.get("resampled_from_hz") is None
    georgia = catalogue.load_record("cinc/georgia/E00271")
    assert georgia.record_id == "cinc/georgia/E00271" and georgia.source == "cinc/georgia"
    assert georgia.labels == ("CD",)
    ptbdb = catalogue.load_record("ptbdb/patient096/s0379lre", rate=100)
    assert ptbdb.fs == 100 and ptbdb.signal.shape == (12, 11520) and ptbdb.labels == ("MI",)
    with pytest.raises(UnknownNameError, match="ptbxl/00001"):
        catalogue.load_record("ptbxl/00011")  # in the csv, but no waveform is shipped


def test_read_dataset_for_each_kind(tmp_path):
    fold10 = read_dataset(DEMO_PTBXL, cache_dir=tmp_path)
    assert fold10.kind == "ptbxl" and len(fold10) == 6 and {r.meta["strat_fold"] for r in fold10.records} == {10}
    assert all(r.fs == 100 and r.signal.shape == (12, 1000) for r in fold10.records)
    assert fold10.targets().shape == (6, 5) and "no waveform file" in fold10.skipped.values()
    georgia = read_dataset(DEMO_CINC / "georgia")
    assert georgia.kind == "challenge" and len(georgia) + len(georgia.skipped) == 60
    assert all(r.labels for r in georgia.records)
    real = read_dataset("real")
    assert len(real) == 148 and real.targets().sum() > 148 - 1
    with pytest.raises(ECGReadError, match="not a folder"):
        read_dataset(tmp_path / "missing")
    with pytest.raises(ECGReadError, match="neither"):
        read_dataset(tmp_path)


def test_read_dataset_skips_a_broken_challenge_record(tmp_path):
    for name in ("E00271", "E01137"):
        for ext in (".hea", ".mat"):
            shutil.copy(DEMO_CINC / "georgia" / f"{name}{ext}", tmp_path)
    (tmp_path / "E01137.mat").write_bytes(b"\x00" * 100)
    data = read_dataset(tmp_path)
    assert [r.record_id for r in data.records] == ["E00271"]
    assert data.skipped["E01137"].startswith("unreadable")


def _records(capsys, *args) -> list[dict]:
    assert main(["records", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_records_command_filters(capsys):
    every = _records(capsys)
    assert len(every) == 550
    mi = _records(capsys, "--superclass", "MI", "--with-signal")
    assert [r["ecg_id"] for r in mi] == [8, 8883, 9739] and mi[0]["scp_codes"]["IMI"] == 35.0
    women = _records(capsys, "--sex", "F", "--age-min", "60", "--age-max", "70", "--fold", "10")
    assert 0 < len(women) < len(every) and all(r["sex"] == "F" and 60 <= r["age"] <= 70 for r in women)
    assert all(r["strat_fold"] == 10 for r in women)
    assert len(_records(capsys, "--validated")) == 548
    assert {r["ecg_id"] for r in _records(capsys, "--scp", "iscla")} >= {9739}
    assert main(["records", "--superclass", "MI", "--with-signal"]) == 0
    table = capsys.readouterr().out
    assert "8883" in table and "3 records" in table
    assert len(_records(capsys, "--demo")) == 206


def test_records_command_errors_and_data_setting(capsys, tmp_path, monkeypatch):
    assert main(["records", "--scp", "NOTACODE"]) == 2
    assert capsys.readouterr().err.startswith("error: Unknown SCP code(s) NOTACODE")
    assert main(["records", "--data", str(tmp_path)]) == 2
    assert "error: No ptbxl_database.csv" in capsys.readouterr().err
    root = tmp_path / "ptbxl"
    root.mkdir()
    lines = (DEMO_PTBXL / "ptbxl_database.csv").read_text().splitlines(keepends=True)
    (root / "ptbxl_database.csv").write_text("".join(lines[:11]))
    shutil.copy(DEMO_PTBXL / "scp_statements.csv", root)
    monkeypatch.setenv("ECG_PTBXL_DIR", str(root))
    rows = _records(capsys)
    assert [r["ecg_id"] for r in rows] == list(range(1, 11)) and not any(r["has_500"] for r in rows)
    assert len(_records(capsys, "--data", str(DEMO_PTBXL))) == 550  # the flag wins over the env var


def test_download_fails_fast_and_clearly_offline(capsys, tmp_path):
    out = tmp_path / "ptb-xl"
    started = time.monotonic()
    assert main(["download", "--out", str(out), "--host", "physionet.invalid", "--timeout", "3"]) == 2
    assert time.monotonic() - started < 10
    err = capsys.readouterr().err
    assert err.startswith("error: cannot download PTB-XL") and "physionet.invalid" in err and "--data" in err
    assert not out.exists()
    assert physionet_reachable("127.0.0.1", port=9, timeout=2)[0] is False  # discard port: nothing listens


def test_download_against_physionet_when_offline(capsys, tmp_path):
    if physionet_reachable(timeout=3)[0]:
        pytest.skip("physionet.org is reachable from here: the offline path cannot be exercised")
    started = time.monotonic()
    assert main(["download", "--out", str(tmp_path / "x"), "--timeout", "3"]) == 2
    assert time.monotonic() - started < 10
    assert "PhysioNet is unreachable" in capsys.readouterr().err
