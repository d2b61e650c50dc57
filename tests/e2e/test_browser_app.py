"""End to end in headless Chromium: every page, a real WFDB upload and a broken file, model switching,
stepping through beats; screenshots of every page are saved under tests/artifacts/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.common.loaders import shipped_model_names
import sys as _sys
from pathlib import Path as _Path

_sys.path.insert(0, str(_Path(__file__).resolve().parent.parent / "bad_inputs"))
from real_records import real_path  # noqa: E402

DEMO_PTBXL = real_path("ptbxl")
from tests.e2e.helpers import RUN_TIMEOUT_MS, shot, wait_idle

pytestmark = pytest.mark.browser
RECORD_8 = DEMO_PTBXL / "records500" / "00000" / "00008_hr"




@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2200})
    page = context.new_page()
    page.set_default_timeout(RUN_TIMEOUT_MS)
    yield page
    context.close()


def open_page(page, url: str) -> None:
    page.goto(url)
    wait_idle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def main_text(page) -> str:
    """The page's main area as text, whitespace collapsed."""
    return " ".join(page.locator('[data-testid="stMain"]').inner_text().split())


def test_every_page_in_a_browser(app_url, page, tmp_path):
    open_page(page, app_url + "/")
    expect(page.get_by_role("heading", name="ECG anomaly detection dashboard")).to_be_visible()
    assert "not a diagnostic device" in main_text(page)
    shot(page, "home")

    open_page(page, app_url + "/records")
    expect(page.get_by_text(re.compile(r"550 of 550 records"))).to_be_visible()
    search = page.get_by_role("textbox", name="Search")
    search.fill("8883")
    search.press("Enter")
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"^1 of 550 records"))).to_be_visible()
    shot(page, "records")

    open_page(page, app_url + "/viewer?record=8")
    expect(page.get_by_role("heading", name="ptbxl/00008")).to_be_visible()
    plot = page.locator(".js-plotly-plot").first
    expect(plot).to_be_visible()
    for lead in ("aVR", "V1", "V6"):
        expect(plot.locator("text.annotation-text", has_text=re.compile(f"^{lead}$")).first).to_be_attached()
    text = main_text(page)
    assert "Ground truth: MI" in text and "Heart rate" in text, text
    shot(page, "viewer_3x4")
    page.get_by_role("radio", name="12 stacked leads").click()
    wait_idle(page)
    expect(page.locator(".js-plotly-plot").first.locator("g.trace.scatter")).to_have_count(13)  # 12 leads + pulses
    shot(page, "viewer_12x1")

    # upload a real WFDB record (header + data), then a broken file: its message shows, the page keeps working
    open_page(page, app_url + "/upload")
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    uploader.set_input_files([str(RECORD_8.with_suffix(".hea")), str(RECORD_8.with_suffix(".dat"))])
    wait_idle(page)
    expect(page.get_by_text("it is now the current record")).to_be_visible()
    text = main_text(page)
    assert "Sampling rate 500 Hz" in text and "Length 10.0 s" in text and "Leads derived 0" in text, text
    shot(page, "upload_wfdb")
    broken = tmp_path / "broken.hea"
    broken.write_text("this is not a WFDB header\n")
    (tmp_path / "broken.dat").write_bytes(b"\x00\x01\x02")
    uploader.set_input_files([str(broken), str(tmp_path / "broken.dat")])
    wait_idle(page)
    expect(page.get_by_text("This file could not be read.")).to_be_visible()
    assert "broken.hea" in main_text(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    shot(page, "upload_broken")
    page.get_by_role("link", name="ECG viewer").click()  # in-app navigation keeps the session (a reload would not)
    wait_idle(page)
    expect(page.get_by_role("heading", name="00008_hr")).to_be_visible()  # the upload is the current record
    expect(page.locator(".js-plotly-plot").first).to_be_visible()

    models = shipped_model_names()
    open_page(page, app_url + "/predict?record=8")
    if not models:
        expect(page.get_by_text("No trained model is shipped yet")).to_be_visible()
    else:
        expect(page.get_by_text(re.compile(r"probability per class"))).to_be_visible()
        shot(page, "predict")
        if len(models) > 1:
            other = next(m for m in models if m != page.url.split("model=")[-1].split("&")[0])
            page.get_by_role("combobox", name="Model").click()
            page.get_by_role("option", name=other, exact=True).click()
            wait_idle(page)
            expect(page.get_by_text(f"{other}: probability per class")).to_be_visible()
            assert f"model={other}" in page.url
            shot(page, "predict_other_model")

    open_page(page, app_url + "/beats?record=8")
    heading = page.locator("strong", has_text=re.compile(r"^Beat \d+$")).first
    first = heading.inner_text()
    page.get_by_role("button", name=re.compile("Next")).click()
    wait_idle(page)
    expect(page.locator("strong", has_text=re.compile(r"^Beat \d+$")).first).not_to_have_text(first)
    shot(page, "beats")
    page.locator("body").press("p")  # keyboard: P = previous beat
    wait_idle(page)
    expect(page.locator("strong", has_text=re.compile(r"^Beat \d+$")).first).to_have_text(first)

    open_page(page, app_url + "/compare?record=8")
    if models:
        expect(page.get_by_role("heading", name="Metrics")).to_be_visible()
    shot(page, "compare")
