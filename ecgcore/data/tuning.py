"""Which real records may tune the signal analysis and which are kept to report on (issue 17, issue 19).

- LUDB: records 1-70 tune the delineation, rhythm and pacing parameters (`LUDB_TUNE`); 71-100 are held out and
  only reported on (`LUDB_HELD_OUT`). A check kept outside this repository uses LUDB 101-200.
- Every other record (the Challenge's AF and flutter records above all): half tune, half are held out, by
  the parity of the first byte of the SHA-1 of its record id (`part`), so the split does not depend on which
  records happen to be under the data root.
Tests and benches that judge tuned parameters use the held-out part and say so in their docstrings.
"""
from __future__ import annotations

import hashlib

LUDB_TUNE: tuple[int, ...] = tuple(range(1, 71))
LUDB_HELD_OUT: tuple[int, ...] = tuple(range(71, 101))
PARTS = ("tune", "held-out")


def part(record_id: str) -> str:
    """"tune" or "held-out" for a record id ("ludb/12", "cinc/georgia/E00001", "ptbxl/00001")."""
    if record_id.startswith("ludb/"):
        n = int(record_id.split("/")[1])
        return "tune" if n in LUDB_TUNE else "held-out"
    return "tune" if hashlib.sha1(record_id.encode()).digest()[0] % 2 == 0 else "held-out"
