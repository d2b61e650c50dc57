"""Browser: Predict & explain, Beat review and Compare models, each on its own (one failure hides no other)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.common.loaders import shipped_model_names
from tests.e2e.helpers import expect_text, main_text, open_page, shot, wait_drawn

pytestmark = pytest.mark.browser


def _model() -> str:
    names = shipped_model_names()
    if not names:
        pytest.fail("no trained model in assets/models (make train)")
    return "resnet1d" if "resnet1d" in names else names[0]


def test_predict(app_url, page):
    open_page(page, f"{app_url}/predict?record=ptbxl/09739&model={_model()}&target=MI")
    expect(page.get_by_text(re.compile(r"probability per class"))).to_be_visible()
    text = main_text(page)
    assert "IMI 15 %" in text and "strongest evidence for MI in this record" in text
    # the lead-evidence strip beside the tracing, and the map named by the method computed
    expect(page.get_by_text(re.compile(r"^MI evidence: "))).to_be_visible()
    assert "Points p(MI) falls when the lead is replaced by a normal beat" in main_text(page)
    assert "(Integrated Gradients)" in text and "Grad-CAM" not in text
    shot(page, "predict")


def test_beats(app_url, page):
    open_page(page, f"{app_url}/beats?record=ptbxl/00008&model={_model()}&target=MI&beat=1")
    heading = page.locator("strong", has_text=re.compile(r"^Beat \d+$")).first
    expect(heading).to_have_text("Beat 1")
    page.get_by_role("button", name=re.compile("Next")).click()
    wait_drawn(page)
    expect(page.locator("strong", has_text=re.compile(r"^Beat \d+$")).first).not_to_have_text("Beat 1")
    shot(page, "beats")


def test_compare(app_url, page):
    _model()
    open_page(page, f"{app_url}/compare?record=ptbxl/09739")
    expect(page.get_by_role("heading", name="Which model leads")).to_be_visible()
    expect_text(page, "has the highest macro AUC")
    shot(page, "compare")
