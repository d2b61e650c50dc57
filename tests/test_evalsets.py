"""The one registry of evaluation sets: every stored result of the shipped models names a registered set, the
registry's synthetic flag is the one the results carry, and the order shown puts real PTB-XL first and synthetic
sets last."""
from __future__ import annotations

import json

from ecgcore.core.settings import SHIPPED_MODELS
from ecgcore.data.evalsets import EVAL_SETS, eval_set, set_order


def test_every_shipped_result_is_a_registered_set_with_the_same_synthetic_flag():
    files = sorted(SHIPPED_MODELS.glob("*/results_*.json"))
    assert len(files) >= 30, f"expected the shipped models' results under {SHIPPED_MODELS}, found {len(files)}"
    names = {s.name for s in EVAL_SETS}
    for path in files:
        stored = json.loads(path.read_text())["set"]
        assert stored["name"] in names, f"{path}: set {stored['name']!r} is not in ecgcore.data.evalsets.EVAL_SETS"
        assert eval_set(stored["name"]).synthetic is stored["synthetic"], path
        assert eval_set(stored["name"]).description == stored["description"], path


def test_a_set_outside_the_registry_takes_its_synthetic_flag_from_its_results():
    assert eval_set("my-folder", {"set": {"synthetic": True, "description": "x"}}).synthetic is True
    assert eval_set("synth-looking-name", {"set": {"synthetic": False}}).synthetic is False
    assert eval_set("my-folder").description == "my-folder"


def test_order_real_ptbxl_first_then_external_then_other_real_then_synthetic():
    stored = {"zz-synth": {"set": {"synthetic": True}}, "aa-folder": {"set": {"synthetic": False}}}
    order = set_order(["synthetic_fold10", "zz-synth", "ludb", "aa-folder", "ptbxl_fold10", "ptbxl_cv"], stored)
    assert order == ["ptbxl_cv", "ptbxl_fold10", "ludb", "aa-folder", "synthetic_fold10", "zz-synth"]
