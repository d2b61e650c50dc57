"""Record ids: the one place that writes and parses them.

Forms (`source/...`):
- "ptbxl/00001": PTB-XL ecg_id, five digits ("ptbxl/1" and a bare "1" mean the same);
- "synthetic/00001": a record of a corpus written by `ecgcore.synth` (PTB-XL layout, not a patient);
- "cinc/<database>/<name>": a PhysioNet/CinC Challenge record, e.g. "cinc/georgia/E00271";
- "ptbdb/<patient>/<name>": a PTB Diagnostic ECG Database record, e.g. "ptbdb/patient096/s0379lre";
- "ludb/<n>": LUDB record n (1-200), e.g. "ludb/1".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ecgcore.core.errors import UnknownNameError

#: The first part of a record id, and how many parts follow it.
KINDS: dict[str, int] = {"ptbxl": 1, "synthetic": 1, "cinc": 2, "ptbdb": 2, "ludb": 1}
EXAMPLES = "ptbxl/00001, cinc/georgia/E00271, ptbdb/patient096/s0379lre, ludb/1"
_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


@dataclass(frozen=True)
class RecordId:
    """A parsed record id: kind ("ptbxl", "synthetic", "cinc", "ptbdb", "ludb") and the parts after it."""

    kind: str
    parts: tuple[str, ...]

    def __str__(self) -> str:
        return "/".join((self.kind, *self.parts))

    @property
    def number(self) -> int:
        """The ecg_id (PTB-XL, synthetic) or record number (LUDB)."""
        return int(self.parts[0])

    @property
    def source(self) -> str:
        """The source a catalogue groups by: "ptbxl", "cinc/<database>", "ptbdb", "ludb", "synthetic"."""
        return f"cinc/{self.parts[0]}" if self.kind == "cinc" else self.kind


def ptbxl(ecg_id: int, synthetic: bool = False) -> str:
    """The id of a PTB-XL-layout record: "ptbxl/00001", or "synthetic/00001" for a synthetic corpus."""
    return f"{'synthetic' if synthetic else 'ptbxl'}/{int(ecg_id):05d}"


def parse(text: str) -> RecordId:
    """Parse (and normalise) a record id; a bare number means a PTB-XL ecg_id.

    Raises UnknownNameError naming the accepted forms when `text` is none of them.
    """
    value = str(text).strip().strip("/")
    if value.isdigit():
        value = f"ptbxl/{value}"
    kind, *parts = value.split("/")
    wanted = KINDS.get(kind)
    if wanted is None or len(parts) != wanted or not all(_PART.match(p) for p in parts):
        raise UnknownNameError(f"{str(text)[:80]!r} is not a record id; record ids look like {EXAMPLES}.")
    if kind in ("ptbxl", "synthetic", "ludb"):
        if not parts[0].isdigit():
            raise UnknownNameError(f"{str(text)[:80]!r} is not a record id: {kind}/ takes a number "
                                   f"(e.g. {kind}/{'1' if kind == 'ludb' else '00001'}).")
        number = int(parts[0])
        return RecordId(kind, (f"{number:05d}" if kind != "ludb" else str(number),))
    return RecordId(kind, tuple(parts))
