"""`python -m ecgcore score`: what it finds, the rows it writes, bad files, resume, long records, triage.

The engines on a few hundred real records (local pool and Ray give the same rows) are in test_score_engines.py.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecgcore.core.settings import resolve
from ecgcore.score import load_rows, load_timecourse, read_manifest, score_paths, triage
from ecgcore.score.sources import find_units
from ecgcore.score.store import row_differences
from ecgcore.score.triage import URGENCY, filter_rows, library_id, summary
from tests.bad_inputs.real_records import data_root, real_path

pytestmark = pytest.mark.usefixtures("one_torch_thread")
ROOT = Path(__file__).resolve().parent.parent
MODEL = ["resnet1d"]  # one model keeps the runs short; the ensemble columns are checked with two


def test_units_group_each_record_once():
    units = {u.source: u for u in find_units([str(real_path("cases")), str(real_path("ptbdb")),
                                              str(real_path("ptbxl"))])}
    multi = units[str(real_path("cases/wfdb-multi-segment/multi.hea"))]
    # the master header with both segments' headers and data; the segments are no records of their own
    assert sorted(Path(f).name for f in multi.files) == ["multi.hea", "multi_0001.dat", "multi_0001.hea",
                                                         "multi_0002.dat", "multi_0002.hea"]
    assert not any(s.endswith("multi_0001.hea") for s in units)
    ptbdb = units[str(real_path("ptbdb/patient096/s0379lre.hea"))]
    assert sorted(Path(f).suffix for f in ptbdb.files) == [".dat", ".hea", ".xyz"]
    names = {Path(s).name for s in units}
    assert "ptbxl_database.csv" not in names and "scp_statements.csv" not in names and "README.md" not in names
    assert not any(s.endswith(".atr") for s in units)
    # a record's data file never appears twice
    files = [f for u in units.values() for f in u.files]
    assert len(files) == len(set(files))


def test_units_from_globs_zips_and_named_files(tmp_path):
    import zipfile

    hea = real_path("ptbxl/records500/00000/00001_hr.hea")
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in ("00001_hr.hea", "00001_hr.dat"):
            zf.write(hea.parent / f, f"a/{f}")
        zf.write(real_path("formats/muse_xml/egm_muse-sinus.xml"), "b/muse.xml")
    units = find_units([str(hea), str(archive), str(real_path("formats")) + "/scp_ecg/*.scp"])
    sources = [u.source for u in units]
    assert str(hea) in sources and f"{archive}!a/00001_hr.hea" in sources and f"{archive}!b/muse.xml" in sources
    assert sum(s.endswith(".scp") for s in sources) == 2
    named = next(u for u in units if u.source == str(hea))
    assert sorted(Path(f).name for f in named.files) == ["00001_hr.dat", "00001_hr.hea"]
    with pytest.raises(Exception, match="nothing found at 'no/such/folder'"):
        find_units(["no/such/folder"])


@pytest.mark.slow
def test_bad_files_become_rows_and_the_run_goes_on(tmp_path):
    """Every file of cases/ and formats/ (readable and not, plus a zip and an empty file): one row each, the
    unreadable ones with the reader's status and reason; the models' refusal is a note, not a failure."""
    (tmp_path / "empty.xml").write_bytes(b"")
    (tmp_path / "garbage.dcm").write_bytes(b"not a dicom file" * 20)
    out = tmp_path / "run"
    result = score_paths([str(real_path("cases")), str(real_path("formats")), str(tmp_path / "empty.xml"),
                          str(tmp_path / "garbage.dcm")], out, models=MODEL, engine="serial", shard_size=8,
                         progress=False)
    rows = load_rows(out)
    assert result["complete"] and len(rows) == result["records"] == len(set(rows["source"]))
    by = rows.set_index("source")
    empty = by.loc[str(tmp_path / "empty.xml")]
    assert empty["status"] == "unreadable" and "empty (0 bytes)" in empty["reason"]
    assert by.loc[str(tmp_path / "garbage.dcm"), "status"] == "unreadable"
    npy = by.loc[str(real_path("cases/npy-lead-order/ptbxl_style_reordered.npy"))]
    assert npy["status"] == "unreadable" and "sampling rate" in npy["reason"]
    muse = by.loc[str(real_path("formats/muse_xml/egm_muse-sinus.xml"))]
    assert muse["status"] == "ok" and muse["format"] == "muse_xml" and 0 <= muse["p.resnet1d.NORM"] <= 1
    assert muse["d.resnet1d.NORM"] == (muse["p.resnet1d.NORM"] >= _threshold("resnet1d", "NORM"))
    assert muse["HR"] and muse["rhythm"]
    af = by.loc[str(real_path("cases/af-no-p-waves/af105.hea"))]
    assert af["rhythm"] == "atrial fibrillation" and pd.isna(af["PR"])
    # statuses are words of one small vocabulary; every failure carries its reason
    assert set(rows["status"]) <= {"ok", "unreadable", "unusable signal", "failed"}
    assert rows.loc[rows["status"] != "ok", "reason"].notna().all()
    # the manifest counts what was written
    manifest = read_manifest(out)
    assert sum(s["records"] for s in manifest["shards"].values()) == len(rows)
    assert manifest["complete"] and manifest["models"] == MODEL


def _threshold(model: str, cls: str) -> float:
    from ecgcore.models import load_model

    m = load_model(model)
    return float(m.thresholds[list(m.classes).index(cls)])


@pytest.mark.slow
def test_ensemble_and_long_record_time_course(tmp_path):
    """A real 2-minute ptbdb record (1000 Hz, 12 leads + Frank) is scored per 10 s segment by every trained model:
    its time course has one row per segment with each model's probabilities; the record's probability is the
    mean over segments; the registered ensemble is the mean of its members, decided at its own thresholds."""
    from ecgcore.models import load_model

    hea = real_path("ptbdb/patient096/s0379lre.hea")
    out = tmp_path / "run"
    score_paths([str(hea)], out, engine="serial", progress=False)
    row = load_rows(out).iloc[0]
    course = load_timecourse(out, str(hea))
    shipped = sorted(p.parent.name for p in resolve().models_dir.glob("*/card.json"))  # every trained model
    assert len(shipped) == 6 and read_manifest(out)["models"] == shipped
    assert row["status"] == "ok" and row["segments"] == len(course) == 12  # 115.2 s: 11 x 10 s + 5.2 s (kept: over half)
    assert course["start_s"].tolist() == [10.0 * i for i in range(12)] and course["end_s"].iloc[-1] == pytest.approx(115.2)
    for model in ("resnet1d", "kernel", "ensemble"):
        assert row[f"p.{model}.MI"] == pytest.approx(course[f"p.{model}.MI"].mean(), abs=1e-9)
    ensemble = load_model("ensemble")
    for i, c in enumerate(ensemble.classes):
        members = [row[f"p.{m}.{c}"] for m in ("inception1d", "kernel", "lstm", "resnet1d")]
        assert row[f"p.ensemble.{c}"] == pytest.approx(np.mean(members), abs=1e-6)
        assert row[f"d.ensemble.{c}"] == (row[f"p.ensemble.{c}"] >= ensemble.thresholds[i])
    assert course["HR"].notna().all() and row["HR"] == pytest.approx(course["HR"].median())
    assert row["af_burden"] == 0.0 and row["premature_beats"] == course["premature_beats"].sum()


@pytest.mark.slow
def test_holter_af_burden_and_lead_subset(tmp_path):
    """A SYNTHETIC 20-minute 3-lead Holter record with atrial fibrillation from minute 5 to 10: the time course
    finds it (AF burden about a quarter), the 12-lead models say why they cannot score 3 leads."""
    from ecgcore.synth.holter import simulate_holter, write_holter

    record = simulate_holter(hours=20 / 60, fs=250, af_hours=(5 / 60, 10 / 60), pool=6, seed=1)
    hea = write_holter(record, tmp_path / "holter")
    out = tmp_path / "run"
    score_paths([str(hea)], out, models=MODEL, engine="serial", progress=False)
    row = load_rows(out).iloc[0]
    course = load_timecourse(out)
    assert row["status"] == "ok" and row["leads"] == 3 and row["segments"] == 120
    assert "3 lead(s)" in row["model_note"] and pd.isna(row["p.resnet1d.NORM"])
    truth_af = np.array([t["rhythm"] == "AFIB" for t in record.truth])
    found_af = (course["rhythm"] == "atrial fibrillation").to_numpy()
    assert (found_af == truth_af).mean() >= 0.9
    assert row["af_burden"] == pytest.approx(0.25, abs=0.06)


@pytest.mark.slow
def test_kill_and_resume_scores_each_record_once(tmp_path):
    """Stop a run (SIGKILL) after its first shards, resume it: every record of the plan once, none lost, the
    rows equal to an uninterrupted run's."""
    paths = [str(real_path("formats")), str(real_path("cases"))]
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "ecgcore", "score", *paths, "--out", str(out), "--models", "kernel",
           "--workers", "1", "--shard-size", "3", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while len(list((out / "rows").glob("part-*.parquet"))) < 2 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
    children = _children(proc.pid)
    proc.kill()  # the driver only: its worker sees it gone and ends too (engines._exit_with_parent)
    proc.wait()
    gone = time.time() + 15
    while any(Path(f"/proc/{c}").exists() for c in children) and time.time() < gone:
        time.sleep(0.2)
    assert children and not any(Path(f"/proc/{c}").exists() for c in children), "a worker outlived its driver"
    before = len(list((out / "rows").glob("part-*.parquet")))
    assert 2 <= before < read_manifest(out)["n_shards"], "the run ended before it could be stopped mid-way"
    resume = [sys.executable, "-m", "ecgcore", "score", "--out", str(out), "--resume", "--models", "kernel",
              "--workers", "1", "--quiet"]
    again = subprocess.run(resume, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    rows = load_rows(out)
    plan = pd.read_parquet(out / "plan.parquet")
    assert sorted(rows["source"]) == sorted(plan["source"]) and rows["source"].is_unique
    whole = tmp_path / "whole"
    score_paths(paths, whole, models=["kernel"], engine="serial", shard_size=3, progress=False)
    assert row_differences(rows, load_rows(whole)) == []


def _children(pid: int) -> list[int]:
    """The child processes of `pid` (Linux /proc), e.g. a pool's workers."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(c) for c in task.read_text().split()]
    return found


@pytest.mark.slow
def test_cli_refuses_what_it_cannot_do(tmp_path):
    run = subprocess.run([sys.executable, "-m", "ecgcore", "score", "no/such/file.hea", "--out", str(tmp_path / "x")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "nothing found at 'no/such/file.hea'" in run.stderr and "Traceback" not in run.stderr
    (tmp_path / "done").mkdir()
    (tmp_path / "done" / "manifest.json").write_text(json.dumps({"format": "ecgcore-score/1"}))
    run = subprocess.run([sys.executable, "-m", "ecgcore", "score", str(real_path("formats")), "--out",
                          str(tmp_path / "done"), "--models", "kernel"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2 and "already holds a score run" in run.stderr and "--resume" in run.stderr


def test_triage_order_filters_and_summary():
    """On a hand-made frame shaped like a run's rows (the order rule, not the models, is what is tested)."""
    rows = pd.DataFrame({
        "source": ["d/a/1.hea", "d/a/2.hea", "d/b/3.xml", "d/b/4.xml", "d/a/5.hea", "d/b/6.xml"],
        "status": ["ok", "ok", "ok", "unreadable", "ok", "ok"],
        "reason": [None, None, None, "a.xml: The file is empty. Export it again.", None, None],
        "critical": [False, False, True, None, False, False],
        "urgent": [None] * 6, "interpretation": [None, "Atrial fibrillation", None, None, None, None],
        "seconds": [0.1, 0.5, 0.2, 0.0, 0.3, 0.1],
        "p.m.NORM": [0.9, 0.1, 0.2, None, 0.3, None], "p.m.MI": [0.1, 0.8, 0.1, None, 0.6, None],
        "d.m.NORM": [True, False, False, None, False, None], "d.m.MI": [False, True, False, None, True, None],
    })
    t = triage(rows)
    assert t["source"].tolist() == ["d/b/3.xml", "d/a/2.hea", "d/a/5.hea", "d/a/1.hea", "d/b/6.xml", "d/b/4.xml"]
    assert t["urgency"].tolist() == ["urgent", "abnormal", "abnormal", "not abnormal", "not scored", "failed"]
    assert set(t["urgency"]) <= set(URGENCY)
    assert filter_rows(t, classes_any=["MI"])["source"].tolist() == ["d/a/2.hea", "d/a/5.hea"]
    assert filter_rows(t, origins_any=["b"], statuses=["ok"])["source"].tolist() == ["d/b/3.xml", "d/b/6.xml"]
    assert filter_rows(t, statement="atrial fib")["source"].tolist() == ["d/a/2.hea"]
    s = summary(rows)
    assert s["status"] == {"ok": 5, "unreadable": 1} and s["positive"] == {"MI": 2, "NORM": 1}
    assert s["failures"] == {"unreadable: The file is empty": 1} and s["slowest"][0] == ("d/a/2.hea", 0.5)
    assert s["statements"] == {"Atrial fibrillation": 1}


def test_library_ids_of_data_root_files():
    root = data_root()
    assert library_id(str(root / "ptbxl_more/records500/00000/00001_hr.hea"), root) == "ptbxl/00001"
    assert library_id(str(root / "cinc/georgia/E00271.hea"), root) == "cinc/georgia/E00271"
    assert library_id(str(root / "ludb/data/7.hea"), root) == "ludb/7"
    assert library_id(str(root / "formats/muse_xml/egm_muse-sinus.xml"), root) is None
    assert library_id("/elsewhere/00001_hr.hea", root) is None


@pytest.mark.slow
def test_a_long_wfdb_record_streamed_in_spans_scores_as_whole(tmp_path, monkeypatch):
    """A record over `stream.STREAM_VALUES` is read span by span (so a 24-hour Holter fits in a worker's memory);
    scored that way, a SYNTHETIC 10-minute 3-lead record gives the row and time course it gives read whole."""
    from ecgcore.score import stream
    from ecgcore.synth.holter import simulate_holter, write_holter

    hea = write_holter(simulate_holter(hours=10 / 60, fs=250, af_hours=(2 / 60, 5 / 60), pool=4, seed=2),
                       tmp_path / "holter")
    score_paths([str(hea)], tmp_path / "whole", models=MODEL, engine="serial", progress=False)
    monkeypatch.setattr(stream, "STREAM_VALUES", 100_000)  # 10 min x 3 leads x 250 Hz = 450,000 values
    monkeypatch.setattr(stream, "SPAN_VALUES", 40_000)     # spans of 5 segments
    from ecgcore.score.sources import Unit

    assert stream.streamable(Unit(str(hea), (str(hea), str(hea.with_suffix(".dat"))))) is not None
    score_paths([str(hea)], tmp_path / "streamed", models=MODEL, engine="serial", progress=False)
    whole, streamed = load_rows(tmp_path / "whole"), load_rows(tmp_path / "streamed")
    assert streamed.iloc[0]["status"] == "ok" and streamed.iloc[0]["segments"] == 60
    assert row_differences(whole, streamed) == []
    a, b = load_timecourse(tmp_path / "whole"), load_timecourse(tmp_path / "streamed")
    pd.testing.assert_frame_equal(a, b, check_exact=False, atol=1e-6)


@pytest.mark.slow
def test_the_viewer_gets_a_span_of_a_record_too_long_to_read_whole(tmp_path, monkeypatch):
    """`open_record` of a streamed record (what the Worklist hands the viewer) is the span around the moment
    asked for, sample for sample the record's (to the file's 1 µV resolution)."""
    from ecgcore.score import stream
    from ecgcore.score.store import RunStore, open_record
    from ecgcore.synth.holter import simulate_holter, write_holter

    record = simulate_holter(hours=10 / 60, fs=250, af_hours=None, pool=3, seed=3)
    hea = write_holter(record, tmp_path / "holter")
    RunStore.create(tmp_path / "run", find_units([str(hea)]), 8, {"models": []})
    monkeypatch.setattr(stream, "STREAM_VALUES", 100_000)
    ecg, at = open_record(tmp_path / "run", str(hea), at_s=400.0, span_s=120.0)
    assert ecg.record_id == "holter from 00:05:40" and ecg.duration == pytest.approx(120.0) and at == pytest.approx(60.0)
    np.testing.assert_allclose(ecg.signal, record.ecg.signal[:, 340 * 250:460 * 250], atol=6e-4)
    monkeypatch.setattr(stream, "STREAM_VALUES", 10_000_000)  # read whole: the record itself, the time as asked
    whole, at = open_record(tmp_path / "run", str(hea), at_s=30.0)
    assert whole.duration == pytest.approx(600.0) and at == 30.0
