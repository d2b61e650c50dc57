"""Browser tests: start the dashboard on a free port, drive it with Playwright in Debian's headless Chromium."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.helpers import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, RUN_TIMEOUT_MS, START_TIMEOUT_S


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url():
    """The app served by `python -m streamlit run app/main.py` on a free port, stopped after the tests; or the
    app already running at E2E_APP_URL (e.g. on the one port a shared machine gives you)."""
    if os.environ.get("E2E_APP_URL"):
        yield os.environ["E2E_APP_URL"].rstrip("/")
        return
    port = free_port()
    python = ROOT / ".venv" / "bin" / "python"
    log = open(ARTIFACTS.mkdir(parents=True, exist_ok=True) or ARTIFACTS / "streamlit.log", "w")
    proc = subprocess.Popen(
        [str(python if python.exists() else sys.executable), "-m", "streamlit", "run", "app/main.py",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise RuntimeError(f"the app did not start; see {ARTIFACTS / 'streamlit.log'}")
        time.sleep(0.5)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)  # a fresh temporary profile
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    """A fresh browser context (a new user: own session, no cookies) at 1600x1000, closed after the test."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(RUN_TIMEOUT_MS)
    yield page
    context.close()
