"""The record type: comparing two ECGs never raises (array fields), and it is identity, not content."""
from __future__ import annotations

from ecgcore.data.ludb import load_ecg


def test_ecg_compares_by_identity_without_raising(data_root):
    a, b = load_ecg(data_root / "ludb", 1), load_ecg(data_root / "ludb", 1)
    assert a == a and a != b  # same content, two objects: == does not compare arrays element-wise
    assert len({a, b, a}) == 2
