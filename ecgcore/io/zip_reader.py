"""A `.zip` holding one record (WFDB .hea + .dat/.mat[/.xyz], or one CSV/NPY/EDF), unpacked in memory only.

Guards: at most `MAX_MEMBERS` entries, at most `validate.MAX_UPLOAD_MB` uncompressed in total (read in chunks, so
a zip bomb stops at the limit whatever its headers claim), no absolute or `..` paths, no encrypted members,
no zip inside the zip. Nothing is extracted to disk; members are keyed by their base file name.
"""
from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import PurePosixPath

from ecgcore.core.errors import ECGReadError
from ecgcore.io import validate

MAX_MEMBERS = 64
_CHUNK = 1 << 20
_JUNK = ("__MACOSX/",)
_JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


def unzip_members(data: bytes, *, name: str = "upload.zip") -> dict[str, bytes]:
    """{base file name: bytes} of the files in a zip, after the guards above."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise ECGReadError(f"{name} is not a readable zip file ({str(exc)[:120]}). Zip the record's files again.") \
            from None
    if len(infos) > MAX_MEMBERS:
        raise ECGReadError(f"{name} holds {len(infos)} entries; a zipped ECG record has a few files (at most "
                           f"{MAX_MEMBERS}). Zip one record's files (.hea with its .dat/.mat).")
    limit = validate.max_upload_bytes()
    members: dict[str, bytes] = {}
    total = 0
    with archive:
        for info in infos:
            path = info.filename.replace("\\", "/")
            parts = PurePosixPath(path).parts
            if path.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
                raise ECGReadError(f"{name} contains an unsafe path ({info.filename!r}); such archives are refused. "
                                   "Zip the record's files themselves.")
            if info.is_dir() or path.startswith(_JUNK) or PurePosixPath(path).name in _JUNK_NAMES:
                continue
            if info.flag_bits & 0x1:
                raise ECGReadError(f"{name} is password-protected; upload an unencrypted zip.")
            base = PurePosixPath(path).name
            if base.startswith("._"):
                continue
            if base in members:
                raise ECGReadError(f"{name} holds two files named {base}; zip one record only.")
            if base.lower().endswith(".zip"):
                raise ECGReadError(f"{name} contains another zip ({base}); zip the record's files directly.")
            chunks = []
            try:
                with archive.open(info) as handle:
                    while True:
                        chunk = handle.read(_CHUNK)
                        if not chunk:
                            break
                        total += len(chunk)
                        if total > limit:
                            raise ECGReadError(
                                f"{name} unpacks to more than the {validate.max_upload_bytes() >> 20} MB upload "
                                "limit (a compressed 'zip bomb' or a far too long record); it is refused.")
                        chunks.append(chunk)
            except ECGReadError:
                raise
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
                raise ECGReadError(f"{name} is damaged: {base} cannot be unpacked ({str(exc)[:120]}). "
                                   "Zip the record's files again.") from None
            members[base] = b"".join(chunks)
    if not members:
        raise ECGReadError(f"{name} is empty. Zip the record's files (.hea with its .dat/.mat).")
    return members
