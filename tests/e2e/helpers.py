"""Helpers for the browser tests (paths, Chromium settings, waiting for Streamlit, screenshots)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
START_TIMEOUT_S = 90
RUN_TIMEOUT_MS = 120_000  # a cold first page imports torch and neurokit2 and runs a model


_IDLE = ("() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state') "
         "=== 'notRunning' && !document.querySelector('[data-testid=\"stStatusWidgetRunningIcon\"]')")


def wait_idle(page, timeout_ms: int = RUN_TIMEOUT_MS, settle_ms: int = 500) -> None:
    """Until the Streamlit script has finished and stayed finished for `settle_ms` (a script that calls
    st.rerun() is briefly idle between its two runs)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_timeout(300)
    while True:
        page.wait_for_function(_IDLE, timeout=timeout_ms)
        page.wait_for_timeout(settle_ms)
        if page.evaluate(_IDLE):
            return


_DRAWN = ("() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
          ".every(c => c.querySelector('.main-svg')) && !document.querySelector('[data-testid=\"stSkeleton\"]')")


def wait_drawn(page, timeout_ms: int = RUN_TIMEOUT_MS, charts: int = 0) -> None:
    """Until the script is idle AND every plotly chart has drawn (plotly's bundle loads lazily, so a page
    can be "notRunning" while its figures are still grey placeholders), and at least `charts` charts exist
    (on a busy machine a chart can mount after the script state turned idle: a test that reads a figure
    says how many it needs)."""
    wait_idle(page, timeout_ms)
    page.wait_for_function(f"() => document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .main-svg').length "
                           f">= {int(charts)}", timeout=timeout_ms)
    page.wait_for_function(_DRAWN, timeout=timeout_ms)


def wait_for_texts(page, selector: str, minimum: int, timeout_ms: int = RUN_TIMEOUT_MS) -> list[str]:
    """The text of every element matching `selector`, once at least `minimum` of them are there (e.g. the lead
    labels of an ECG figure, which plotly draws after the chart's frame)."""
    page.wait_for_function(f"() => document.querySelectorAll({selector!r}).length >= {int(minimum)}",
                           timeout=timeout_ms)
    return page.locator(selector).all_text_contents()


def shot(page, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_page(page, url: str) -> None:
    """Go to `url`, wait until the script is idle and every figure drawn; no exception box on the page."""
    from playwright.sync_api import expect

    page.goto(url)
    wait_drawn(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def expect_text(page, *texts: str, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Wait until the page's main area shows each of `texts` (whitespace-normalised): a value drawn by a widget
    that mounts after the script went idle is waited for, not read too early."""
    from playwright.sync_api import expect

    main = page.locator('[data-testid="stMain"]')
    for text in texts:
        expect(main).to_contain_text(text, use_inner_text=True, timeout=timeout_ms)


def main_text(page) -> str:
    """The page's main area as text, whitespace collapsed."""
    return " ".join(page.locator('[data-testid="stMain"]').inner_text().split())


def ptbxl_files(ecg_id: int) -> list[str]:
    """The .hea and .dat of a real PTB-XL record (500 Hz) under the data root."""
    from ecgcore.core.settings import resolve

    stem = resolve().require_data_root() / "ptbxl" / "records500" / f"{ecg_id // 1000 * 1000:05d}" / f"{ecg_id:05d}_hr"
    return [str(stem.with_suffix(".hea")), str(stem.with_suffix(".dat"))]
