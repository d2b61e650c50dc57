"""Challenge records (cinc/, cinc_more/), the SNOMED-CT -> superclass map, and ptbdb, on the real records of the
data root (see each folder's SOURCE.md)."""
from __future__ import annotations

import shutil
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.io
import wfdb

from ecgcore.data import challenge, ptbdb, ptbxl, snomed
from ecgcore.core.errors import ECGReadError
from ecgcore.io.wfdb_reader import dx_codes
from ecgcore.core.leads import LEADS
from ecgcore.core.settings import ROOT

from tests.bad_inputs.real_records import real_path  # noqa: E402

DEMO_CINC = real_path("cinc")
CINC_MORE = real_path("cinc_more")
DEMO_PTBDB = real_path("ptbdb")
DEMO_PTBXL = real_path("ptbxl")


@pytest.fixture(scope="module")
def cinc_records():
    return {p.relative_to(DEMO_CINC).as_posix(): p for p in challenge.list_records(DEMO_CINC)}


def test_every_record_is_listed(cinc_records):
    assert len(cinc_records) == 166
    assert Counter(k.split("/")[0] for k in cinc_records) == {
        "ptbxl": 37, "cpsc2018": 4, "georgia": 60, "chapman_shaoxing": 9, "ningbo": 56}


def test_snomed_table_covers_every_code_in_the_headers(cinc_records, settings):
    table = pd.concat([pd.read_csv(DEMO_CINC / name, dtype=str) for name in snomed.DX_TABLES])
    table = table.drop_duplicates("SNOMEDCTCode").set_index("SNOMEDCTCode")
    assert set(table.index) <= set(snomed.CODES)  # every code of both Challenge tables has a decision
    for code, entry in snomed.CODES.items():
        if code in table.index:
            assert entry.abbreviation == table.loc[code, "Abbreviation"], code
        assert entry.superclass in (None, "NORM", "MI", "STTC", "CD", "HYP")
    seen = set()
    for path in [*cinc_records.values(), *challenge.list_records(CINC_MORE)]:
        seen |= set(dx_codes([line.lstrip("#") for line in path.with_suffix(".hea").read_text().splitlines()]))
    assert len(seen) > 50 and seen <= set(snomed.CODES)
    names = snomed.code_names(settings)
    assert snomed.code_name("251238007", names) == "cardiac electrophysiological finding"
    assert snomed.code_name("426783006", names) == "sinus rhythm"


@pytest.mark.parametrize("codes, expected", [
    (["426783006"], ("NORM",)),                                  # NSR
    (["426177001"], ("NORM",)),                                  # sinus bradycardia only
    (["426783006", "427084000", "427393009"], ("NORM",)),        # NSR + sinus tachycardia + sinus arrhythmia
    (["426783006", "39732003"], None),                           # NSR + left axis deviation: not NORM, unmapped
    (["426783006", "251146004"], None),                          # NSR + low QRS voltage
    (["164889003"], None),                                       # atrial fibrillation: rhythm, unmapped
    (["10370003"], None),                                        # pacing rhythm
    (["426783006", "59118001"], ("CD",)),                        # NSR + RBBB: CD, never NORM besides
    (["164865005", "425623009", "429622005"], ("MI", "STTC")),  # MI + lateral ischaemia + ST depression
    (["55827005"], None),                                        # LV high voltage only (PTB-XL VCLVH: form)
    (["164873001", "270492004"], ("CD", "HYP")),                 # LVH + 1st degree AV block
    (["111975006"], ("STTC",)),                                  # prolonged QT
    ([], None), (["", " "], None), (["999999"], None),
])
def test_superclass_rule(codes, expected):
    assert snomed.superclasses(codes) == expected


@pytest.mark.parametrize("rid, labels, abbreviations", [
    ("georgia/E00271", ("CD",), ["RBBB"]),
    ("ningbo/JS20005", ("HYP",), ["PAC", "RVH", "STach", "PVC"]),   # has an empty code in its Dx list
    ("ptbxl/HR09739", ("MI", "STTC"), ["MI", "QAb", "LIs", "NSR", "STD"]),
    ("ptbxl/HR12083", None, ["PR"]),
    ("ptbxl/HR00001", None, ["LQRSV", "NSR"]),
    ("ptbxl/HR00004", ("NORM",), ["NSR"]),
])
def test_known_records_get_their_labels(cinc_records, rid, labels, abbreviations):
    ecg = challenge.read_record(cinc_records[rid])
    assert ecg.labels == labels
    assert ecg.meta["dx_abbreviations"] == abbreviations
    assert len(ecg.meta["dx_names"]) == len(ecg.meta["dx_codes"]) == len(abbreviations)


def test_snomed_labels_agree_with_ptbxl_on_the_same_recordings(cinc_records):
    db = ptbxl.load_database(DEMO_PTBXL)
    exact = 0
    for rid, path in cinc_records.items():
        if not rid.startswith("ptbxl/"):
            continue
        ecg = challenge.read_record(path)
        truth = tuple(db.loc[ecg.meta["ptbxl_ecg_id"], "superclasses"]) or None
        exact += ecg.labels == truth
        assert ("MI" in (ecg.labels or ())) == ("MI" in (truth or ())), rid
    # the 6 that differ: the Challenge re-coding adds LAD / low voltage / 1AVB / T abnormal to PTB-XL NORMs
    assert exact >= 30


def test_values_match_the_ptbxl_original_and_header_initial_values(cinc_records):
    ecg = challenge.read_record(cinc_records["ptbxl/HR00005"])
    raw, fields = wfdb.rdsamp(str(DEMO_PTBXL / "records500/00000/00005_hr"))
    assert ecg.signal.shape == (12, 5000) and ecg.fs == 500 and ecg.leads == LEADS
    assert np.allclose(ecg.signal, raw.T, atol=1e-6)  # same recording, sample for sample
    georgia = challenge.read_record(cinc_records["georgia/E00271"])
    first = np.array([0, -73, -73, 36, 36, -73, 29, 29, -43, -53, -19, 14]) / 1000  # E00271.hea, gain 1000/mV
    assert np.allclose(georgia.signal[:, 0], first, atol=1e-6)
    assert georgia.age == 83 and georgia.sex == "F"


def test_header_quirk_is_fixed_in_memory_only(cinc_records):
    path = cinc_records["georgia/E07500"]
    before = path.with_suffix(".hea").read_bytes()
    assert before.startswith(b"E07500.mat ")
    ecg = challenge.read_record(path)
    assert ecg.signal.shape[0] == 12 and ecg.record_id == "E07500"
    assert path.with_suffix(".hea").read_bytes() == before


def test_cpsc_lengths_vary(cinc_records):
    durations = {challenge.read_record(p).duration for k, p in cinc_records.items() if k.startswith("cpsc2018/")}
    assert len(durations) > 1 and all(6 <= d <= 60 for d in durations)


def test_missing_or_broken_files(tmp_path):
    with pytest.raises(ECGReadError, match="not a folder"):
        challenge.list_records(tmp_path / "nothing")
    shutil.copy(DEMO_CINC / "georgia/E00271.hea", tmp_path)
    assert challenge.list_records(tmp_path) == []  # a header without its .mat is not a record
    with pytest.raises(ECGReadError):
        challenge.read_record(tmp_path / "E00271")
    data = (DEMO_CINC / "georgia/E00271.mat").read_bytes()
    (tmp_path / "E00271.mat").write_bytes(data[: len(data) // 2])
    with pytest.raises(ECGReadError, match="truncated"):
        challenge.read_record(tmp_path / "E00271.hea")


def test_ptbdb_record_reads_12_of_15_leads_with_its_label():
    paths = ptbdb.list_records(DEMO_PTBDB)
    assert [p.relative_to(DEMO_PTBDB).as_posix() for p in paths] == [
        "patient096/s0379lre", "patient174/s0300lre", "patient180/s0490_re", "patient180/s0561_re"]
    ecg = ptbdb.read_record(paths[0])
    assert ecg.fs == 1000 and ecg.signal.shape == (12, 115200) and ecg.leads == LEADS
    assert ecg.labels == ("MI",) and ecg.meta["reason_for_admission"] == "Myocardial infarction"
    assert ecg.age == 43 and ecg.sex == "M" and ecg.record_id == "ptbdb/patient096/s0379lre"
    raw, fields = wfdb.rdsamp(str(paths[0]), channels=list(range(12)))
    assert fields["sig_name"][:3] == ["i", "ii", "iii"]
    assert np.allclose(ecg.signal, raw.T, atol=1e-6)
    first = np.array([1999, -265, -2264, -867, 2132, -1264, 24, 3117, 2525, 4070, 5207, 4784]) / 2000
    assert np.allclose(ecg.signal[:, 0], first, atol=1e-6)


@pytest.mark.parametrize("reason, labels", [
    ("Myocardial infarction", ("MI",)), ("Healthy control", ("NORM",)), ("healthy control ", ("NORM",)),
    ("Bundle branch block", None), ("Cardiomyopathy", None), (None, None),
])
def test_ptbdb_reason_mapping(reason, labels):
    assert ptbdb.reason_labels(reason) == labels


def test_ptbdb_incomplete_record(tmp_path):
    shutil.copy(DEMO_PTBDB / "patient096/s0379lre.hea", tmp_path)
    with pytest.raises(ECGReadError, match="incomplete"):
        ptbdb.read_record(tmp_path / "s0379lre")


def test_shipped_mapping_document_is_current(settings):
    assert (ROOT / "docs" / "SNOMED_MAPPING.md").read_text() == snomed.mapping_markdown(settings)


# cinc_more/SOURCE.md: the Challenge 2020 headers of HR00599/HR20715 say 200/mV and of E00015/E00018/E00793
# 4880/mV, where the samples are at 1000/mV; "the largest |raw value| / 1000 is between 1.24 (E00018) and 3.66
# (Q0033)" over all 24 records; the Q headers (1000/mV) are right.
WRONG_GAIN = {"ptbxl/HR00599": 200, "ptbxl/HR20715": 200, "georgia/E00015": 4880, "georgia/E00018": 4880,
              "georgia/E00793": 4880}


def test_cinc_more_gains_are_fixed_in_memory_to_the_known_amplitudes():
    records = {p.relative_to(CINC_MORE).as_posix(): p for p in challenge.list_records(CINC_MORE)}
    assert len(records) == 24
    peaks = {}
    for rid, path in records.items():
        header = path.with_suffix(".hea").read_text()
        ecg = challenge.read_record(path)
        raw = scipy.io.loadmat(str(path.with_suffix(".mat")))["val"]
        assert np.allclose(ecg.signal, raw / 1000.0, atol=1e-6), rid  # every record at 1000 adu/mV
        if rid in WRONG_GAIN:
            assert f" {WRONG_GAIN[rid]}/mV " in header and "1000/mV" not in header  # the file keeps its error
            assert "read as 1000/mV" in ecg.meta["gain_fix"]
        else:
            assert "gain_fix" not in ecg.meta and " 1000/mV " in header
        peaks[rid] = float(np.abs(ecg.signal).max())
    assert round(peaks["georgia/E00018"], 2) == 1.24 and round(peaks["cpsc2018_extra/Q0033"], 2) == 3.66
    assert 1.24 <= round(min(peaks.values()), 2) and round(max(peaks.values()), 2) <= 3.66
    lead_ii = challenge.read_record(records["georgia/E00015"]).signal[LEADS.index("II")]
    assert lead_ii.max() - lead_ii.min() > 0.6  # with 4880/mV it would be under 0.6 mV


def test_gain_fix_rule_touches_only_the_known_errors():
    text = "HR00001 12 500 5000\nHR00001.mat 16+24 200/mV 16 0 -40 -11940 0 I\n#Dx: 426783006\n"
    fixed, note = challenge.fix_gains(text, "HR00001")
    assert "16+24 1000/mV 16 0 -40" in fixed and note
    assert challenge.fix_gains(text, "Q0001") == (text, None)  # a CPSC record saying 200/mV is left alone
    assert challenge.fix_gains(text.replace("200/mV", "1000/mV"), "HR00001")[1] is None
