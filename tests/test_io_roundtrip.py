"""Round trips (write a real record as WFDB/CSV/NPY/EDF, read it back) and property-based tests of the readers."""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

import edfio
import numpy as np
import pandas as pd
import pytest
import wfdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bad_inputs.real_records import record_stem  # noqa: E402

from ecgcore.core.errors import ECGError  # noqa: E402
from ecgcore.io import read_upload  # noqa: E402
from ecgcore.core.leads import INDEPENDENT, LEADS, LIMB_DERIVED, derive_limb_leads  # noqa: E402

@pytest.fixture(scope="module")
def real() -> np.ndarray:
    """(12, samples) mV of a real 500 Hz record: PTB-XL 06001 read by wfdb.rdsamp."""
    signal, fields = wfdb.rdsamp(record_stem("ptbxl/records500/06000/06001_hr.hea"))
    assert fields["fs"] == 500
    return signal.T.astype(np.float32)


def as_wfdb(signal: np.ndarray, fs: float, names: list[str], fmt: str = "16", units: str = "mV") -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        wfdb.wrsamp("rt", fs=fs, units=[units] * len(names), sig_name=names, p_signal=signal.T.astype(np.float64),
                    fmt=[fmt] * len(names), write_dir=tmp)
        return {p.name: p.read_bytes() for p in Path(tmp).iterdir()}


def as_csv(signal: np.ndarray, fs: float, names: list[str], **kwargs) -> bytes:
    frame = pd.DataFrame(signal.T.astype(np.float64), columns=names)
    frame.insert(0, "time", np.arange(signal.shape[1]) / fs)
    return frame.to_csv(index=False, float_format="%.6g", **kwargs).encode("utf-8")


def as_npy(signal: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, signal)
    return buf.getvalue()


def as_edf(signal: np.ndarray, fs: float, names: list[str], unit: str = "mV") -> bytes:
    span = float(np.abs(signal).max()) + 1e-3
    edf = edfio.Edf([edfio.EdfSignal(row.astype(np.float64), sampling_frequency=fs, label=name, physical_dimension=unit,
                                     physical_range=(-span, span)) for row, name in zip(signal, names)])
    buf = io.BytesIO()
    edf.write(buf)
    return buf.getvalue()


def quantum(signal: np.ndarray, bits: int = 16) -> float:
    """One digital step when each lead's range is stored in `bits` bits (the precision of WFDB/EDF writers)."""
    return float(np.ptp(signal, axis=1).max()) / (2**bits - 2) * 2 + 1e-7


def test_wfdb_round_trip(real):
    for fmt in ("16", "212", "24", "32"):
        ecg = read_upload(as_wfdb(real, 500, list(LEADS), fmt=fmt))
        bits = {"16": 16, "212": 12, "24": 24, "32": 32}[fmt]
        np.testing.assert_allclose(ecg.signal, real, atol=quantum(real, bits))
        assert ecg.fs == 500 and ecg.leads == LEADS


def test_csv_round_trip(real):
    for kwargs in ({}, {"sep": ";", "decimal": ","}, {"sep": "\t"}):
        ecg = read_upload({"r.csv": as_csv(real, 500, list(LEADS), **kwargs)})
        np.testing.assert_allclose(ecg.signal, real, rtol=1e-5, atol=1e-6)
        assert ecg.fs == 500


def test_npy_round_trip(real):
    ecg = read_upload({"r.npy": as_npy(real)}, fs=500)
    np.testing.assert_array_equal(ecg.signal, real)
    transposed = read_upload({"r.npy": as_npy(real.T.copy())}, fs=500)
    np.testing.assert_array_equal(transposed.signal, real)


def test_edf_round_trip(real):
    edf = as_edf(real, 500, list(LEADS))
    ecg = read_upload({"r.edf": edf})
    np.testing.assert_allclose(ecg.signal, real, atol=quantum(real))
    microvolts = read_upload({"r.edf": as_edf(real * 1000, 500, list(LEADS), unit="uV")})
    np.testing.assert_allclose(microvolts.signal, real, atol=quantum(real))
    assert "notes" not in microvolts.meta  # units declared, nothing guessed


def test_challenge_record_round_trips_through_every_format():
    signal, _ = wfdb.rdsamp(record_stem("cinc/cpsc2018/A0689.hea"))
    sig = signal.T.astype(np.float32)
    for files, fs in (({"r.csv": as_csv(sig, 500, list(LEADS))}, None), ({"r.npy": as_npy(sig)}, 500),
                      ({"r.edf": as_edf(sig, 500, list(LEADS))}, None), (as_wfdb(sig, 500, list(LEADS)), None)):
        ecg = read_upload(files, fs=fs)
        np.testing.assert_allclose(ecg.signal, sig, atol=quantum(sig) + 1e-5)


# ------------------------------------------------------------------------------------------ property-based tests
def ecg_like(seed: int, n: int, scale: float) -> np.ndarray:
    """(12, n) mV: a sum of sines plus noise, each lead with a plausible span (0.2-6 mV); III, aVR, aVL and aVF
    follow from I and II as on a real record (the readers check Einthoven's and Goldberger's equations)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)[None, :]
    sig = (np.sin(2 * np.pi * rng.uniform(0.002, 0.02, (12, 1)) * t) * rng.uniform(0.1, 1.5, (12, 1))
           + rng.normal(0, 0.05, (12, n)))
    for lead, values in derive_limb_leads(sig[0], sig[1]).items():
        sig[LEADS.index(lead)] = values
    return (sig * scale).astype(np.float32)


fs_values = st.sampled_from([100.0, 128.0, 250.0, 257.0, 360.0, 500.0, 1000.0])
relaxed = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@relaxed
@given(seed=st.integers(0, 2**16), fs=fs_values, seconds=st.floats(2.5, 12), fmt=st.sampled_from(["csv", "npy", "edf",
                                                                                                    "wfdb"]))
def test_any_plausible_record_round_trips(seed, fs, seconds, fmt):
    n = int(np.ceil(seconds * fs))
    if fmt == "edf":
        n = int(fs) * int(np.ceil(n / fs))  # edfio writes whole 1 s data records
    sig = ecg_like(seed, n, 1.0)
    files = {"csv": lambda: {"r.csv": as_csv(sig, fs, list(LEADS))}, "npy": lambda: {"r.npy": as_npy(sig)},
             "edf": lambda: {"r.edf": as_edf(sig, fs, list(LEADS))}, "wfdb": lambda: as_wfdb(sig, fs, list(LEADS))}[fmt]()
    ecg = read_upload(files, fs=fs if fmt == "npy" else None)
    assert ecg.fs == pytest.approx(fs, rel=1e-4) and ecg.signal.shape == (12, n) and ecg.leads == LEADS
    np.testing.assert_allclose(ecg.signal, sig, atol=quantum(sig) + 1e-4 * float(np.abs(sig).max()))


@relaxed
@given(order=st.permutations(list(range(12))), case=st.sampled_from([str.lower, str.upper, lambda x: x]),
       seed=st.integers(0, 1000))
def test_lead_order_and_case_do_not_matter(order, case, seed):
    sig = ecg_like(seed, 1500, 1.0)
    names = [case(LEADS[i]) for i in order]
    ecg = read_upload({"r.csv": as_csv(sig[order], 500, names)})
    assert ecg.leads == LEADS
    np.testing.assert_allclose(ecg.signal, sig, rtol=1e-5, atol=1e-6)


@relaxed
@given(seed=st.integers(0, 1000), limb=st.sampled_from([("I", "II"), ("I", "III"), ("II", "III")]))
def test_eight_independent_leads_give_the_other_four(seed, limb):
    base = ecg_like(seed, 1500, 1.0)
    lead_i, lead_ii = base[0], base[1]
    full = np.stack([lead_i, lead_ii, lead_ii - lead_i, -(lead_i + lead_ii) / 2, lead_i - lead_ii / 2,
                     lead_ii - lead_i / 2, *base[6:]])
    keep = [LEADS.index(x) for x in limb] + list(range(6, 12))
    ecg = read_upload({"r.csv": as_csv(full[keep], 500, [LEADS[i] for i in keep])})
    assert set(ecg.derived) == {x for x in ("I", "II", "III") if x not in limb} | set(LIMB_DERIVED) - set(limb)
    np.testing.assert_allclose(ecg.signal, full, atol=1e-4)
    assert set(INDEPENDENT) - set(ecg.derived) >= set(INDEPENDENT) - {"I", "II"}


@relaxed
@given(seed=st.integers(0, 1000), fmt=st.sampled_from(["csv", "npy"]))
def test_microvolt_data_is_converted_and_noted(seed, fmt):
    sig = ecg_like(seed, 2000, 1.0)
    files = {"r.csv": as_csv(sig * 1000, 500, list(LEADS))} if fmt == "csv" else {"r.npy": as_npy(sig * 1000)}
    ecg = read_upload(files, fs=500)
    np.testing.assert_allclose(ecg.signal, sig, rtol=1e-4, atol=1e-5)
    assert any("microvolts" in note for note in ecg.meta["notes"])


@relaxed
@given(data=st.binary(max_size=4000), ext=st.sampled_from([".hea", ".csv", ".npy", ".edf", ".zip", ".txt"]),
       fs=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)))
def test_arbitrary_bytes_never_crash(data, ext, fs):
    try:
        read_upload({"x" + ext: data, **({"x.dat": data} if ext == ".hea" else {})}, fs=fs)
    except ECGError:
        pass
