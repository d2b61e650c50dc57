"""Every input of the generated bad/foreign-input corpus gives a correct record or a clear ECGError, never a crash."""
from __future__ import annotations

from collections import Counter

import pytest



@pytest.fixture(scope="module")
def corpus():
    from tests.bad_inputs import make_corpus as module
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
