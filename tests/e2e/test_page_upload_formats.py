"""Browser: a clinician uploads hospital exports under names the format cannot be told from (a GE MUSE XML saved
as .txt, a DICOM file without an extension, as PACS exports it) and opens each in the ECG viewer: the 12 leads
(derived ones marked), the cart's own measurements beside ours, and the cart's statements.

The sample files are read from the data root's formats/ folder (values from its SOURCE.md) and copied into
tmp_path under the new names; they are never committed.
"""
from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from ecgcore.core.settings import resolve
from tests.e2e.helpers import main_text, open_page, shot, wait_drawn, wait_for_texts

pytestmark = pytest.mark.browser

LEADS = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")


def _formats_file(relative: str):
    try:
        root = resolve().require_data_root()
    except Exception as exc:  # DataRootMissingError: fail, naming ECG_DATA_ROOT, never skip
        pytest.fail(f"the browser test of clinical uploads needs the data root: {exc}")
    path = root / "formats" / relative
    if not path.is_file():
        pytest.fail(f"{path} is missing: set ECG_DATA_ROOT to a data root holding formats/ (see formats/SOURCE.md)")
    return path


def _upload_and_view(page, app_url: str, path, format_name: str) -> str:
    """Upload `path` on the Upload page (read as `format_name`), open it in the viewer; the viewer's main text."""
    open_page(page, app_url + "/upload")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    wait_drawn(page)
    expect(page.get_by_text(f"({format_name}); it is now the current record")).to_be_visible()
    page.get_by_role("button", name="Open in the viewer").click()
    wait_drawn(page, charts=1)
    expect(page.get_by_role("heading", name="ECG viewer")).to_be_visible()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    return main_text(page)


def _lead_labels(page, minimum: int = 12) -> set[str]:
    """The lead labels drawn on the ECG paper (a derived lead is drawn with a "*"), waiting until at least
    `minimum` annotations are drawn."""
    labels = wait_for_texts(page, ".js-plotly-plot text.annotation-text", minimum)
    return {label.strip() for label in labels}


def test_hospital_exports_under_other_names(app_url, page, tmp_path):
    muse = tmp_path / "resting_ecg.txt"  # MUSE XML saved as .txt: content, not extension, picks the reader
    shutil.copyfile(_formats_file("muse_xml/egm_muse-sinus.xml"), muse)
    dicom = tmp_path / "1.2.840.113619.2.55"  # a DICOM file as PACS exports it: no extension
    shutil.copyfile(_formats_file("dicom/pydicom_waveform_ecg.dcm"), dicom)

    text = _upload_and_view(page, app_url, muse, "GE MUSE XML")
    drawn = _lead_labels(page)
    # MUSE stores 8 leads: III, aVR, aVL, aVF are derived and marked
    assert {"I", "II", "V1", "V6", "III*", "aVR*", "aVL*", "aVF*"} <= drawn, drawn
    assert "derived: III, aVR, aVL, aVF" in text
    assert "Source: your upload (GE MUSE XML)" in text
    # SOURCE.md: egm_muse-sinus stores VR 90, PR 144, QRS 86, QTc 491 ms, and a "Normal Sinus rhythm" statement
    for value in ("cart 90", "cart 144", "cart 86", "cart 491"):
        assert value in text, value
    assert re.search(r"Cart's interpretation.*Normal Sinus rhythm", text), text[-1500:]
    shot(page, "upload_formats_muse_txt")

    text = _upload_and_view(page, app_url, dicom, "DICOM waveform")
    drawn = _lead_labels(page)
    assert set(LEADS) <= drawn, drawn  # 12 recorded leads, none derived
    assert not any(label.endswith("*") for label in drawn)
    # SOURCE.md: PR 161, QRS 75, QT 368 ms; statements "RITMO SINUSALE", "ECG NORMALE"
    for value in ("cart 161", "cart 75", "cart 368"):
        assert value in text, value
    assert "RITMO SINUSALE" in text and "ECG NORMALE" in text
    shot(page, "upload_formats_dicom_no_extension")
