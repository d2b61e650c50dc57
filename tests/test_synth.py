"""The synthetic PTB-XL-shaped corpus: layout, determinism, physiology and lesion ground truth."""
from __future__ import annotations

import ast
import filecmp
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import wfdb

from ecgcore.core.settings import ROOT
from ecgcore.core.leads import LEADS
from ecgcore.synth import generate_corpus, make_spec, sample_cohort, simulate_record
from ecgcore.synth.catalogue import PTBXL_RECORDS, PTBXL_SUPERCLASS_COUNTS, SUPERCLASS_OF
from ecgcore.synth.writer import COLUMNS

from tests.bad_inputs.real_records import real_path  # noqa: E402

REAL_DB = real_path("ptbxl/ptbxl_database.csv")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "corpus"
    generate_corpus(out, records=10, seed=0, rates=(100, 500), workers=1, progress=False)
    return out


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# ------------------------------------------------------------------------------------------ layout / IO
def test_same_seed_same_bytes_whatever_the_workers(corpus: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate_corpus(again, records=10, seed=0, rates=(100, 500), workers=2, progress=False)
    files = _files(corpus)
    assert files == _files(again)
    assert len([f for f in files if f.endswith(".dat")]) == 20
    _, mismatch, errors = filecmp.cmpfiles(corpus, again, files, shallow=False)
    assert mismatch == [] and errors == []


def test_another_seed_differs(corpus: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generate_corpus(other, records=4, seed=1, rates=(100,), workers=1, progress=False)
    a = (corpus / "records100/00000/00001_lr.dat").read_bytes()
    b = (other / "records100/00000/00001_lr.dat").read_bytes()
    assert len(a) == len(b) == 1000 * 12 * 2 and a != b
    assert (corpus / "ptbxl_database.csv").read_text() != (other / "ptbxl_database.csv").read_text()


def test_database_has_ptbxl_columns_and_is_marked_synthetic(corpus: Path) -> None:
    real_header = REAL_DB.read_text().splitlines()[0].split(",")
    assert list(COLUMNS) == real_header
    db = pd.read_csv(corpus / "ptbxl_database.csv", index_col="ecg_id")
    assert ["ecg_id"] + list(db.columns) == real_header
    assert list(db.index) == list(range(1, 11))
    assert (db["device"] == "SYNTHETIC").all()
    assert db["report"].str.startswith("SYNTHETIC").all()
    assert (corpus / "README.md").read_text().startswith("# SYNTHETIC")
    assert db["strat_fold"].between(1, 10).all() and db["sex"].isin([0, 1]).all()
    for cell in db["scp_codes"]:
        codes = ast.literal_eval(cell)
        assert isinstance(codes, dict) and all(isinstance(v, float) for v in codes.values())
    statements = pd.read_csv(corpus / "scp_statements.csv", index_col=0)
    assert {"NORM", "IMI", "CLBBB", "LVH", "NDT"} <= set(statements.index)


def test_records_read_back_with_wfdb(corpus: Path) -> None:
    db = pd.read_csv(corpus / "ptbxl_database.csv", index_col="ecg_id")
    for rate, column, n in ((100, "filename_lr", 1000), (500, "filename_hr", 5000)):
        signal, fields = wfdb.rdsamp(str(corpus / db.loc[3, column]))
        assert signal.shape == (n, 12) and fields["fs"] == rate
        assert fields["sig_name"] == ["I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6"]
        assert fields["units"] == ["mV"] * 12
        assert 0.2 < np.abs(signal).max() < 10.0
    header = wfdb.rdheader(str(corpus / db.loc[3, "filename_lr"]))
    assert header.fmt == ["16"] * 12 and header.adc_gain == [1000.0] * 12 and header.baseline == [0] * 12


def test_einthoven_and_goldberger_hold_in_the_files(corpus: Path) -> None:
    for name in ("records100/00000/00002_lr", "records500/00000/00007_hr"):
        s, _ = wfdb.rdsamp(str(corpus / name))
        i, ii, iii, avr, avl, avf = s[:, :6].T
        assert np.abs(iii - (ii - i)).max() < 1e-9
        assert np.abs(avr + (i + ii) / 2).max() <= 0.0005 + 1e-9
        assert np.abs(avl - (i - ii / 2)).max() <= 0.0005 + 1e-9
        assert np.abs(avf - (ii - i / 2)).max() <= 0.0005 + 1e-9


def test_loader_reads_the_corpus_unchanged(corpus: Path) -> None:
    from ecgcore.data import ptbxl
    db = ptbxl.load_database(corpus)
    assert len(db) == 10 and db["has_100"].all() and db["has_500"].all()
    raw = pd.read_csv(corpus / "ptbxl_database.csv", index_col="ecg_id")
    for ecg_id in (1, 9):
        expected = {SUPERCLASS_OF[c] for c in ast.literal_eval(raw.loc[ecg_id, "scp_codes"]) if c in SUPERCLASS_OF}
        assert set(db.loc[ecg_id, "superclasses"]) == expected
    ecg = ptbxl.load_ecg(corpus, 9, rate=100)
    signal, _ = wfdb.rdsamp(str(corpus / "records100/00000/00009_lr"))
    assert ecg.signal.shape == (12, 1000) and ecg.fs == 100
    assert np.allclose(ecg.signal, signal.T, atol=1e-6)


def test_lesions_and_truth_files(corpus: Path) -> None:
    truth = pd.read_csv(corpus / "truth.csv")
    assert list(truth["ecg_id"]) == list(range(1, 11))
    for col in ("hr_bpm", "qrs_ms", "qt_ms", "axis_deg"):
        assert truth[col].notna().all()
    lines = [json.loads(x) for x in (corpus / "lesions.jsonl").read_text().splitlines()]
    assert [x["ecg_id"] for x in lines] == list(range(1, 11))
    for row, line in zip(truth.itertuples(), lines):
        rpeaks = [float(x) for x in str(row.rpeaks_s).split()]
        assert 4 <= len(rpeaks) <= 30 and all(0 <= r < 10 for r in rpeaks)
        for les in line["lesions"]:
            assert les["class"] in row.true_superclasses.split()
            assert set(les["leads"]) <= set(LEADS) and les["leads"]
            assert 0.0 <= les["start_s"] < les["end_s"] <= 10.0
            if les["beat"] is not None:   # the window sits on its beat
                r = rpeaks[les["beat"]]
                assert les["start_s"] - 0.45 <= r <= les["end_s"] + 0.65


def test_cli_rejects_bad_arguments_and_real_data(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "ecgcore", "synth", "--quiet", "--out"]
    bad = subprocess.run(cmd + [str(tmp_path / "x"), "--records", "0"], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and "21799" in bad.stderr
    real = tmp_path / "real"
    real.mkdir()
    (real / "ptbxl_database.csv").write_text(REAL_DB.read_text())
    refused = subprocess.run(cmd + [str(real), "--records", "2"], capture_output=True, text=True, cwd=ROOT)
    assert refused.returncode == 2 and "not a synthetic corpus" in refused.stderr
    assert sorted(p.name for p in real.iterdir()) == ["ptbxl_database.csv"]


# ----------------------------------------------------------------------------------------- label mix
def test_label_mix_matches_ptbxl_on_2000_records() -> None:
    specs = sample_cohort(2000, seed=0)
    counts = dict.fromkeys(PTBXL_SUPERCLASS_COUNTS, 0)
    for spec in specs:
        for cls in {SUPERCLASS_OF[c] for c in spec["labels"] if c in SUPERCLASS_OF}:
            counts[cls] += 1
    for cls, n in PTBXL_SUPERCLASS_COUNTS.items():
        assert abs(counts[cls] / 2000 - n / PTBXL_RECORDS) < 0.02, (cls, counts[cls])
    multi = sum(len({SUPERCLASS_OF[c] for c in s["labels"] if c in SUPERCLASS_OF}) > 1 for s in specs)
    assert 0.15 < multi / 2000 < 0.35      # PTB-XL: ~27% of records have several superclasses
    noisy = [s for s in specs if s["label_noise"]]
    assert 0.01 < len(noisy) / 2000 < 0.06
    noisy_train = [s for s in noisy if s["strat_fold"] <= 8]
    assert sum(s["validated_by_human"] for s in noisy_train) < 0.5 * len(noisy_train)   # flagged as unvalidated


def test_folds_are_by_patient_and_balanced() -> None:
    specs = sample_cohort(1500, seed=2)
    folds: dict[float, set[int]] = {}
    for s in specs:
        folds.setdefault(s["patient_id"], set()).add(s["strat_fold"])
    assert all(len(f) == 1 for f in folds.values())
    assert len(folds) < 1500                              # some patients have several records
    sizes = np.bincount([s["strat_fold"] for s in specs], minlength=11)[1:]
    assert sizes.min() > 0.8 * 150 and sizes.max() < 1.2 * 150


# ---------------------------------------------------------------------------------------- physiology
def _clean(spec: dict, lesions: bool = True, rate: int = 500):
    return simulate_record(spec, (rate,), lesions=lesions, noise=False)


def _qrs_width_ms(sig: np.ndarray, r: float, fs: int) -> float:
    """QRS duration from the signal: the run of samples around the R peak where the spatial slope exceeds
    15% of its QRS peak (gaps under 20 ms bridged, so a P or T wave apart from the QRS is not counted)."""
    a = int((r - 0.2) * fs)
    slope = np.sqrt((np.diff(sig[:, a:a + int(0.45 * fs)], axis=1) ** 2).sum(axis=0)) * fs
    centre = int(0.2 * fs)
    peak = int(centre - 0.1 * fs + slope[centre - int(0.1 * fs):centre + int(0.1 * fs)].argmax())
    active = slope >= 0.15 * slope[peak]
    gap = int(0.02 * fs)
    lo = hi = peak
    while lo > 0 and active[max(lo - gap, 0):lo].any():
        lo -= 1
    while hi < active.size - 1 and active[hi + 1:hi + 1 + gap].any():
        hi += 1
    return 1000.0 * (hi - lo) / fs


@pytest.mark.parametrize("stmts, lo, hi", [
    ({}, 70, 110), ({"CLBBB": 0.05}, 120, 180), ({"CLBBB": 0.9}, 120, 180), ({"CRBBB": 0.05}, 120, 180),
    ({"CRBBB": 0.9}, 120, 180), ({"IRBBB": 0.6}, 100, 120), ({"IVCD": 0.6}, 110, 150),
])
def test_qrs_duration_truth_matches_the_signal(stmts: dict, lo: float, hi: float) -> None:
    """Truth QRS within the criteria, and within 20 ms of the signal's (30 ms for LBBB, whose discordant ST
    starts at the J point)."""
    tolerance = 30.0 if "CLBBB" in stmts else 20.0
    checked = 0
    for seed in range(4):
        rec = _clean(make_spec(stmts, seed=seed))
        if rec.truth["intermittent"]:        # only some beats carry it: see the intermittent test
            assert lo <= rec.truth["intermittent_qrs_ms"] < hi
            continue
        assert lo <= rec.truth["qrs_ms"] < hi
        rpeaks = [float(x) for x in rec.truth["rpeaks_s"].split()]
        measured = [_qrs_width_ms(rec.signals[500], r, 500) for r in rpeaks if 0.3 < r < 9.6]
        assert abs(np.median(measured) - rec.truth["qrs_ms"]) < tolerance, (stmts, measured, rec.truth["qrs_ms"])
        checked += 1
    assert checked >= 2


def test_rpeaks_are_at_the_qrs_peaks() -> None:
    rec = _clean(make_spec({"IMI": 0.5}, seed=3, n_pvc=1))
    sig = rec.signals[500]
    mag = np.sqrt((sig ** 2).sum(axis=0))
    for r in (float(x) for x in rec.truth["rpeaks_s"].split()):
        i = int(round(r * 500))
        lo, hi = max(i - 40, 0), min(i + 40, mag.size)
        assert abs(lo + int(mag[lo:hi].argmax()) - i) <= 6          # within 12 ms


@pytest.mark.parametrize("stmts, check", [
    ({}, lambda t: 120 <= t["pr_ms"] <= 200 and -30 <= t["axis_deg"] <= 90 and t["qrs_ms"] < 110),
    ({"1AVB": 0.5}, lambda t: t["pr_ms"] > 200),
    ({"WPW": 0.5}, lambda t: t["pr_ms"] < 120 and t["qrs_ms"] >= 110),
    ({"LAFB": 0.6}, lambda t: -90 <= t["axis_deg"] <= -45),
    ({"LPFB": 0.5}, lambda t: t["axis_deg"] > 90),
    ({"LNGQT": 0.5}, lambda t: t["qt_ms"] / (60 / t["hr_bpm"]) ** (1 / 3) > 460),
])
def test_intervals_and_axis_follow_the_criteria(stmts: dict, check) -> None:
    checked = 0
    for seed in range(4):
        rec = _clean(make_spec(stmts, seed=seed))
        if not rec.truth["intermittent"]:
            assert check(rec.truth), (stmts, rec.truth)
            checked += 1
    assert checked >= 2


def test_lvh_meets_sokolow_lyon_and_normals_mostly_do_not() -> None:
    def sokolow(stmts: dict, seed: int) -> float:
        rec = _clean(make_spec(stmts, seed=seed, age=55))
        sig = rec.signals[500]
        v1, v5, v6 = (sig[LEADS.index(x)] for x in ("V1", "V5", "V6"))
        return float(-v1.min() + max(v5.max(), v6.max()))
    assert np.median([sokolow({"LVH": 0.8}, s) for s in range(5)]) >= 3.5
    assert np.median([sokolow({}, s) for s in range(5)]) < 3.5


def _st_at(sig: np.ndarray, j_time: float, fs: int) -> np.ndarray:
    return sig[:, int(round((j_time + 0.06) * fs))]


def test_inferior_mi_lesion_is_in_ii_iii_avf_only() -> None:
    """ST at J+60 ms moves in II, III, aVF by the simulated amount on the lesion beats; V1-V6 don't move."""
    for seed in range(40):       # find a stage with ST elevation (stadium I .. II)
        spec = make_spec({"IMI": 0.8}, seed=seed)
        rec = _clean(spec)
        if rec.meta["infarction_stadium1"] in ("Stadium I", "Stadium I-II", "Stadium II"):
            break
    else:
        pytest.fail("no acute-stage inferior MI in 40 seeds")
    base = _clean(spec, lesions=False)
    diff = rec.signals[500] - base.signals[500]
    mi = [x for x in rec.lesions if x["statement"] == "IMI"]
    assert mi and {"II", "III", "aVF"} <= set(mi[0]["leads"])
    assert not set(mi[0]["leads"]) & {"V1", "V2", "V3", "V4", "V5", "V6"}
    rpeaks = [float(x) for x in rec.truth["rpeaks_s"].split()]
    qrs = rec.truth["qrs_ms"] / 1000
    beats = sorted({x["beat"] for x in mi if x["beat"] is not None and 0.5 < rpeaks[x["beat"]] < 9.0})
    assert len(beats) >= 5
    for b in beats:
        shift = _st_at(diff, rpeaks[b] + 0.58 * qrs, 500)
        for lead in ("II", "III", "aVF"):
            assert shift[LEADS.index(lead)] > 0.05                      # ST elevation in the territory
        assert np.abs(shift[6:]).max() < 0.005                          # precordial leads untouched
    # the recorded delta is the largest change in each listed lead, so no lead changes by more
    delta = dict(zip(mi[0]["leads"], mi[0]["delta_mv"]))
    for lead, d in delta.items():
        assert np.abs(diff[LEADS.index(lead)]).max() == pytest.approx(abs(d), rel=0.2)
    assert np.abs(diff[6:]).max() < 0.005


@pytest.mark.parametrize("stmt, inside, outside", [
    ("IMI", {"II", "III", "aVF"}, {"V1", "V2", "V3", "V4"}),
    ("ASMI", {"V1", "V2", "V3", "V4"}, {"II", "III", "aVF"}),
    ("LMI", {"I", "aVL", "V5", "V6"}, {"V1", "V2"}),
    ("ISCIN", {"II", "III", "aVF"}, {"V1", "V2", "V3"}),
    ("CRBBB", {"V1", "V2", "V3", "I", "V6"}, set()),
])
def test_lesions_are_where_the_labels_say(stmt: str, inside: set, outside: set) -> None:
    for seed in range(4):
        rec = _clean(make_spec({stmt: 0.7}, seed=seed))
        leads = {lead for x in rec.lesions if x["statement"] == stmt for lead in x["leads"]}
        assert len(leads & inside) >= 2 and not leads & outside, (stmt, seed, leads)


def test_intermittent_lesions_mark_only_their_beats() -> None:
    for seed in range(60):
        rec = _clean(make_spec({"NDT": 0.8}, seed=seed))
        if rec.truth["intermittent"] == "NDT":
            break
    else:
        pytest.fail("no intermittent NDT in 60 seeds")
    n_beats = len(rec.truth["rpeaks_s"].split())
    marked = {x["beat"] for x in rec.lesions if x["beat"] is not None}
    assert 0 < len(marked) < n_beats


def test_noise_is_present_and_varies() -> None:
    spec = make_spec({}, seed=4)
    noisy = simulate_record(spec, (100,)).signals[100]
    clean = simulate_record(spec, (100,), noise=False).signals[100]
    resid = noisy - clean
    assert 0.001 < resid.std() < 1.0
    assert np.abs(resid[2] - (resid[1] - resid[0])).max() < 1e-9      # noise obeys Einthoven too
    other = simulate_record(make_spec({}, seed=5), (100,)).signals[100] - simulate_record(
        make_spec({}, seed=5), (100,), noise=False).signals[100]
    assert not np.allclose(resid.std(axis=1), other.std(axis=1))


def test_an_interrupted_synthetic_folder_can_be_regenerated(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    generate_corpus(out, records=3, seed=0, workers=1, progress=False)
    (out / "ptbxl_database.csv").unlink()                  # as if the run had stopped half way
    (out / "records100/00000/00099_lr.hea").write_text("stale")
    generate_corpus(out, records=2, seed=0, workers=1, progress=False)
    assert len(pd.read_csv(out / "ptbxl_database.csv")) == 2
    assert not (out / "records100/00000/00099_lr.hea").exists()
