"""Browser: the Worklist opens a score run, a row opens its record in the viewer, and a long record's timeline
opens the viewer at the moment chosen."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ecgcore.score import score_paths
from tests.bad_inputs.real_records import real_path
from tests.e2e.helpers import main_text, open_page, shot, wait_drawn

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    """A run of one real PTB-XL record and a SYNTHETIC 3-minute 3-lead Holter record (kernel model: quick)."""
    from ecgcore.synth.holter import simulate_holter, write_holter

    work = tmp_path_factory.mktemp("worklist")
    hea = write_holter(simulate_holter(hours=0.05, fs=250, af_hours=(0.02, 0.035), pool=4), work / "holter")
    record = real_path("ptbxl/records500/00000/00001_hr.hea")
    score_paths([str(record), str(hea)], work / "run", models=["kernel"], engine="serial", progress=False)
    return work / "run"


def _open_run(page, app_url, folder) -> None:
    open_page(page, app_url + "/worklist")
    box = page.get_by_role("textbox", name="or a run folder")
    box.fill(str(folder))
    box.press("Enter")
    wait_drawn(page)
    expect(page.get_by_text("2 of 2 records scored")).to_be_visible()


def test_a_worklist_row_opens_in_the_viewer(app_url, page, run_folder):
    _open_run(page, app_url, run_folder)
    grid = page.locator('[data-testid="stDataFrame"]').first
    expect(grid).to_be_visible()
    shot(page, "worklist_triage")
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row: the PTB-XL record (the Holter: not scored)
    wait_drawn(page)
    expect(page.get_by_role("button", name="Open in the viewer")).to_be_visible()
    assert "00001_hr.hea" in main_text(page)
    page.get_by_role("button", name="Open in the viewer").click()
    wait_drawn(page)
    expect(page.get_by_role("heading", name="ptbxl/00001")).to_be_visible()
    shot(page, "worklist_opened_viewer")


def test_a_long_records_timeline_opens_the_viewer_there(app_url, page, run_folder):
    _open_run(page, app_url, run_folder)
    page.get_by_role("tab", name="Long records").click()
    wait_drawn(page)
    expect(page.get_by_text("AF burden")).to_be_visible()
    expect(page.locator(".st-key-wl_timeline")).to_be_visible()
    assert "3 lead(s)" in main_text(page)  # why the 12-lead models did not score it
    shot(page, "worklist_timeline")
    start = page.get_by_role("spinbutton", name="Open at (s from the start)")
    start.fill("60")
    start.press("Enter")
    wait_drawn(page)
    page.get_by_role("button", name="Open this moment in the viewer").click()
    wait_drawn(page)
    text = main_text(page)
    assert "holter" in text and "Showing 60-70 s of 180 s" in text
    shot(page, "worklist_timeline_viewer")
