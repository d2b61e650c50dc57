"""Recognise an ECG file's format from its content, whatever its name says.

`sniff(data)` looks, in order, for:
- DICOM: the "DICM" magic at byte 128 (after the 128-byte preamble), as every DICOM Part 10 file has;
- SCP-ECG: a record that starts with its CRC-CCITT (over bytes 2..end) and its own length, with Section 0 at
  byte 6 (the "SCPECG" reserved bytes at 16..22 are accepted too, for a file whose CRC was not kept);
- NumPy `.npy` (the "\\x93NUMPY" magic), zip ("PK\\x03\\x04"), EDF (a header starting "0" and 7 spaces);
- XML, by the name of its root element, read with the (defused) XML parser: `RestingECG` (GE MUSE),
  `restingecgdata` (Philips), `AnnotatedECG` (HL7 aECG); other XML is "xml".
It returns None for anything else (CSV, WFDB, unknown); the extension decides then.
"""
from __future__ import annotations

import binascii
import io
import struct

from defusedxml import ElementTree as SafeET

XML_FORMATS = {"RestingECG": "muse_xml", "restingecgdata": "philips_xml", "AnnotatedECG": "hl7_aecg"}
XML_NAMES = {"muse_xml": "GE MUSE XML", "philips_xml": "Philips XML", "hl7_aecg": "HL7 aECG"}
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def sniff(data: bytes) -> str | None:
    """"dicom", "scp_ecg", "npy", "zip", "edf", "muse_xml", "philips_xml", "hl7_aecg", "xml" or None."""
    if len(data) >= 132 and data[128:132] == b"DICM":
        return "dicom"
    if is_scp(data):
        return "scp_ecg"
    if data.startswith(b"\x93NUMPY"):
        return "npy"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if len(data) >= 256 and data.startswith(b"0       "):
        return "edf"
    if _looks_like_xml(data):
        return XML_FORMATS.get(_root_name(data) or "", "xml")
    return None


def is_scp(data: bytes) -> bool:
    """True for an SCP-ECG record: its length field matches and its CRC or Section 0 marker is right."""
    if len(data) < 22:
        return False
    crc, length = struct.unpack("<HI", data[:6])
    if length != len(data):
        return False
    return data[16:22] == b"SCPECG" or binascii.crc_hqx(data[2:], 0xFFFF) == crc


def _looks_like_xml(data: bytes) -> bool:
    head = data[:64]
    for bom, encoding in zip(_BOMS, ("utf-8", "utf-16-le", "utf-16-be")):
        if head.startswith(bom):  # a BOM alone says text, not XML (CSV exports carry one too)
            return head[len(bom):].decode(encoding, errors="ignore").lstrip().startswith("<")
    stripped = head.lstrip(b" \t\r\n")
    return stripped.startswith(b"<") or stripped.startswith(b"<\x00")


def _root_name(data: bytes) -> str | None:
    """The root element's local name, parsing no further than its start tag; None if the XML is malformed first."""
    try:
        for _, elem in SafeET.iterparse(io.BytesIO(data), events=("start",)):
            return elem.tag.rsplit("}", 1)[-1]
    except Exception:  # a parse error or a defusedxml refusal before the root: not a format we can name
        return None
    return None
