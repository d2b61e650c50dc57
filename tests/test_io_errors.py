"""The table of bad inputs, each with the clear error a user sees (what is wrong, what would work)."""
from __future__ import annotations

import io

import numpy as np
import pytest

from tests.bad_inputs.real_records import record_files  # noqa: E402

from ecgcore.core.ecg import twelve_leads  # noqa: E402
from ecgcore.core.errors import ECGError, ECGReadError, ECGSignalError  # noqa: E402
from ecgcore.io import read_upload, validate  # noqa: E402
from ecgcore.core.settings import ROOT  # noqa: E402

PTBXL = "ptbxl/records500/00000/00001_hr.hea"


def _ptbxl(**changes: bytes) -> dict[str, bytes]:
    files = record_files(PTBXL)
    files.update(changes)
    return files


def _header(old: bytes, new: bytes) -> dict[str, bytes]:
    files = record_files(PTBXL)
    files["00001_hr.hea"] = files["00001_hr.hea"].replace(old, new)
    return files


def _npy(array: np.ndarray) -> dict[str, bytes]:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=array.dtype == object)
    return {"r.npy": buf.getvalue()}


def _real_signal() -> np.ndarray:
    dat = record_files(PTBXL)["00001_hr.dat"]
    return np.frombuffer(dat, dtype="<i2").reshape(-1, 12).T / 1000.0


TABLE = [
    # (what, files, fs, error type, words in the message)
    ("truncated .dat", lambda: _ptbxl(**{"00001_hr.dat": record_files(PTBXL)["00001_hr.dat"][:60_000]}), None,
     ECGReadError, ["truncated", "holds 5.00 s", "says 10.00 s", "complete file"]),
    ("zero-length .dat", lambda: _ptbxl(**{"00001_hr.dat": b""}), None, ECGReadError, ["empty", "0 bytes"]),
    ("header/data mismatch", lambda: _header(b"00001_hr 12 500 5000", b"00001_hr 12 500 4000"), None, ECGReadError,
     ["do not match", "4000 samples", "header that belongs"]),
    ("header rate 0", lambda: _header(b"00001_hr 12 500 5000", b"00001_hr 12 0 5000"), None, ECGReadError,
     ["impossible", "100-1000 Hz"]),
    ("header rate 10 MHz", lambda: _header(b"00001_hr 12 500 5000", b"00001_hr 12 10000000 5000"), None,
     ECGReadError, ["10000000 Hz", "outside"]),
    ("header rate -500 (wfdb alone would read 250 Hz)", lambda: _header(b" 500 5000", b" -500 5000"), None,
     ECGReadError, ["sampling rate", "-500"]),
    ("unknown storage format", lambda: _header(b".dat 16 ", b".dat 508 "), None, ECGReadError,
     ["format 508", "not supported"]),
    ("2 s record", lambda: _npy(_real_signal()[:, :1000]), 500, ECGSignalError, ["2.00 s", "at least 2.5 s"]),
    ("NaN samples", lambda: _npy(np.where(np.arange(5000) % 1000 == 3, np.nan, _real_signal())), 500, ECGSignalError,
     ["missing or infinite", "I (5 of 5000)", "without gaps"]),
    ("Inf sample", lambda: _npy(np.where(np.arange(5000) == 3, np.inf, _real_signal())), 500, ECGSignalError,
     ["infinite"]),
    ("flat lines", lambda: _npy(np.full((12, 5000), 0.3)), 500, ECGSignalError, ["flat line", "electrodes"]),
    ("absurd amplitudes", lambda: _npy(_real_signal() * 1e8), 500, ECGSignalError, ["absurd", "0.5-5 mV"]),
    ("volts, not mV", lambda: _npy(_real_signal() / 1000), 500, ECGSignalError, ["too small", "volts"]),
    ("one lead x100", lambda: _npy(_real_signal() * np.r_[np.ones(11), 100][:, None]), 500, ECGSignalError,
     ["V6", "saturated"]),
    ("unknown format", lambda: {"ecg.json": b"{}"}, None, ECGReadError, ["unknown file type .json", "CSV"]),
    ("npy without a rate", lambda: _npy(_real_signal()), None, ECGReadError, ["no sampling rate", "500"]),
    ("npy of Python objects", lambda: _npy(np.array([1, "x"], dtype=object)), 500, ECGReadError,
     ["Python objects", "never"]),
    ("data file without header", lambda: {"00001_hr.dat": record_files(PTBXL)["00001_hr.dat"]}, None, ECGReadError,
     ["without its .hea", "zip"]),
]


@pytest.mark.parametrize("what, make, fs, error, words", TABLE, ids=[row[0] for row in TABLE])
def test_bad_input_gives_a_clear_error(what, make, fs, error, words):
    with pytest.raises(error) as info:
        read_upload(make(), fs=fs)
    for word in words:
        assert word.lower() in str(info.value).lower(), (word, str(info.value))
    assert "Traceback" not in str(info.value)


def test_microvolt_data_is_converted_with_a_note():
    mv = _real_signal()
    ecg = read_upload(_npy(mv * 1000), fs=500)
    np.testing.assert_allclose(ecg.signal, mv, atol=1e-6)
    assert "microvolts" in " ".join(ecg.meta["notes"])


def test_oversized_input_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(validate, "MAX_UPLOAD_MB", 1)
    calls = []
    monkeypatch.setattr("ecgcore.io.upload.read_csv", lambda *a, **k: calls.append(a))
    with pytest.raises(ECGReadError, match="over the 1 MB limit"):
        read_upload({"big.csv": b"I,II\n" + b"1,2\n" * 300_000})
    assert calls == []


def test_real_upload_limit_matches_streamlit_config():
    text = (ROOT / ".streamlit" / "config.toml").read_text()
    assert f"maxUploadSize = {validate.MAX_UPLOAD_MB}" in text
    assert validate.max_upload_bytes() == validate.MAX_UPLOAD_MB * 1024 * 1024


def test_too_long_record_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(validate, "MAX_VALUES", 12 * 4000)
    with pytest.raises(ECGReadError, match="too long"):
        read_upload(record_files(PTBXL))


def test_errors_are_value_errors_for_callers_that_catch_broadly():
    with pytest.raises(ValueError):
        read_upload({})
    assert issubclass(ECGReadError, ECGError) and issubclass(ECGSignalError, ECGError)


def test_record_missing_a_lead_is_read_but_the_models_refuse_it():
    ecg = read_upload(_header(b" V4\n", b" X4\n"))
    assert "V4" not in ecg.leads and len(ecg.leads) == 11 and ecg.meta["ignored_channels"] == ["X4"]
    with pytest.raises(ECGSignalError) as info:
        twelve_leads(ecg)
    assert all(w in str(info.value) for w in ("cannot score", "lacks V4", "I, II, V1-V6"))


def test_mlii_is_kept_as_the_holter_lead_never_as_ii():
    real = _real_signal()  # PTB-XL 00001, 500 Hz: lead II written as MLII
    rows = "".join(f"{i / 500:.4f},{real[1, i]:.4f},{real[6, i]:.4f}\n" for i in range(real.shape[1]))
    ecg = read_upload({"r.csv": ("time,MLII,V1\n" + rows).encode()})
    assert ecg.leads == ("V1", "MLII") and ecg.fs == 500.0
    assert np.allclose(ecg.lead("MLII"), real[1], atol=1e-4)
    with pytest.raises(ECGSignalError, match="cannot score"):
        twelve_leads(ecg)
