"""Reading ECG files (uploads and paths) into `ECG` records: WFDB, PhysioNet Challenge, CSV, NPY, EDF, zip.

`read_upload(files, fs=None)` for {file name: bytes} from the browser, `read_path(path)` for a file on disk;
`ecgcore.io.wfdb_reader.read_wfdb(files)` for a WFDB record from bytes. Checks in `ecgcore.io.validate`.
"""
from ecgcore.io.upload import read_path, read_upload

__all__ = ["read_upload", "read_path"]
