"""LUDB reader, cardiologists' marks and the diagnosis -> superclass mapping, on the real records in the data root."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import wfdb

from ecgcore.data import ludb
from ecgcore.core.errors import ECGReadError
from ecgcore.core.leads import LEADS
from ecgcore.core.settings import resolve


@pytest.fixture(scope="module")
def root() -> Path:
    return resolve().require_data_root() / "ludb"


def test_record_1_reads_in_mv_with_canonical_leads(root):
    ecg = ludb.load_ecg(root, 1)
    assert ecg.leads == LEADS and ecg.fs == 500 and ecg.n_samples == 5000
    physical, fields = wfdb.rdsamp(str(root / "data" / "1"))
    order = [fields["sig_name"].index(name) for name in ludb.LUDB_LEADS]
    np.testing.assert_allclose(ecg.signal, physical[:, order].T, atol=1e-5)  # gains and baselines applied
    assert ecg.age == 51 and ecg.sex == "F"
    assert ecg.meta["rhythm"] == "sinus bradycardia"
    assert "Left ventricular hypertrophy." in ecg.meta["diagnoses"]
    assert ecg.labels == ("STTC", "HYP")


def test_record_1_lead_ii_first_qrs_marks(root):
    qrs = ludb.annotations(root, 1)["II"]["QRS"]
    assert (qrs.onset[0], qrs.peak[0], qrs.offset[0]) == (644, 662, 682)
    marks = ludb.annotations(root, 1)
    assert set(marks) == set(LEADS)
    for lead in LEADS:
        for wave in ludb.WAVES:
            w = marks[lead][wave]
            ok = (w.onset >= 0) & (w.offset >= 0)
            assert np.all(w.onset[ok] < w.peak[ok]) and np.all(w.peak[ok] < w.offset[ok])


def test_two_statements_on_one_header_line_are_split():
    lines = ludb.diagnosis_lines(["<age>: 60", "<diagnoses>:",
                                  "Non-specific repolarization abnormalities: posterior wall. #Rhythm: Sinus rhythm."])
    assert lines == ["Non-specific repolarization abnormalities: posterior wall.", "Rhythm: Sinus rhythm."]


def test_mapping_rules():
    assert ludb.superclasses(["Rhythm: Sinus rhythm.", "Electric axis of the heart: normal."]) == ("NORM",)
    assert ludb.superclasses(["Rhythm: Sinus rhythm.", "STEMI: septal.", "III degree AV-block."]) == ("MI", "CD")
    # unmapped stays unmapped: an AF record with nothing else, an undecided ischaemia/scar statement
    assert ludb.superclasses(["Rhythm: Atrial fibrillation."]) is None
    assert ludb.superclasses(["Rhythm: Sinus rhythm.", "Undefined ischemia/scar/supp.NSTEMI: apical."]) is None


def test_every_statement_in_ludb_csv_is_in_the_mapping_document(root):
    doc = (Path(__file__).resolve().parents[1] / "docs" / "LUDB_DIAGNOSIS_MAPPING.md").read_text()
    assert doc == ludb.mapping_markdown(root)
    assert len(ludb.csv_statements(root)) > 60


def test_missing_record_is_a_clear_error(root):
    with pytest.raises(ECGReadError, match="LUDB record 150"):
        ludb.load_ecg(root, 150)
