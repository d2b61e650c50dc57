"""R-peaks, beat windows and measurements on real records (PTB-XL, Challenge) and on signals with no beats."""
from __future__ import annotations

import numpy as np
import pytest

from ecgcore.data.catalogue import load_record
from ecgcore.core.ecg import ECG
from ecgcore.core.errors import UnknownNameError
from ecgcore.explain.beats import score_beats
from ecgcore.signal import analyse_record
from ecgcore.signal.beats import BEAT_AFTER_S, BEAT_BEFORE_S, beat_bounds, median_beat
from ecgcore.signal.peaks import detect_rpeaks, find_beats


@pytest.fixture(scope="module")
def norm_record() -> ECG:
    return load_record("ptbxl/00001")  # NORM, 500 Hz, 10 s, sinus rhythm ~64/min


def _match(a: np.ndarray, b: np.ndarray, tol: int) -> tuple[float, float]:
    """Sensitivity of a against reference b and positive predictive value, within tol samples."""
    hits_b = sum(bool(np.any(np.abs(a - r) <= tol)) for r in b)
    hits_a = sum(bool(np.any(np.abs(b - x) <= tol)) for x in a)
    return hits_b / len(b), hits_a / len(a)


@pytest.mark.parametrize("record_id", ["ptbxl/00001", "ptbxl/00008", "cinc/georgia/E07500", "cinc/ningbo/JS21298"])
def test_rpeaks_agree_between_neurokit_and_wfdb_xqrs_on_real_records(record_id):
    ecg = load_record(record_id)
    nk_beats = find_beats(ecg, "neurokit")
    xq_beats = find_beats(ecg, "xqrs", lead=nk_beats.lead)
    assert nk_beats.ok and xq_beats.ok, (nk_beats.reason, xq_beats.reason)
    sens, ppv = _match(nk_beats.rpeaks, xq_beats.rpeaks, tol=int(0.05 * ecg.fs))
    assert sens >= 0.95 and ppv >= 0.95
    assert 35 <= nk_beats.heart_rate_bpm <= 180
    np.testing.assert_array_equal(detect_rpeaks(ecg), nk_beats.rpeaks)


def test_weak_lead_ii_falls_back_to_a_lead_with_clear_qrs():
    ecg = load_record("cinc/ningbo/JS21298")  # lead II QRS is ~1 mV of noisy low-amplitude complexes
    beats = find_beats(ecg)
    assert beats.ok and beats.lead != "II" and beats.template_corr >= 0.8
    assert not find_beats(ecg, lead="II").ok or find_beats(ecg, lead="II").template_corr < beats.template_corr


def test_flat_noisy_and_short_signals_say_no_beats_instead_of_failing(norm_record):
    flat = norm_record.with_signal(np.zeros_like(norm_record.signal))
    rng = np.random.default_rng(0)
    noise = norm_record.with_signal(rng.normal(0, 0.3, norm_record.signal.shape).astype(np.float32))
    short = norm_record.with_signal(norm_record.signal[:, : int(1.5 * norm_record.fs)])
    for ecg, word in ((flat, "flat"), (noise, "noise"), (short, "long")):
        beats = find_beats(ecg)
        assert not beats.ok and beats.n == 0 and word in beats.reason and beats.reason.startswith("no beats found")
        a = analyse_record(ecg)
        assert a.value("QRS") is None and a.measurements["QRS"].reason and beats.reason in a.notes
    with pytest.raises(UnknownNameError, match="neurokit"):
        find_beats(norm_record, "nope")


def test_median_beat_and_beat_scores_follow_the_map(norm_record):
    beats = find_beats(norm_record)
    fs = norm_record.fs
    med = median_beat(norm_record.signal, beats.rpeaks, fs)
    before = int(round(BEAT_BEFORE_S * fs))
    assert med.shape == (12, before + int(round(BEAT_AFTER_S * fs)))
    lead = norm_record.leads.index(beats.lead)
    assert np.argmax(np.abs(med[lead] - np.median(med[lead]))) == pytest.approx(before, abs=3)  # R at 250 ms
    bounds = beat_bounds(beats.rpeaks, fs, norm_record.n_samples)
    assert (bounds[:, 1] > bounds[:, 0]).all() and bounds.min() >= 0 and bounds.max() <= norm_record.n_samples
    # a map with evidence only on beat 3 for class 1 and only in lead V4: beat 3 ranks first, mass = integral
    cam = np.zeros((2, norm_record.n_samples))
    r = beats.rpeaks[3]
    cam[1, r - 50:r + 50] = 4.0  # logits/s over 0.2 s -> 0.8 logit
    cam[0] = -1.0
    per_lead = np.zeros((12, norm_record.n_samples))
    per_lead[norm_record.leads.index("V4"), r - 10:r + 10] = -2.0
    s = score_beats(bounds, cam, fs, target=1, per_lead=per_lead)
    assert s.ranking[0] == 3 and s.mass[3, 1] == pytest.approx(0.8, rel=1e-3)
    assert s.share[3, 1] == pytest.approx(1.0) and np.all(s.mass[:, 0] == 0)  # negative evidence has no mass
    assert norm_record.leads[s.top_lead[3]] == "V4"


@pytest.mark.parametrize("record_id", ["ptbxl/00001", "ptbxl/00003", "cinc/chapman_shaoxing/JS01048"])
def test_measurements_on_normal_real_records_are_physiological(record_id):
    a = analyse_record(load_record(record_id))
    assert a.rhythm.name.startswith("sinus")
    assert 40 <= a.value("HR") <= 110
    assert 100 <= a.value("PR") <= 220
    assert 60 <= a.value("QRS") <= 120
    assert 320 <= a.value("QT") <= 480
    assert 340 <= a.value("QTc_Bazett") <= 470 and 340 <= a.value("QTc_Fridericia") <= 470
    assert -30 <= a.value("axis") <= 100
    f = a.fiducials_ms
    assert f["P_on"] < f["QRS_on"] < 0 < f["QRS_off"] < f["T_off"]  # in order around R (ms from R)
    assert a.to_dict()["measurements"]["QRS"]["value"] == pytest.approx(a.value("QRS"), abs=0.05)
