"""No data root: the app starts on a small SYNTHETIC demo it writes itself (ecgcore.synth), says SYNTHETIC on
every page, and the Home page says how to add real data. `ECG_DATA_ROOT=none` means "no data root" even where
../shared exists; `ECG_DEMO_DIR` puts the demo in a fresh folder so the first start is exercised."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ecgcore.data import catalogue, ptbxl
from ecgcore.core.errors import ECGError
from ecgcore.core.settings import DataRootMissingError, resolve
from ecgcore.synth.demo import DEMO_RECORDS, ensure_demo

MAIN = str(Path(__file__).resolve().parent.parent / "app" / "main.py")


@pytest.fixture()
def no_data_root(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("ECG_DATA_ROOT", "none")
    monkeypatch.setenv("ECG_DEMO_DIR", str(tmp_path / "demo"))
    return tmp_path / "demo"


def test_settings_without_a_data_root(no_data_root, tmp_path):
    settings = resolve()
    assert settings.data_root is None and settings.demo_dir == no_data_root
    assert catalogue.catalogue(settings).empty and catalogue.summary(settings) == {}
    with pytest.raises(DataRootMissingError, match="ECG_DATA_ROOT"):
        settings.require_data_root()
    with pytest.raises(DataRootMissingError, match="is not a folder"):
        resolve(data_root=tmp_path / "typo")  # an explicit bad root is an error, never the demo


def test_the_app_serves_its_synthetic_demo_on_first_start(no_data_root):
    assert not no_data_root.exists()
    at = AppTest.from_file(MAIN, default_timeout=240).run()
    assert not at.exception, [e.value for e in at.exception]
    assert (no_data_root / ptbxl.DATABASE_CSV).is_file()  # written on first start
    assert any("SYNTHETIC" in w.value for w in at.warning)
    info = " ".join(i.value for i in at.info)
    assert "python -m ecgcore download" in info and "ECG_DATA_ROOT" in info
    assert {m.label: m.value for m in at.metric}["Records"] == str(DEMO_RECORDS)
    db = ptbxl.load_database(no_data_root)
    assert ptbxl.is_synthetic(db) and len(db) == DEMO_RECORDS

    at.switch_page("views/records.py").run()
    assert not at.exception and any("SYNTHETIC" in w.value for w in at.warning)
    assert len(at.dataframe[0].value) == DEMO_RECORDS
    at.query_params["record"] = "synthetic/00001"
    at.switch_page("views/viewer.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("SYNTHETIC" in w.value for w in at.warning)
    assert at.subheader[0].value == "synthetic/00001"


def test_demo_is_written_once(no_data_root):
    first = ensure_demo(resolve())
    stamp = (first / ptbxl.DATABASE_CSV).stat().st_mtime_ns
    assert ensure_demo(resolve()) == first and (first / ptbxl.DATABASE_CSV).stat().st_mtime_ns == stamp
    ecg = catalogue.load_record("synthetic/00001", resolve(), rate=100)
    assert ecg.source == "synthetic" and ecg.fs == 100 and ecg.meta["synthetic"] is True
    with pytest.raises(ECGError):
        catalogue.load_record("ptbxl/00001", resolve())  # no data root: no real record
