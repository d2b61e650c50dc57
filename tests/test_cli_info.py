"""`python -m ecgcore info FILE...`: JSON per good file, `error: ...` on stderr and exit 2 for a bad one."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.bad_inputs.real_records import real_path  # noqa: E402

from ecgcore.cli import main  # noqa: E402
from ecgcore.core.settings import ROOT  # noqa: E402

GOOD_HEA = real_path("cinc/georgia/E07500.hea")
PTBDB_DAT = real_path("ptbdb/patient096/s0379lre.dat")


def test_info_prints_json_per_file_and_errors_for_bad_ones(tmp_path):
    bad = tmp_path / "broken.dat"
    bad.write_bytes(b"\x00" * 100)
    (tmp_path / "broken.hea").write_text("broken 12 500 5000\n" + "".join(
        f"broken.dat 16 1000/mV 16 0 0 0 0 {lead}\n" for lead in
        ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")))
    done = subprocess.run([sys.executable, "-m", "ecgcore", "info", str(GOOD_HEA), str(bad), str(PTBDB_DAT)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [d["record_id"] for d in lines] == ["E07500", "s0379lre"]
    first, second = lines
    assert first["fs"] == 500 and first["samples"] == 5000 and first["duration_s"] == 10.0
    assert first["leads"][:4] == ["I", "II", "III", "aVR"] and first["derived"] == [] and first["format"] == "wfdb"
    assert second["fs"] == 1000 and second["samples"] == 115200 and second["ignored_channels"] == ["vx", "vy", "vz"]
    assert done.stderr.startswith("error: ") and "truncated" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_info_reports_derived_leads_and_exit_zero(tmp_path, capsys):
    rows = ["time,I,II,V1,V2,V3,V4,V5,V6"] + [
        f"{i / 250:.4f},{0.1 * (i % 50)},{0.2 * (i % 25)},{0.3 * (i % 10)},{0.4 * (i % 3)},{0.1 * (i % 7)},0.2,{0.01 * i % 1},"
        f"{0.05 * (i % 13)}" for i in range(1000)]
    path = tmp_path / "eight.csv"
    path.write_text("\n".join(rows))
    assert main(["info", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["derived"] == ["III", "aVR", "aVL", "aVF"] and out["fs"] == 250 and out["format"] == "csv"


def test_info_needs_fs_for_npy(tmp_path, capsys):
    import numpy as np

    from ecgcore.io import read_path

    signal = read_path(GOOD_HEA).signal
    path = tmp_path / "rec.npy"
    np.save(path, signal)
    assert main(["info", str(path)]) == 2
    assert "no sampling rate" in capsys.readouterr().err
    assert main(["info", "--fs", "500", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["samples"] == 5000


def test_info_on_missing_and_unknown_files(tmp_path, capsys):
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    assert main(["info", str(tmp_path / "nope.hea"), str(tmp_path / "notes.pdf"), str(tmp_path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and all(line.startswith("error: ") for line in err)
    assert "no such file" in err[0] and "unknown file type .pdf" in err[1] and "is a folder" in err[2]
