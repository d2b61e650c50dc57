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
