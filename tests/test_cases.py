"""Every file under the data root's `cases/` gives what `cases/README.md` says (reading; the measurement cases
af-no-p-waves, lead-off-mid-record and polarity-inverted are measured in tests/test_signal_*)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import wfdb

from ecgcore.core.ecg import twelve_leads
from ecgcore.core.errors import ECGReadError
from ecgcore.io import read_path, read_upload
from ecgcore.io.limb_leads import LeadOrderError, assess
from ecgcore.core.leads import LEADS
from ecgcore.core.settings import resolve

PTBXL_ORDER = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6", "III", "aVR", "aVL", "aVF")


@pytest.fixture(scope="module")
def cases() -> Path:
    return resolve().source("cases")  # fails, naming ECG_DATA_ROOT, when there is no data root


def _is_plain_12_lead(ecg, fs: float, samples: int) -> None:
    assert ecg.leads == LEADS and ecg.derived == () and (ecg.fs, ecg.n_samples) == (fs, samples)
    assert ecg.meta["limb_leads"] == "consistent"
    spans = np.ptp(ecg.signal, axis=1)
    assert 0.3 < float(np.median(spans)) < 5, spans  # millivolts
    twelve_leads(ecg)  # the models accept it


def test_csv_metadata_preamble_rate_and_units_from_the_metadata(cases):
    ecg = read_path(cases / "csv-metadata-preamble" / "device_export.csv")  # no rate given: the file says it
    _is_plain_12_lead(ecg, 500.0, 5000)
    said = ecg.meta["assumptions"]
    assert "'Sampling Rate'" in said["rate"] and said["units"].startswith("µV") and "'Units'" in said["units"]
    raw = np.loadtxt(cases / "csv-metadata-preamble" / "device_export.csv", delimiter=",", skiprows=7)
    np.testing.assert_allclose(ecg.signal, raw.T / 1000, atol=1e-6)  # µV -> mV


def test_csv_metadata_errors_never_echo_metadata_values(cases):
    data = (cases / "csv-metadata-preamble" / "device_export.csv").read_bytes()
    broken = data.replace(b"Sampling Rate,500 Hz", b"Sampling Rate,ANON-0001 Hz")
    with pytest.raises(ECGReadError) as err:
        read_upload({"x.csv": broken})
    assert "Sampling Rate" in str(err.value) and "ANON" not in str(err.value)
    no_header = b"\n".join(line for line in data.split(b"\n") if not line.startswith(b"I,II"))
    with pytest.raises(ECGReadError) as err:
        read_upload({"x.csv": no_header})
    assert "ANON" not in str(err.value) and "2024" not in str(err.value)


def test_csv_units_row_quoted_names_time_in_seconds(cases):
    ecg = read_path(cases / "csv-units-row" / "rdsamp_export.csv")
    _is_plain_12_lead(ecg, 500.0, 5000)
    assert "time column" in ecg.meta["assumptions"]["rate"] and "units row" in ecg.meta["assumptions"]["units"]
    preamble = read_path(cases / "csv-metadata-preamble" / "device_export.csv")
    np.testing.assert_allclose(ecg.signal, preamble.signal, atol=1e-6)  # the same ECG in µV integers


def test_lead_names_di_dii_diii(cases):
    ecg = read_path(cases / "lead-names-DI" / "di_names.csv")
    _is_plain_12_lead(ecg, 500.0, 5000)
    raw = np.genfromtxt(cases / "lead-names-DI" / "di_names.csv", delimiter=",", names=True)
    for name, lead in (("DI", "I"), ("DII", "II"), ("DIII", "III")):
        np.testing.assert_allclose(ecg.lead(lead), raw[name], atol=1e-6)


def test_npy_in_ptbxl_order_is_refused_with_the_order_that_fits(cases):
    data = (cases / "npy-lead-order" / "ptbxl_style_reordered.npy").read_bytes()
    with pytest.raises(LeadOrderError) as err:
        read_upload({"a.npy": data}, fs=500)
    assert err.value.proposed_order == PTBXL_ORDER
    assert "I, II, V1-V6, III, aVR, aVL, aVF" in str(err.value)
    ecg = read_upload({"a.npy": data}, fs=500, lead_order=err.value.proposed_order)
    _is_plain_12_lead(ecg, 500.0, 5000)
    array = np.load(cases / "npy-lead-order" / "ptbxl_style_reordered.npy")
    np.testing.assert_array_equal(ecg.lead("III"), array[8])
    np.testing.assert_array_equal(ecg.lead("V1"), array[2])
    assert "as you stated" in ecg.meta["assumptions"]["leads"]


def test_wfdb_format_212_odd_length(cases):
    ecg = read_path(cases / "wfdb-fmt212-odd-length" / "s212odd.hea")
    _is_plain_12_lead(ecg, 1000.0, 4999)
    assert ecg.meta["ignored_channels"] == ["vx", "vy", "vz"]
    whole = wfdb.rdrecord(str(cases / "wfdb-fmt212-odd-length" / "s212odd"), sampto=4998, channels=list(range(12)))
    np.testing.assert_allclose(ecg.signal[:, :4998], whole.p_signal.T, atol=1e-6)


def test_wfdb_multi_segment_read_as_one_record(cases):
    ecg = read_path(cases / "wfdb-multi-segment" / "multi.hea")
    _is_plain_12_lead(ecg, 500.0, 5000)
    for k, seg in enumerate(("multi_0001", "multi_0002")):
        part = wfdb.rdrecord(str(cases / "wfdb-multi-segment" / seg))
        np.testing.assert_allclose(ecg.signal[:, k * 2500:(k + 1) * 2500], part.p_signal.T, atol=1e-6)
    files = {p.name: p.read_bytes() for p in (cases / "wfdb-multi-segment").iterdir()}
    assert read_upload(files).n_samples == 5000  # the same upload in the browser
    del files["multi_0002.dat"]
    with pytest.raises(ECGReadError, match="multi_0002.dat"):
        read_upload(files)


@pytest.mark.parametrize("folder, stem", [("polarity-inverted", "inv_all"), ("af-no-p-waves", "af105"),
                                          ("lead-off-mid-record", "leadoff_mid")])
def test_measurement_cases_read(cases, folder, stem):
    ecg = read_path(cases / folder / f"{stem}.hea")
    assert ecg.leads == LEADS and (ecg.fs, ecg.n_samples) == (500.0, 5000)
    assert ecg.meta["limb_leads"] == "consistent"
    if folder == "lead-off-mid-record":
        flat = np.ptp(ecg.signal[:, 3 * 500 + 10: 7 * 500 - 10], axis=1)
        assert (flat < 0.01).all()


def test_limb_check_on_every_case_and_a_shuffled_real_record(cases):
    ecg = read_path(cases / "af-no-p-waves" / "af105.hea")
    shuffled = {lead: ecg.lead(other) for lead, other in zip(LEADS, PTBXL_ORDER)}
    assert assess(shuffled, ecg.fs)[0] == "inconsistent"
    assert assess({lead: ecg.lead(lead) for lead in LEADS}, ecg.fs)[0] == "consistent"


def test_year_only_base_date_is_read(cases):
    root = resolve().require_data_root()
    files = {p.name: p.read_bytes() for p in (root / "ptbxl" / "records500" / "00000").glob("00001_hr.*")}
    header = files["00001_hr.hea"].decode().split("\n")
    header[0] += " 12:30:00 2020"
    ecg = read_upload({**files, "00001_hr.hea": "\n".join(header).encode()})
    assert ecg.n_samples == 5000 and ecg.meta["base_date"] == "2020"


def test_adc_counts_with_a_stated_gain(cases):
    """Integer ADC counts at 200 counts/mV (the README's 'other condition'): stated units, never guessed."""
    ecg = read_path(cases / "af-no-p-waves" / "af105.hea")
    counts = np.round(ecg.signal * 200).astype(np.int16)
    data = _npy(counts)
    stated = read_upload({"c.npy": data}, fs=500, units="counts", gain=200)
    np.testing.assert_allclose(stated.signal, counts / 200, atol=1e-6)
    assert stated.meta["assumptions"]["units"] == "ADC counts at 200 counts per mV, as you stated"
    with pytest.raises(ECGReadError, match="counts per mV"):
        read_upload({"c.npy": data}, fs=500, units="counts")
    unstated = read_upload({"c.npy": data}, fs=500)  # counts taken as mV: the µV rule must not pass silently
    assert "if they are ADC counts, state the units and the gain" in unstated.meta["assumptions"]["units"]


def _npy(array: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


# ------------------------------------------------------- real files from public repositories (issue 18)
def test_csv_gain_line_digits_per_millivolt(cases):
    """`Gain (digit/millivolt): 2048` in the preamble: amplitudes = digits / 2048 mV (lead II spans 1.41 mV)."""
    path = cases / "csv-12lead-header-fs-gain" / "ECG_12L.csv"
    ecg = read_path(path)
    _is_plain_12_lead(ecg, 500.0, 5000)
    digits = np.loadtxt(path, delimiter=",", skiprows=3)
    np.testing.assert_allclose(ecg.signal, digits.T / 2048, atol=1e-6)
    assert round(float(np.ptp(ecg.lead("II"))), 2) == 1.41 and round(float(np.ptp(ecg.lead("V2"))), 2) == 2.35
    said = ecg.meta["assumptions"]["units"]
    assert said == "counts, 2048 per mV, from the file's 'Gain (digit/millivolt)' line"
    assert not any("microvolts" in n for n in ecg.meta.get("notes", []))


def test_wfdb_multi_segment_with_a_null_format_0_segment(cases):
    """The WFDB package's sample `multi`: 100s + a format-0 null segment + 100s, 360 Hz, 2 leads -> 125 s with
    5 s flat at 60-65 s noted as a gap; about 74 /min. wfdb-python itself cannot parse null.hea."""
    folder = cases / "wfdb-multisegment-null-segment-fmt0"
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix in (".hea", ".dat")}
    for ecg in (read_path(folder / "multi.hea"), read_upload(files)):
        assert set(ecg.leads) == {"MLII", "V5"} and ecg.fs == 360.0 and ecg.n_samples == 45000
        gap = ecg.signal[:, 60 * 360:65 * 360]
        assert np.all(gap == 0) and np.ptp(ecg.signal[:, :60 * 360], axis=1).min() > 0.5
        assert ecg.meta["gaps_s"] == [(60.0, 65.0)]
        assert any("gap: 60.0-65.0 s" in n and "not a flat ECG" in n for n in ecg.meta["notes"])
    one = wfdb.rdrecord(str(folder / "100s"))  # each real segment holds exactly 100s
    np.testing.assert_allclose(ecg.lead("MLII")[:21600], one.p_signal[:, 0], atol=1e-5)
    np.testing.assert_allclose(ecg.lead("MLII")[23400:], one.p_signal[:, 0], atol=1e-5)
    from ecgcore.signal import analyse_record

    heart_rate = next(r for r in analyse_record(ecg).rows() if r["key"] == "HR")
    assert heart_rate["text"] in ("73 /min", "74 /min", "75 /min"), heart_rate
    without_null = {k: v for k, v in files.items() if k != "null.hea"}
    with pytest.raises(ECGReadError, match="segment 'null' was not uploaded"):
        read_upload(without_null)


def test_edf_eeg_with_one_ekg_channel_shows_that_channel(cases):
    """A TUH EEG EDF (30 channels) whose ECG electrode is `EEG EKG1-REF`: read as one unnamed lead, 250 Hz,
    17 s, about 78 /min; the 12-lead models refuse it; the notes say it is an EEG."""
    ecg = read_path(cases / "edf-tuh-eeg-with-ekg-channel" / "00009578_s002_t001.edf")
    assert ecg.leads == ("ECG",) and ecg.fs == 250.0 and ecg.n_samples == 17 * 250
    assert len(ecg.meta["ignored_channels"]) == 29 and "EEG FP1-REF" in ecg.meta["ignored_channels"]
    assert any("EEG recording" in n and "'EEG EKG1-REF'" in n for n in ecg.meta["notes"])
    with pytest.raises(Exception, match="lead"):
        twelve_leads(ecg)
    from ecgcore.signal import analyse_record

    heart_rate = next(r for r in analyse_record(ecg).rows() if r["key"] == "HR")
    assert heart_rate["text"] in ("77 /min", "78 /min", "79 /min"), heart_rate


def test_nonstandard_healforce_scp_is_refused_truthfully(cases):
    """A complete Healforce Prince 180D SCP-ECG file that does not follow EN 1064: refused as a non-standard
    vendor variant, never called truncated; a truly truncated standard file still is."""
    data = (cases / "scp-healforce-prince180d-noncompliant" / "62.SCP").read_bytes()
    with pytest.raises(ECGReadError) as err:
        read_upload({"62.SCP": data})
    message = str(err.value)
    assert "non-standard SCP-ECG variant" in message and "Healforce" in message
    assert "truncated file" in message and "it is truncated" not in message and "1928331264" not in message
    standard = (resolve().require_data_root() / "formats" / "scp_ecg" / "demo.scp").read_bytes()
    with pytest.raises(ECGReadError, match="truncated"):
        read_upload({"demo.scp": standard[: len(standard) // 2]})
