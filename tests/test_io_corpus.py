"""Every input of the generated bad/foreign-input corpus gives a correct record or a clear ECGError, never a crash."""
from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

_CORPUS = Path(__file__).parent / "bad_inputs" / "make_corpus.py"


def _load_corpus_module():
    spec = importlib.util.spec_from_file_location("bad_inputs_make_corpus", _CORPUS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus():
    module = _load_corpus_module()
    return module, module.build_corpus()


def test_corpus_is_large_and_covers_every_reader(corpus):
    _, cases = corpus
    assert len(cases) >= 200
    tags = Counter(tag for case in cases for tag in case.tags[:1])
    for reader in ("wfdb", "csv", "npy", "edf", "zip", "other"):
        assert tags[reader] >= 10, tags
    assert len({case.name for case in cases}) == len(cases), "case names must be unique"


def test_every_input_reads_correctly_or_fails_clearly(corpus):
    module, cases = corpus
    outcomes = Counter()
    problems = []
    for case in cases:
        outcome, detail = module.run_case(case)
        outcomes[outcome] += 1
        if outcome in ("crash", "wrong"):
            problems.append(f"{outcome}: {case.name}: {detail}")
    assert not problems, "\n".join(problems)
    assert outcomes["correct"] >= 80 and outcomes["clear error"] >= 150, outcomes
