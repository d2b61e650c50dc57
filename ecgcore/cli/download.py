"""`python -m ecgcore download --out DIR [--rates 100 500]`: fetch PTB-XL from PhysioNet with wfdb.

Needs internet. It first opens a TCP connection to the PhysioNet host with a short timeout, so offline it
fails within seconds with a clear message instead of hanging. Nothing else in the project downloads data.
"""
from __future__ import annotations

import argparse
import socket
import sys
import time
from pathlib import Path

PHYSIONET_HOST = "physionet.org"
DATABASE = "ptb-xl"
METADATA_FILES = ["ptbxl_database.csv", "scp_statements.csv"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="folder to download PTB-XL into (created if needed)")
    parser.add_argument("--rates", nargs="+", type=int, choices=(100, 500), default=[100],
                        help="which waveforms to fetch: 100 (records100, ~0.7 GB) and/or 500 (records500, ~2.5 GB)")
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


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    ok, reason = physionet_reachable(args.host, timeout=args.timeout)
    if not ok:
        print(f"error: cannot download PTB-XL: PhysioNet is unreachable from this machine: {reason}. "
              f"This command needs internet access. On a machine that has it, download "
              f"https://physionet.org/content/ptb-xl/ (or run this command there), copy the folder here and "
              f"point --data or $ECG_PTBXL_DIR at it. Nothing was written. "
              f"(checked in {time.monotonic() - started:.1f} s)", file=sys.stderr)
        return 2
    import wfdb

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        wfdb.dl_files(DATABASE, str(out), METADATA_FILES)
        wanted = tuple(f"records{rate}/" for rate in args.rates)
        records = [r for r in wfdb.get_record_list(DATABASE) if r.startswith(wanted)]
        wfdb.dl_database(DATABASE, str(out), records=records, keep_subdirs=True)
    except Exception as exc:  # network errors surface from wfdb/requests in many types
        print(f"error: the PTB-XL download stopped: {exc}. Run the same command again to resume "
              f"(files already complete are skipped).", file=sys.stderr)
        return 2
    print(f"PTB-XL downloaded to {out}. Use it with --data {out} or ECG_PTBXL_DIR={out}.")
    return 0
