"""Coded statements read for a clinician (ecgcore.data.statements) on real records: likelihoods, "not given",
PTB-XL's own English, and ground truth from an upload's Challenge header."""
from __future__ import annotations

import pandas as pd

from ecgcore.data.catalogue import load_record
from ecgcore.io.upload import read_upload
from ecgcore.data.statements import dx_mapping, english_summary, ground_truth, statements_of, superclass_evidence


def _statements() -> pd.DataFrame:
    from app.common.loaders import ptbxl_statements

    return ptbxl_statements()


def test_ground_truth_mi_of_09739_shows_its_15_percent_likelihood_and_form_zeros_read_not_given():
    ecg = load_record("ptbxl/09739")
    table = _statements()
    assert superclass_evidence(ecg.meta["scp_codes"], table) == {"MI": ["IMI 15 %"], "STTC": ["ISCLA 80 %"]}
    rows = {s.code: s for s in statements_of(ecg.meta["scp_codes"], table)}
    assert rows["SR"].likelihood == "not given" and rows["SR"].kind == "rhythm"  # PTB-XL writes 0.0
    assert rows["IMI"].likelihood == "15 %" and rows["IMI"].description == table.loc["IMI", "description"]
    english = english_summary(ecg.meta["scp_codes"], table)
    assert english.startswith("inferior myocardial infarction") and "sinus rhythm" in english


def _challenge_files(name: str) -> dict[str, bytes]:
    from ecgcore.core.settings import resolve

    root = resolve().require_data_root() / "cinc" / "georgia"
    return {p.name: p.read_bytes() for p in (root / f"{name}.hea", root / f"{name}.mat")}


def test_an_uploaded_challenge_record_gets_its_header_labels_as_ground_truth():
    files = _challenge_files("E00271")  # #Dx: 59118001 (RBBB), mapped to CD by ecgcore.data.snomed
    ecg = read_upload(files)
    labels, source = ground_truth(ecg)
    assert ecg.meta["dx_codes"] == ["59118001"]
    assert labels == ("CD",) and "SNOMED-CT" in source
    (rbbb,) = dx_mapping(ecg.meta["dx_codes"])
    assert (rbbb.code, rbbb.superclass) == ("59118001", "CD") and "bundle branch block" in rbbb.name.lower()
