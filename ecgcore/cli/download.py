"""`python -m ecgcore download [--out DIR] [--sources ptbxl ludb] [--rates 100 500]`: fetch real data from PhysioNet.

Writes a data root: `<out>/ptbxl/` (PTB-XL, Wagner et al. 2020, CC BY 4.0) and `<out>/ludb/` (LUDB,
Kalyakulina et al. 2020, ODC-By 1.0), each in PhysioNet's own layout, with `wfdb.dl_database`. The default
`out` is the checkout's `data/` folder, which `ecgcore.core.settings` then uses as the data root when `../shared`
is absent. Needs internet: it first opens a TCP connection to PhysioNet with a short timeout, so offline it
fails within seconds with a clear message instead of hanging. Nothing else in the project downloads data.
"""
from __future__ import annotations

import argparse
import socket
import sys
import time
from pathlib import Path

from ecgcore.core.settings import DATA_DIR

PHYSIONET_HOST = "physionet.org"
#: source folder -> (PhysioNet database, its metadata files)
DATABASES: dict[str, tuple[str, list[str]]] = {
    "ptbxl": ("ptb-xl", ["ptbxl_database.csv", "scp_statements.csv"]),
    "ludb": ("ludb", ["ludb.csv"]),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default=str(DATA_DIR),
                        help=f"the data root to fill (default: {DATA_DIR}, used when ../shared is absent)")
    parser.add_argument("--sources", nargs="+", choices=sorted(DATABASES), default=sorted(DATABASES),
                        help="what to fetch: ptbxl (PTB-XL) and/or ludb (LUDB); default both")
    parser.add_argument("--rates", nargs="+", type=int, choices=(100, 500), default=[100],
                        help="PTB-XL waveforms: 100 (records100, ~0.7 GB) and/or 500 (records500, ~2.5 GB)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for PhysioNet to answer (5)")
    parser.add_argument("--host", default=PHYSIONET_HOST, help=argparse.SUPPRESS)  # connectivity check target


def physionet_reachable(host: str = PHYSIONET_HOST, port: int = 443, timeout: float = 5.0) -> tuple[bool, str]:
    """Whether a TCP connection to host:port opens within `timeout` seconds, and the reason when it does not."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True, ""
    except socket.gaierror as exc:
        return False, f"the name {host} does not resolve ({exc.strerror or exc})"
    except TimeoutError:
        return False, f"{host}:{port} did not answer within {timeout:g} s"
    except OSError as exc:
        return False, f"{host}:{port} refused or dropped the connection ({exc.strerror or exc})"


def _records(database: str, source: str, rates: list[int]) -> list[str]:
    import wfdb

    records = wfdb.get_record_list(database)
    if source == "ptbxl":
        wanted = tuple(f"records{rate}/" for rate in rates)
        return [r for r in records if r.startswith(wanted)]
    return records


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    ok, reason = physionet_reachable(args.host, timeout=args.timeout)
    if not ok:
        print(f"error: cannot download {' and '.join(args.sources)}: PhysioNet is unreachable from this machine: "
              f"{reason}. This command needs internet access. On a machine that has it, run it there (or fetch "
              f"https://physionet.org/content/ptb-xl/ and https://physionet.org/content/ludb/), copy the folders "
              f"into one data root (ptbxl/, ludb/) and point ECG_DATA_ROOT or --data-root at it. Nothing was "
              f"written. (checked in {time.monotonic() - started:.1f} s)", file=sys.stderr)
        return 2
    import wfdb

    out = Path(args.out)
    for source in args.sources:
        database, metadata = DATABASES[source]
        folder = out / source
        folder.mkdir(parents=True, exist_ok=True)
        try:
            wfdb.dl_files(database, str(folder), metadata)
            wfdb.dl_database(database, str(folder), records=_records(database, source, args.rates),
                             annotators="all" if source == "ludb" else None, keep_subdirs=True)
        except Exception as exc:  # network errors surface from wfdb/requests in many types
            print(f"error: the {source} download stopped: {exc}. Run the same command again to resume "
                  f"(files already complete are skipped).", file=sys.stderr)
            return 2
        print(f"{source} downloaded to {folder}.")
    print(f"Data root: {out}. It is used when ../shared is absent; else set ECG_DATA_ROOT={out}.")
    return 0
