"""Browser: a link copied from one user's address bar shows a colleague (a fresh browser context) the same view."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.common.loaders import shipped_model_names
from tests.e2e.helpers import main_text, open_page, shot, wait_drawn

pytestmark = pytest.mark.browser


def test_a_shared_link_opens_the_same_view_in_a_fresh_context(app_url, browser, page):
    names = shipped_model_names()
    if not names:
        pytest.fail("no trained model in assets/models (make train)")
    open_page(page, f"{app_url}/beats?record=ptbxl/09739&model={names[0]}")
    page.get_by_text("One band over time (all leads)", exact=True).click()
    wait_drawn(page)
    page.get_by_role("button", name=re.compile("Next")).click()
    wait_drawn(page)
    link = page.url
    assert "sal=band" in link and "beat=" in link
    mine = page.locator("strong", has_text=re.compile(r"^Beat \d+$")).first.inner_text()
    my_text = main_text(page)

    colleague = browser.new_context(viewport={"width": 1600, "height": 1000})
    other = colleague.new_page()
    try:
        open_page(other, link)
        expect(other.locator("strong", has_text=re.compile(r"^Beat \d+$")).first).to_have_text(mine)
        theirs = main_text(other)
        for part in ("ptbxl/09739", "One band over time", f"{mine} of"):
            assert part in my_text and part in theirs, part
        assert other.url == link
        shot(other, "shared_link_colleague")
    finally:
        colleague.close()
