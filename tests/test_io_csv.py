"""CSV reading on a real PTB-XL record written out as CSV: text cells, whatever dtype pandas gives a text column."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import wfdb

from ecgcore.core.errors import ECGReadError
from ecgcore.io import read_upload
from ecgcore.io.csv_reader import _numeric_column
from ecgcore.core.leads import LEADS, canonical_lead
from ecgcore.core.settings import resolve


@pytest.fixture(scope="module")
def real_frame() -> pd.DataFrame:
    """PTB-XL 00001 (500 Hz, mV) as a table: a time column and the 12 leads."""
    root = resolve().require_data_root()  # fails, naming ECG_DATA_ROOT, when there is no data root
    record = wfdb.rdrecord(str(root / "ptbxl" / "records500" / "00000" / "00001_hr"))
    frame = pd.DataFrame(record.p_signal, columns=[canonical_lead(n) for n in record.sig_name])
    frame.insert(0, "time", np.arange(len(frame)) / record.fs)
    return frame


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def test_text_cell_in_a_lead_is_a_clear_error_naming_cell_and_line(real_frame):
    frame = real_frame.astype(object)
    frame.loc[17, "V2"] = "abc"
    with pytest.raises(ECGReadError) as err:
        read_upload({"r.csv": _csv(frame)})
    message = str(err.value)
    assert "text where numbers are expected" in message
    assert "'V2'" in message and "line 19" in message and "'abc'" in message


@pytest.mark.parametrize("dtype", [object, "string", "str"])
def test_numeric_check_does_not_depend_on_the_dtype_name(real_frame, dtype):
    # pandas 3 reads a text column as StringDtype ("str"); pandas 2 as object; "string" is the nullable one
    column = real_frame["V2"].astype(str).astype(dtype).copy()
    column.iloc[3] = "12,5mV"
    frame = pd.DataFrame({"V2": column})
    with pytest.raises(ECGReadError, match="'12,5mV'"):
        _numeric_column(frame, "V2", first_line=2)
    column.iloc[3] = "0.5"
    values = _numeric_column(pd.DataFrame({"V2": column}), "V2", first_line=2)
    assert values.dtype == np.float64 and values[3] == 0.5
    assert np.allclose(np.delete(values, 3), np.delete(real_frame["V2"].to_numpy(), 3), atol=1e-12)


def test_real_record_as_csv_reads_back_exactly(real_frame):
    ecg = read_upload({"r.csv": _csv(real_frame)})
    assert ecg.fs == 500.0 and ecg.leads == LEADS and ecg.n_samples == len(real_frame)
    assert np.allclose(ecg.signal, real_frame[list(LEADS)].to_numpy().T, atol=1e-6)


def test_pandas_reads_text_columns_with_a_dtype_the_reader_handles():
    # documents the behaviour the reader must survive: the dtype of a text column under the pinned pandas
    frame = pd.read_csv(io.StringIO("I,II\n1,abc\n2,3\n"))
    assert not pd.api.types.is_numeric_dtype(frame["II"])
    with pytest.raises(ECGReadError, match="'abc'"):
        _numeric_column(frame, "II", first_line=2)


# ------------------------------------------------------------------------------- gain and resolution lines
GAIN_LINES = [  # the forms real exports use, each meaning 2048 counts per mV (0.48828125 µV per count)
    ("Gain (digit/millivolt): 2048", "2048 per mV"),
    ("ADC gain,2048\nUnits,mV", "'ADC gain' and 'Units' lines"),
    ("ADC Gain: 2.048 counts/uV", "2.048 per µV"),
    ("Gain,2048 adu/mV", "2048 per mV"),
    ("Resolution (uV/LSB): 0.48828125", "0.488281 µV each"),
    ("Resolution;0.48828125 uV", "0.488281 µV each"),
    ("LSB,0.00048828125 mV", "0.000488281 mV each"),
]


def _counts_csv(real_frame: pd.DataFrame, preamble: str) -> tuple[bytes, np.ndarray]:
    counts = np.round(real_frame[list(LEADS)].to_numpy() * 2048).astype(int)
    body = ",".join(LEADS) + "\n" + "\n".join(",".join(map(str, row)) for row in counts)
    return f"Sampling Rate,500 Hz\n{preamble}\n{body}\n".encode(), counts


@pytest.mark.parametrize("line,said", GAIN_LINES)
def test_gain_and_resolution_lines_scale_the_counts(real_frame, line, said):
    data, counts = _counts_csv(real_frame, line)
    ecg = read_upload({"counts.csv": data})
    np.testing.assert_allclose(ecg.signal, counts.T / 2048, atol=1e-6)
    assert ecg.meta["assumptions"]["units"].startswith("counts") and said in ecg.meta["assumptions"]["units"]
    stated = read_upload({"counts.csv": data}, units="µV")  # the file's own line wins over a stated unit
    np.testing.assert_allclose(stated.signal, ecg.signal)
    assert any("units entered were not used" in n for n in stated.meta["notes"])


def test_a_gain_line_without_a_readable_unit_is_refused_and_an_adc_depth_is_not_a_gain(real_frame):
    data, _ = _counts_csv(real_frame, "Resolution,0.5")
    with pytest.raises(ECGReadError, match="'Resolution' gives no unit"):
        read_upload({"counts.csv": data})
    data, counts = _counts_csv(real_frame, "Resolution,12 bit\nUnits,uV")  # ADC depth: the Units line decides
    ecg = read_upload({"counts.csv": data})
    np.testing.assert_allclose(ecg.signal, counts.T / 1000, atol=1e-6)
    assert "'Units'" in ecg.meta["assumptions"]["units"]
