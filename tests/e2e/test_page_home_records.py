"""Browser: Home, and Records, where a click on a table row opens the record."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import expect_text, open_page, shot, wait_drawn

pytestmark = pytest.mark.browser


def test_home(app_url, page):
    open_page(page, app_url + "/")
    expect(page.get_by_role("heading", name="ECG anomaly detection dashboard")).to_be_visible()
    expect_text(page, "not a diagnostic device")
    shot(page, "home")


def test_a_click_on_a_records_row_opens_the_record(app_url, page):
    open_page(page, app_url + "/records")
    search = page.get_by_role("textbox", name="Search")
    search.fill("8883")
    search.press("Enter")
    wait_drawn(page)
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the selection cell of the only row (header is 35 px)
    wait_drawn(page)
    expect(page.get_by_text(re.compile(r"ptbxl/08883.*is now the current record"))).to_be_visible()
    shot(page, "records_row_selected")
    page.get_by_role("button", name="Open in the viewer").first.click()
    wait_drawn(page)
    expect(page.get_by_role("heading", name="ptbxl/08883")).to_be_visible()
    assert "record=ptbxl%2F08883" in page.url or "record=ptbxl/08883" in page.url
    shot(page, "viewer_after_row_click")
