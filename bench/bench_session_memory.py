"""Server memory across browser sessions that each upload a 150 MB CSV (issue 18), printed, never asserted.

Starts the dashboard (`streamlit run app/main.py`, the repository's .streamlit/config.toml), warms it with one
10 s CSV upload (which loads the model, torch and the CSV parser once per server), then, one after another, N fresh headless-Chromium sessions each open Upload, drop the same 150 MB 12-lead CSV (PTB-XL 00001
tiled to about an hour at 500 Hz) and wait until it is read; each session is then closed. Printed: the server's
resident memory (VmRSS from /proc) at start and when warm, after each upload, after each close, and every 10 s afterwards
for `--wait` seconds (Streamlit keeps a closed session for
`server.disconnectedSessionTTL` seconds in case it reconnects; app/common/memory.py then releases it).

Goal: RSS after the sessions ended within 300 MB of the warm start.

    .venv/bin/python -m bench.bench_session_memory [--sessions 5] [--mb 150] [--wait 200]
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, ROOT, wait_idle

GOAL_MB = 300


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of process `pid` in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def write_csv(path: Path, megabytes: float) -> float:
    """A 12-lead CSV of about `megabytes` MB: a metadata preamble (rate, units) and PTB-XL 00001 tiled; its
    duration in minutes."""
    from ecgcore.data.catalogue import load_record

    ecg = load_record("ptbxl/00001")
    block = "\n".join(",".join(f"{v:.3f}" for v in row) for row in ecg.signal.T) + "\n"
    repeats = max(1, int(megabytes * 1e6 / len(block)))
    with open(path, "w", encoding="ascii") as fh:
        fh.write("Sampling Rate,500 Hz\nUnits,mV\n" + ",".join(ecg.leads) + "\n")
        for _ in range(repeats):
            fh.write(block)
    return repeats * ecg.duration / 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--mb", type=float, default=150.0)
    parser.add_argument("--wait", type=float, default=200.0, help="seconds to watch RSS after the last session")
    args = parser.parse_args()
    from playwright.sync_api import expect, sync_playwright

    with tempfile.TemporaryDirectory(prefix="ecg-bench-mem-") as tmp:
        csv = Path(tmp) / "long_record.csv"
        minutes = write_csv(csv, args.mb)
        small = Path(tmp) / "ten_seconds.csv"
        write_csv(small, 0.1)
        print(f"upload: {csv.stat().st_size / 1e6:.0f} MB CSV, 12 leads x {minutes:.0f} min at 500 Hz")
        port = free_port()
        log = open(Path(tmp) / "server.log", "w")
        server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app/main.py", "--server.port", str(port),
                                   "--server.headless", "true", "--server.address", "127.0.0.1"],
                                  cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(180):
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                        break
                except OSError:
                    time.sleep(0.5)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                cold, _ = rss_mb(server.pid)
                warm = browser.new_context()
                page = warm.new_page()
                page.set_default_timeout(600_000)
                page.goto(url + "/upload")
                wait_idle(page)
                page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(small))
                expect(page.get_by_text("it is now the current record")).to_be_visible()
                warm.close()
                time.sleep(2)
                start, _ = rss_mb(server.pid)
                print(f"server started: RSS {cold:.0f} MB; warm (one 10 s CSV uploaded: the model, torch and the CSV "
                      f"parser loaded once per server): RSS {start:.0f} MB")
                for i in range(1, args.sessions + 1):
                    context = browser.new_context()
                    page = context.new_page()
                    page.set_default_timeout(600_000)
                    page.goto(url + "/upload")
                    wait_idle(page)
                    t = time.perf_counter()
                    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(csv))
                    expect(page.get_by_text("it is now the current record")).to_be_visible(timeout=600_000)
                    read_s = time.perf_counter() - t
                    now, peak = rss_mb(server.pid)
                    print(f"session {i}: upload read in {read_s:.0f} s; RSS {now:.0f} MB (peak so far {peak:.0f} MB)")
                    context.close()
                    time.sleep(1)
                    print(f"session {i} closed: RSS {rss_mb(server.pid)[0]:.0f} MB")
                browser.close()
            t0 = time.monotonic()
            while True:
                time.sleep(10)
                now, peak = rss_mb(server.pid)
                waited = time.monotonic() - t0
                print(f"{waited:4.0f} s after the last session closed: RSS {now:.0f} MB (+{now - start:.0f} MB)")
                if waited >= args.wait:  # past Streamlit's reconnect window (120 s) and the janitor's sweeps
                    break
            print(f"after {args.sessions} sessions of {args.mb:.0f} MB uploads ended: RSS {now:.0f} MB, "
                  f"{now - start:+.0f} MB from the warm start [goal: within {GOAL_MB} MB]; peak {peak:.0f} MB")
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
