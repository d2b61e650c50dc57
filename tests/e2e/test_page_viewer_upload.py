"""Browser: the ECG viewer, and an upload of a real WFDB record."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import expect_text, open_page, ptbxl_files, shot, wait_drawn

pytestmark = pytest.mark.browser


def test_viewer(app_url, page):
    open_page(page, app_url + "/viewer?record=8")
    expect(page.get_by_role("heading", name="ptbxl/00008")).to_be_visible()
    plot = page.locator(".js-plotly-plot").first
    for lead in ("aVR", "V1", "V6"):
        expect(plot.locator("text.annotation-text", has_text=re.compile(f"^{lead}$")).first).to_be_attached()
    expect_text(page, "Ground truth: MI")
    shot(page, "viewer")


def test_upload_a_real_record(app_url, page):
    open_page(page, app_url + "/upload")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(ptbxl_files(8))
    wait_drawn(page)
    expect(page.get_by_text("it is now the current record")).to_be_visible()
    expect_text(page, "Sampling rate 500 Hz")
    shot(page, "upload")
