"""Several users at once: separate browser contexts (separate sessions, as separate people) upload
different real records at the same time; each sees only its own upload: the upload page's summary, its
current record on another page, and the record list, which offers no one else's upload."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import RUN_TIMEOUT_MS, ptbxl_files, shot, wait_idle

pytestmark = pytest.mark.browser
ECG_IDS = (1, 2, 6000, 6001, 8883)  # five real PTB-XL records, one per simultaneous user


def files_of(ecg_id: int) -> list[str]:
    return ptbxl_files(ecg_id)


def test_simultaneous_sessions_see_only_their_own_upload(app_url, browser):
    users = []
    for ecg_id in ECG_IDS:
        context = browser.new_context(viewport={"width": 1300, "height": 1600})
        page = context.new_page()
        page.set_default_timeout(RUN_TIMEOUT_MS)
        page.goto(app_url + "/upload")
        users.append((ecg_id, context, page))
    for _, _, page in users:
        wait_idle(page)
    # every user drops a file before any reading finishes: the server handles the sessions concurrently
    for ecg_id, _, page in users:
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(files_of(ecg_id))
    names = {ecg_id: f"{ecg_id:05d}_hr" for ecg_id in ECG_IDS}
    for ecg_id, _, page in users:
        wait_idle(page)
        expect(page.get_by_text(f"Read {names[ecg_id]}")).to_be_visible()
    for ecg_id, _, page in users:
        page.get_by_role("link", name="Home").click()  # in-app navigation: the same session, another page
    for ecg_id, _, page in users:
        wait_idle(page)
        picker = page.get_by_role("combobox", name="Record")
        assert picker.input_value() == f"{names[ecg_id]} (your upload)"  # still this user's current record
        picker.click()  # the record list offers no one else's upload
        options = page.get_by_role("option").all_inner_texts()
        page.keyboard.press("Escape")
        uploads = [o for o in options if "(your upload)" in o]
        assert uploads == [f"{names[ecg_id]} (your upload)"], uploads
    shot(users[0][2], "sessions_user1_home")
    for _, context, _ in users:
        context.close()
