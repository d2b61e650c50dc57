"""read_wfdb / read_path on the real shipped records, compared with wfdb.rdsamp sample for sample."""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
import wfdb

from tests.bad_inputs.real_records import real_path, record_files, record_stem  # noqa: E402

from ecgcore.core.errors import ECGReadError  # noqa: E402
from ecgcore.io import read_path, read_upload  # noqa: E402
from ecgcore.io.wfdb_reader import dx_codes, fix_header_text, parse_age, parse_sex, read_wfdb  # noqa: E402
from ecgcore.core.leads import LEADS  # noqa: E402


def test_ptbxl_record_matches_rdsamp_sample_for_sample():
    ecg = read_wfdb(record_files("ptbxl/records500/00000/00001_hr.hea"))
    expected, fields = wfdb.rdsamp(record_stem("ptbxl/records500/00000/00001_hr.hea"))
    assert ecg.fs == 500 and ecg.signal.shape == (12, 5000) and ecg.duration == 10.0
    assert ecg.leads == LEADS and ecg.derived == ()
    assert fields["sig_name"] == ["I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6"]
    np.testing.assert_allclose(ecg.signal, expected.T, atol=1e-6)
    # known values: the first sample of each lead is the "initial value" written in the header (gain 1000/mV)
    initial = np.array([-115, -50, 65, 82, -90, 7, -65, -40, -5, -35, -35, -75]) / 1000
    np.testing.assert_allclose(ecg.signal[:, 0], initial, atol=1e-6)
    assert ecg.record_id == "00001_hr" and ecg.source == "upload:wfdb" and ecg.labels is None


def test_ptbxl_100hz_record():
    ecg = read_path(real_path("ptbxl/records100/00000/00001_lr.hea"))
    expected, _ = wfdb.rdsamp(record_stem("ptbxl/records100/00000/00001_lr.hea"))
    assert ecg.fs == 100 and ecg.signal.shape == (12, 1000)
    np.testing.assert_allclose(ecg.signal, expected.T, atol=1e-6)


def test_challenge_v1_header_quirk_is_fixed_in_memory():
    files = record_files("cinc/georgia/E07500.hea")
    assert files["E07500.hea"].startswith(b"E07500.mat 12 500 5000")
    ecg = read_wfdb(files)
    # the same record read by wfdb from a corrected copy
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "E07500.hea").write_text(fix_header_text(files["E07500.hea"]))
        Path(tmp, "E07500.mat").write_bytes(files["E07500.mat"])
        expected, _ = wfdb.rdsamp(str(Path(tmp, "E07500")))
    np.testing.assert_allclose(ecg.signal, expected.T, atol=1e-6)
    assert ecg.record_id == "E07500" and ecg.age == 78 and ecg.sex == "M"
    assert ecg.meta["dx_codes"] == ["67741000119109", "426177001"]
    assert "Dx: 67741000119109,426177001" in ecg.meta["comments"]


def test_empty_dx_code_is_dropped_and_comments_kept():
    ecg = read_wfdb(record_files("cinc/ningbo/JS20005.hea"))
    assert ecg.meta["dx_codes"] == ["284470004", "89792004", "427084000", "427172004"]
    assert any(c.startswith("Dx:") and ",," in c for c in ecg.meta["comments"])
    assert ecg.age == 83 and ecg.sex == "M"


def test_ptbdb_15_lead_record_gives_the_12_standard_leads():
    files = record_files("ptbdb/patient096/s0379lre.hea")
    assert set(files) == {"s0379lre.hea", "s0379lre.dat", "s0379lre.xyz"}
    ecg = read_wfdb(files)
    expected, fields = wfdb.rdsamp(record_stem("ptbdb/patient096/s0379lre.hea"), channels=list(range(12)))
    assert fields["sig_name"][3] == "avr"  # lower-case in the file, canonical in the record
    assert ecg.leads == LEADS and ecg.fs == 1000 and ecg.signal.shape == (12, 115200)
    np.testing.assert_allclose(ecg.signal, expected.T, atol=1e-6)
    assert ecg.meta["ignored_channels"] == ["vx", "vy", "vz"]
    assert ecg.age == 43 and ecg.sex == "M"
    assert "Reason for admission: Myocardial infarction" in ecg.meta["comments"]
    # the .xyz is not needed for the 12 leads
    without_xyz = read_wfdb({k: v for k, v in files.items() if not k.endswith(".xyz")})
    np.testing.assert_array_equal(without_xyz.signal, ecg.signal)


def test_every_shipped_record_reads():
    heads = sorted(real_path("cinc").rglob("*.hea")) + sorted(real_path("ptbxl").rglob("*.hea")) + sorted(
        real_path("ptbdb").rglob("*.hea"))
    assert len(heads) >= 200
    for hea in heads:
        ecg = read_path(hea)
        assert ecg.signal.shape[0] == 12 and ecg.duration >= 2.5 and np.isfinite(ecg.signal).all(), hea
        assert ecg.derived == (), hea


def test_real_flat_leads_are_kept_and_named():
    # Ningbo JS11438 has V1-V6 recorded as zeros: the record is real and labelled, so it is read with a note
    ecg = read_wfdb(record_files("cinc/ningbo/JS11438.hea"))
    assert not ecg.signal[6:].any()
    assert any("V1, V2, V3, V4, V5, V6" in note and "flat" in note for note in ecg.meta["notes"])


def test_header_fields():
    assert parse_age("78") == 78 and parse_age("NaN") is None and parse_age("n/a") is None and parse_age("300") is None
    assert parse_sex("Male") == "M" and parse_sex("female") == "F" and parse_sex("Unknown") is None
    assert dx_codes(["Age: 3", "Dx: 1,,2, "]) == ["1", "2"] and dx_codes(["Age: 3"]) == []
    assert fix_header_text(b"E1.mat 12 500 5000\r\nE1.mat 16+24 1000/mV 16 0 0 0 0 I\r\n").startswith("E1 12 500")


def test_reading_leaves_no_files_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    read_upload(record_files("cinc/georgia/E07500.hea"))
    broken = record_files("ptbxl/records500/00000/00001_hr.hea")
    broken["00001_hr.dat"] = broken["00001_hr.dat"][:999]
    with pytest.raises(ECGReadError, match="truncated"):
        read_upload(broken)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("stamp,date", [
    ("2017-01-31 12:00:00", "2017-01-31"),  # ISO date before the time (a Challenge 2017 export)
    ("12:00:00 2017-01-31", "2017-01-31"),
    ("2017-01-31T12:00:00", "2017-01-31"),
    ("08:00 31.01.2017", "31.01.2017"),
    ("12:00:00 2017/01/31", "2017/01/31"),
    ("05:05:15 1/05/2000", "1/05/2000"),  # WFDB's own form, as PhysioNet's training2017 headers write it
])
def test_base_dates_in_the_forms_real_headers_use_are_read(stamp, date):
    from ecgcore.core.settings import resolve
    from ecgcore.io import read_upload

    folder = resolve().require_data_root() / "ptbxl" / "records500" / "00000"
    files = {p.name: p.read_bytes() for p in folder.glob("00001_hr.*")}
    lines = files["00001_hr.hea"].decode().split("\n")
    lines[0] = " ".join(lines[0].split()[:4]) + " " + stamp
    ecg = read_upload({**files, "00001_hr.hea": "\n".join(lines).encode()})
    assert ecg.n_samples == 5000 and ecg.fs == 500.0 and ecg.meta["base_date"] == date


@pytest.mark.parametrize("master", [
    b"multi/2 12 500 5000\n",  # no segment lines
    b"multi/2 12 500 5000\n~ 2500\n~ 2500\n",  # only gaps: no samples at all
    b"multi/x 12 500 5000\nmulti_0001 2500\nmulti_0002 2500\n",
    b"multi/2 12 500 5000\nmulti_0001 0\nmulti_0002 2500\n",
])
def test_a_broken_multi_segment_master_is_a_clear_error_never_a_reader_failure(master):
    """Shapes the fuzzing bench found crashing the multi-segment reader (now each an ECGReadError of its own)."""
    from ecgcore.core.errors import ECGReadError, ReaderFailure
    from ecgcore.core.settings import resolve
    from ecgcore.io import read_upload

    folder = resolve().require_data_root() / "cases" / "wfdb-multi-segment"
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix in (".hea", ".dat")}
    with pytest.raises(ECGReadError) as err:
        read_upload({**files, "multi.hea": master})
    assert not isinstance(err.value, ReaderFailure), err.value
