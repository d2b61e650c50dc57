"""Each criterion of `ecgcore.interpret.criteria.CRITERIA` at its threshold: a synthetic measurement matrix (a
normal 12-lead beat's values, then the one value that matters) just below and just above the limit; the
"not assessable" paths (missing leads, paced QRS, wide QRS); the statement fields. Fast: no signal is read."""
from __future__ import annotations

import json
import math

import pytest

from ecgcore.core.leads import LEADS
from ecgcore.interpret import statements_for, verdicts
from ecgcore.interpret import criteria as C
from ecgcore.interpret.criteria import Met, NotAssessable, Unmet
from ecgcore.interpret.statement import CATEGORIES, SEVERITIES
from ecgcore.signal.matrix import MeasurementMatrix
from ecgcore.signal.pacing import Pacing

#: a normal beat's values per lead (mV, ms): upright R in I, II, aVF, V4-V6; rS in V1-V2; QS in aVR
NORMAL_LEAD = {"Q_amp_mV": 0.0, "Q_dur_ms": 0.0, "R_amp_mV": 1.0, "R_dur_ms": 50.0, "S_amp_mV": -0.2,
               "S_dur_ms": 20.0, "Rp_amp_mV": 0.0, "Rp_dur_ms": 0.0, "R_time_ms": 35.0, "QRS_pp_mV": 1.2,
               "QRS_area_mVms": 20.0, "QRS_init40_mVms": 10.0, "QRS_term40_mVms": -2.0, "ST_J_mV": 0.0,
               "ST_J60_mV": 0.02, "T_amp_mV": 0.3, "P_amp_mV": 0.1, "P_neg_mV": 0.0, "P_neg_ms": 0.0, "P_dur_ms": 100.0,
               "notched": 0.0, "QS": 0.0}
RIGHT = {"R_amp_mV": 0.2, "S_amp_mV": -1.0, "QRS_area_mVms": -15.0, "QRS_term40_mVms": -6.0, "T_amp_mV": 0.1}
GLOBAL = {"HR": 75.0, "RR": 800.0, "PR": 160.0, "QRS": 90.0, "QT": 380.0, "QTc_Bazett": 425.0,
          "QTc_Fridericia": 410.0, "QRS_axis": 45.0, "P_axis": 50.0, "T_axis": 40.0, "P_dur": 100.0,
          "RR_range": 40.0}
NOT_PACED = Pacing((), (), 0.0, 0.0, False)


def matrix(leads: dict[str, dict] | None = None, pacing: Pacing = NOT_PACED, rhythm: str = "sinus rhythm",
           p_waves: bool | None = True, present: tuple[str, ...] = LEADS, **g) -> MeasurementMatrix:
    per = {}
    for lead in present:
        v = dict(NORMAL_LEAD)
        if lead in ("V1", "V2", "aVR"):
            v.update(RIGHT)
        v.update((leads or {}).get(lead, {}))
        per[lead] = v
    glob = {**GLOBAL, **g}
    fid = {"P_on": -200.0, "P_off": -100.0, "QRS_on": -40.0, "QRS_off": 50.0, "T_peak": 250.0, "T_off": 340.0}
    return MeasurementMatrix(per, glob, {}, pacing, fid, 2.0, rhythm, 12, 0, 0.02, p_waves)


def judge(m: MeasurementMatrix, sex=None, age=None, leads=LEADS) -> dict:
    return verdicts(m, sex, age, leads)


def met(m: MeasurementMatrix, key: str, **kw) -> bool:
    return isinstance(judge(m, **kw).get(key), Met)


def test_a_normal_matrix_is_sinus_rhythm_with_a_normal_axis_and_nothing_else():
    called = {k for k, v in judge(matrix()).items() if isinstance(v, Met)}
    assert called == {"SR", "AXIS_NORMAL"}


@pytest.mark.parametrize("key, below, above", [
    ("1AVB", {"PR": 200.0}, {"PR": 201.0}),
    ("SPRI", {"PR": 120.0}, {"PR": 119.0}),
    ("SBRAD", {"HR": 60.0}, {"HR": 59.9}),
    ("STACH", {"HR": 100.0}, {"HR": 100.1}),
    ("SARRH", {"RR_range": 160.0}, {"RR_range": 161.0}),
    ("LNGQT", {"QTc_Bazett": 460.0}, {"QTc_Bazett": 461.0}),
    ("LAD", {"QRS_axis": -30.0}, {"QRS_axis": -31.0}),
    ("RAD", {"QRS_axis": 90.0}, {"QRS_axis": 91.0}),
    ("AXIS_EXTREME", {"QRS_axis": -90.0}, {"QRS_axis": -103.0}),
])
def test_global_criteria_at_their_threshold(key, below, above):
    assert not met(matrix(**below), key)
    assert met(matrix(**above), key)


def test_lae_reads_lead_iis_own_p_wave_not_the_global_span():
    """P >= 120 ms in lead II (AHA/ACCF/HRS 2009 part V); a long global P span (earliest onset to latest offset
    over the leads) alone does not call it."""
    assert not met(matrix({"II": {"P_dur_ms": 119.0}}), "LAE")
    assert met(matrix({"II": {"P_dur_ms": 120.0}}), "LAE")
    assert not met(matrix({"II": {"P_dur_ms": 100.0}}, P_dur=160.0), "LAE")
    assert met(matrix({"V1": {"P_neg_mV": -0.1, "P_neg_ms": 40.0}}), "LAE")  # P-terminal force 0.04 mm*s


def test_an_axis_of_minus_103_is_extreme_not_left():
    v = judge(matrix(QRS_axis=-103.0))
    assert isinstance(v["AXIS_EXTREME"], Met) and "LAD" not in v or not isinstance(v.get("LAD"), Met)


def test_qtc_limit_depends_on_sex():
    assert met(matrix(QTc_Bazett=451.0), "LNGQT", sex="M")
    assert not met(matrix(QTc_Bazett=451.0), "LNGQT", sex="F")


LBBB = {"V1": {"R_amp_mV": 0.1, "S_amp_mV": -1.5, "QRS_area_mVms": -40.0},
        "V5": {"R_time_ms": 70.0}, "V6": {"R_time_ms": 70.0, "Q_amp_mV": 0.0}}
RBBB = {"V1": {"R_amp_mV": 0.2, "S_amp_mV": -0.3, "Rp_amp_mV": 0.6, "QRS_term40_mVms": 8.0},
        "I": {"S_amp_mV": -0.3, "S_dur_ms": 50.0, "QRS_term40_mVms": -4.0},
        "V6": {"S_amp_mV": -0.3, "S_dur_ms": 50.0, "QRS_term40_mVms": -4.0}}


@pytest.mark.parametrize("shape, complete, incomplete", [(LBBB, "CLBBB", "ILBBB"), (RBBB, "CRBBB", "IRBBB")])
def test_bundle_branch_blocks_at_110_and_120_ms(shape, complete, incomplete):
    assert not met(matrix(shape, QRS=109.0), incomplete) and not met(matrix(shape, QRS=109.0), complete)
    assert met(matrix(shape, QRS=110.0), incomplete)
    assert met(matrix(shape, QRS=119.0), incomplete) and not met(matrix(shape, QRS=119.0), complete)
    assert met(matrix(shape, QRS=120.0), complete)
    assert not met(matrix(QRS=130.0), complete)  # a wide QRS without the shape: IVCD
    assert met(matrix(QRS=130.0), "IVCD") and not met(matrix(QRS=110.0), "IVCD")


def test_lbbb_needs_a_late_r_peak_in_v5_v6():
    early = {**LBBB, "V5": {"R_time_ms": 50.0}, "V6": {"R_time_ms": 59.0}}
    assert not met(matrix(early, QRS=140.0), "CLBBB")


RS_INFERIOR = {lead: {"R_amp_mV": 0.2, "S_amp_mV": -0.8} for lead in ("II", "III", "aVF")}


def test_lafb_axis_limits_and_rs_in_the_inferior_leads():
    assert not met(matrix(RS_INFERIOR, QRS_axis=-44.0), "LAFB")
    assert met(matrix(RS_INFERIOR, QRS_axis=-45.0), "LAFB")
    assert not met(matrix(QRS_axis=-60.0), "LAFB")  # no rS in II, III, aVF
    assert not met(matrix(RS_INFERIOR, QRS_axis=-60.0, QRS=120.0), "LAFB")


def test_lpfb():
    rs = {lead: {"R_amp_mV": 0.2, "S_amp_mV": -0.8} for lead in ("I", "aVL")}
    assert not met(matrix(rs, QRS_axis=89.0), "LPFB") and met(matrix(rs, QRS_axis=100.0), "LPFB")


def test_wpw_short_pr_and_wide_qrs():
    assert not met(matrix(PR=119.0, QRS=109.0), "WPW") and met(matrix(PR=119.0, QRS=110.0), "WPW")


def test_lvh_sokolow_lyon_and_cornell():
    def sok(total):
        return {"V1": {"S_amp_mV": -1.5}, "V5": {"R_amp_mV": total - 1.5}, "V6": {"R_amp_mV": 1.0}}
    assert not met(matrix(sok(3.49)), "LVH") and met(matrix(sok(3.5)), "LVH")

    def cornell(total):
        return {"aVL": {"R_amp_mV": 1.0}, "V3": {"S_amp_mV": -(total - 1.0)}}
    assert not met(matrix(cornell(2.0)), "LVH", sex="F") and met(matrix(cornell(2.01)), "LVH", sex="F")
    assert not met(matrix(cornell(2.8)), "LVH", sex="M") and met(matrix(cornell(2.81)), "LVH", sex="M")
    st = statements_for(matrix(sok(3.6)))
    assert "Sokolow-Lyon" in next(s for s in st if s.key == "LVH").text


def test_voltage_criteria_do_not_apply_to_a_wide_qrs():
    v = judge(matrix({"V1": {"S_amp_mV": -2.0}, "V5": {"R_amp_mV": 2.0}}, QRS=125.0))
    assert isinstance(v["LVH"], NotAssessable) and "wide QRS" in v["LVH"].reason


def test_rvh_and_rae():
    tall = {"V1": {"R_amp_mV": 0.7, "S_amp_mV": -0.3}}
    assert met(matrix(tall, QRS_axis=100.0), "RVH") and not met(matrix(tall, QRS_axis=80.0), "RVH")
    assert not met(matrix({"V1": {"R_amp_mV": 0.69, "S_amp_mV": -0.3}}, QRS_axis=100.0), "RVH")
    assert not met(matrix({"II": {"P_amp_mV": 0.24}}), "RAE") and met(matrix({"II": {"P_amp_mV": 0.25}}), "RAE")


def q(depth, width, leads):
    return {lead: {"Q_amp_mV": -depth, "Q_dur_ms": width} for lead in leads}


def test_q_wave_infarct_by_territory():
    assert not met(matrix(q(0.1, 29.0, ("II", "aVF"))), "QMI_INFERIOR")
    assert met(matrix(q(0.1, 30.0, ("II", "aVF"))), "QMI_INFERIOR")
    assert not met(matrix(q(0.1, 40.0, ("II", "III"))), "QMI_INFERIOR")  # III is not counted (UDMI)
    assert not met(matrix(q(0.1, 19.0, ("V2", "V3"))), "QMI_ANTEROSEPTAL")
    assert met(matrix(q(0.1, 20.0, ("V2", "V3"))), "QMI_ANTEROSEPTAL")
    assert met(matrix(q(0.2, 40.0, ("aVL", "V6"))), "QMI_LATERAL")
    s = next(x for x in statements_for(matrix(q(0.2, 40.0, ("II", "aVF")))) if x.key == "QMI_INFERIOR")
    assert set(s.leads) == {"II", "aVF"} and s.scp == "IMI" and {m.lead for m in s.marks} == {"II", "aVF"}


def ste(level, leads):
    return {lead: {"ST_J_mV": level, "ST_J60_mV": level} for lead in leads}


def test_stemi_limits_by_lead_sex_and_age():
    assert not met(matrix(ste(0.09, ("II", "III"))), "STEMI_INFERIOR")
    assert met(matrix(ste(0.1, ("II", "III"))), "STEMI_INFERIOR")
    v23 = ("V2", "V3")
    assert met(matrix(ste(0.15, v23)), "STEMI_ANTEROSEPTAL", sex="F")
    assert not met(matrix(ste(0.19, v23)), "STEMI_ANTEROSEPTAL", sex="M", age=50)
    assert met(matrix(ste(0.2, v23)), "STEMI_ANTEROSEPTAL", sex="M", age=50)
    assert not met(matrix(ste(0.24, v23)), "STEMI_ANTEROSEPTAL", sex="M", age=30)
    assert met(matrix(ste(0.25, v23)), "STEMI_ANTEROSEPTAL", sex="M", age=30)
    s = next(x for x in statements_for(matrix(ste(0.3, ("II", "III", "aVF")))) if x.key == "STEMI_INFERIOR")
    assert s.severity == "urgent" and set(s.leads) == {"II", "III", "aVF"} and len(s.marks) == 3


def test_st_depression_and_t_inversion_in_two_contiguous_leads():
    down = {lead: {"ST_J_mV": -0.05, "ST_J60_mV": -0.05} for lead in ("V5", "V6")}
    assert met(matrix(down), "STD")
    assert not met(matrix({lead: {"ST_J_mV": -0.04, "ST_J60_mV": -0.04} for lead in ("V5", "V6")}), "STD")
    assert not met(matrix({"V5": {"ST_J_mV": -0.1, "ST_J60_mV": -0.1}}), "STD")  # one lead only
    upsloping = {lead: {"ST_J_mV": -0.1, "ST_J60_mV": 0.0} for lead in ("V5", "V6")}
    assert not met(matrix(upsloping), "STD")
    assert met(matrix({lead: {"T_amp_mV": -0.1} for lead in ("I", "aVL")}), "INVT")
    assert not met(matrix({lead: {"T_amp_mV": -0.09} for lead in ("I", "aVL")}), "INVT")


def test_low_voltage():
    low = {lead: {"QRS_pp_mV": 0.49} for lead in ("I", "II", "III", "aVR", "aVL", "aVF")}
    assert met(matrix(low), "LVOLT")
    assert not met(matrix({**low, "aVF": {"QRS_pp_mV": 0.5}}), "LVOLT")


def test_paced_rhythm_wins_and_hides_conduction_and_infarct_criteria():
    paced = Pacing((0.1, 0.9), ("V2",), 1.0, 0.0, True)
    v = judge(matrix(LBBB, pacing=paced, QRS=160.0))
    assert isinstance(v["PACE"], Met) and "SR" not in v
    assert isinstance(v["CLBBB"], NotAssessable) and isinstance(v["QMI_INFERIOR"], NotAssessable)


def test_missing_leads_make_criteria_not_assessable_with_the_reason():
    m = matrix(present=("I",))
    v = judge(m, leads=("I",))
    assert isinstance(v["CLBBB"], NotAssessable) and "V1" in v["CLBBB"].reason
    assert isinstance(v["QMI_INFERIOR"], NotAssessable)
    st = statements_for(m, leads=("I",))
    na = [s for s in st if s.severity == "not assessable"]
    assert na and all(s.reason for s in na)
    # one statement per category and reason, naming what it stands for
    assert len({(s.category, s.reason) for s in na}) == len(na)


def test_undetermined_rhythm_is_not_assessable_never_a_guess():
    v = judge(matrix(rhythm="not determined", p_waves=None))
    assert isinstance(v["AFIB"], NotAssessable)
    assert not any(isinstance(v.get(k), Met) for k in ("SR", "SBRAD", "STACH", "AFIB"))


def test_every_row_has_its_source_codes_and_a_known_category():
    keys = [c.key for c in C.CRITERIA]
    assert len(keys) == len(set(keys))
    for c in C.CRITERIA:
        assert c.category in CATEGORIES and c.severity in SEVERITIES and c.source and c.criterion
    assert {c.key: c.scp for c in C.CRITERIA}["CLBBB"] == "CLBBB"
    assert {c.key: c.snomed for c in C.CRITERIA}["1AVB"] == "270492004"


def test_statements_serialise_to_strict_json():
    st = statements_for(matrix({"V1": {"P_neg_mV": math.nan}}, PR=250.0))
    text = json.dumps([s.to_dict() for s in st], allow_nan=False)
    assert "1st-degree AV block" in text
    assert Unmet  # the three verdict kinds are public


def test_under_lbbb_only_a_concordant_st_elevation_counts_sgarbossa():
    lbbb = {**LBBB, "II": {"ST_J_mV": 0.1, "ST_J60_mV": 0.1, "QRS_area_mVms": 10.0},
            "III": {"ST_J_mV": 0.3, "ST_J60_mV": 0.3, "QRS_area_mVms": -10.0}}
    v = judge(matrix(lbbb, QRS=140.0))
    assert isinstance(v["CLBBB"], Met) and isinstance(v["STEMI_INFERIOR"], Met)
    assert v["STEMI_INFERIOR"].leads == ("II",) and "Sgarbossa" in v["STEMI_INFERIOR"].text
    below = {**lbbb, "II": {"ST_J_mV": 0.09, "ST_J60_mV": 0.09, "QRS_area_mVms": 10.0}}
    assert isinstance(judge(matrix(below, QRS=140.0))["STEMI_INFERIOR"], Unmet)
    # an elevation at J alone (the J point on the downslope of the wide QRS; ST depressed by J+60) is no STEMI
    at_j_only = {**lbbb, "II": {"ST_J_mV": 0.24, "ST_J60_mV": -0.36, "QRS_area_mVms": 10.0}}
    assert isinstance(judge(matrix(at_j_only, QRS=140.0))["STEMI_INFERIOR"], Unmet)
    assert isinstance(v["QMI_INFERIOR"], NotAssessable)  # Q waves are not read under LBBB
