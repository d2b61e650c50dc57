"""The local engine (a 2-process pool) and Ray Data (a local instance with 2 CPUs, started here) score a few
hundred real records of the data root and write the same rows (up to float rounding)."""
from __future__ import annotations

import pytest

from ecgcore.score import load_rows, read_manifest, score_paths
from ecgcore.score.store import row_differences
from tests.bad_inputs.real_records import real_path

pytestmark = pytest.mark.slow
MODELS = ["resnet1d"]  # one network keeps it short; the row rule is the same for every model


def _paths() -> list[str]:
    # PTB-XL (both rates), Challenge (4 databases), LUDB, ptbdb (2-minute records: time courses), the clinical
    # formats and the broken cases: 300+ records, every reader and every status
    return [str(real_path(p)) for p in ("ptbxl", "cinc/georgia", "cinc/ningbo", "cinc/cpsc2018",
                                        "cinc/chapman_shaoxing", "ludb", "ptbdb", "formats", "cases")]


def test_local_and_ray_write_the_same_rows(tmp_path):
    local = score_paths(_paths(), tmp_path / "local", models=MODELS, engine="local", workers=2, progress=False)
    assert local["complete"] and local["records"] >= 300
    assert len(local["workers"]) == 2  # two worker processes, each loaded the model once and scored shards
    ray = score_paths(_paths(), tmp_path / "ray", models=MODELS, engine="ray", ray_cpus=2, progress=False)
    assert ray["complete"] and ray["records"] == local["records"]
    a, b = load_rows(tmp_path / "local"), load_rows(tmp_path / "ray")
    assert row_differences(a, b) == []
    assert (a["status"] == "ok").sum() >= 0.95 * len(a)
    assert (a["segments"] > 1).sum() >= 4  # the ptbdb records, scored per segment
    assert read_manifest(tmp_path / "ray")["last_call"]["engine"] == "ray"
