"""Browser: results follow the record, never its name; a hostile file name shows as text.

1. Issue 18's sequence: upload a 12-lead CSV named `ecg.csv` (PTB-XL 00001, a normal ECG), open Predict &
   explain, go back to Upload, press Remove, upload a different record also named `ecg.csv` (PTB-XL 00103, an
   MI), open Predict & explain and the viewer: the probabilities and the heart rate are the second record's
   own (computed here with the library on the very CSV uploaded), not the first one's.
2. A file named like a Markdown link (`[Open the secure viewer](https:example.org) x.csv`): the page shows the
   name as typed and holds no link to example.org.

The CSVs are written into tmp_path from the data root's PTB-XL records; nothing is committed.
"""
from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import main_text, open_page, shot, wait_drawn

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LEADS = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")
MODEL = "resnet1d"  # the app's default model (app/common/widgets.DEFAULT_MODEL)


def _write_csv(ecg_id: int, path) -> None:
    """PTB-XL record `ecg_id` (500 Hz) as a CSV with a time column in seconds and one column per lead (mV)."""
    from ecgcore.data.catalogue import load_record

    ecg = load_record(f"ptbxl/{ecg_id:05d}")  # ptbxl/ or ptbxl_more/ of the data root, 500 Hz
    time = np.arange(ecg.n_samples) / ecg.fs
    table = np.column_stack([time, ecg.signal.T])
    np.savetxt(path, table, delimiter=",", fmt="%.4f", header="time," + ",".join(ecg.leads), comments="")


def _expected(path) -> tuple[dict[str, float], str]:
    """The model's probabilities and the heart rate text for the CSV exactly as uploaded."""
    from ecgcore.io.upload import read_path
    from ecgcore.models import load_model
    from ecgcore.signal import analyse_record
    from ecgcore.core.settings import resolve

    ecg = read_path(path)
    model = load_model(MODEL, str(resolve().models_dir))
    probs = dict(zip(model.classes, (float(p) for p in model.predict_proba(ecg)[0])))
    heart_rate = next(r["text"] for r in analyse_record(ecg).rows() if r["key"] == "HR")
    return probs, heart_rate


def _to_upload(page) -> None:
    """Back to Upload by the sidebar's link: in-app navigation keeps the session (a new URL would not)."""
    page.get_by_role("link", name="Upload").click()
    wait_drawn(page)
    expect(page.get_by_role("heading", name="Upload an ECG")).to_be_visible()


def _upload(page, app_url: str, path, first: bool = False) -> None:
    if first:
        open_page(page, app_url + "/upload")
    else:
        _to_upload(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    wait_drawn(page)
    expect(page.get_by_text("it is now the current record")).to_be_visible()


def _shown_probabilities(page) -> dict[str, float]:
    """The probability bars of the Predict & explain page, read from the drawn plotly figure."""
    page.get_by_role("button", name="Predict & explain").click()
    wait_drawn(page, charts=2)  # the probabilities and the ECG
    expect(page.get_by_role("heading", name="Predict & explain")).to_be_visible()
    plot = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
    expect(plot).to_be_visible()
    bars = plot.evaluate("el => el.data.filter(t => t.type === 'bar').map(t => ({x: t.x, y: t.y}))")
    labels = plot.evaluate("el => el.layout.yaxis.ticktext || []")
    assert len(bars) == 1 and len(labels) == len(bars[0]["x"]), (bars, labels)
    return {str(label).replace("✔", "").strip(): float(x) for label, x in zip(labels, bars[0]["x"])}


def test_second_upload_with_same_name_shows_its_own_results(app_url, page, tmp_path):
    first, second = tmp_path / "a" / "ecg.csv", tmp_path / "b" / "ecg.csv"
    first.parent.mkdir(), second.parent.mkdir()
    _write_csv(1, first)
    _write_csv(103, second)
    probs_first, hr_first = _expected(first)
    probs_second, hr_second = _expected(second)
    assert abs(probs_first["NORM"] - probs_second["NORM"]) > 0.5 and hr_first != hr_second  # the test can fail

    _upload(page, app_url, first, first=True)
    shown = _shown_probabilities(page)
    assert all(abs(shown[c] - p) < 0.01 for c, p in probs_first.items()), (shown, probs_first)

    _to_upload(page)
    page.get_by_role("button", name="Remove").click()
    wait_drawn(page)
    expect(page.get_by_text("Your uploads in this session")).to_have_count(0)
    _upload(page, app_url, second)
    shown = _shown_probabilities(page)
    assert all(abs(shown[c] - p) < 0.01 for c, p in probs_second.items()), (shown, probs_second, probs_first)
    shot(page, "upload_same_name_second_predict")

    _to_upload(page)
    page.get_by_role("button", name="Open in the viewer").click()
    wait_drawn(page)
    expect(page.get_by_role("heading", name="ECG viewer")).to_be_visible()
    # the HR metric of the measurements (the statements table above it repeats the value in its own grid)
    expect(page.locator('[data-testid="stMetricValue"]').filter(has_text=hr_second).first).to_be_visible()
    text = main_text(page)
    assert hr_second in text and hr_first not in text, (hr_first, hr_second)
    shot(page, "upload_same_name_second_viewer")


def test_hostile_file_name_shows_as_text(app_url, page, tmp_path):
    name = "[Open the secure viewer](https:example.org) x.csv"
    path = tmp_path / name
    _write_csv(1, path)
    _upload(page, app_url, path, first=True)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("[Open the secure viewer](https:example.org) x").first).to_be_visible()
    assert main.locator("a[href*='example.org']").count() == 0
    for target in ("Open in the viewer", "Predict & explain"):
        _to_upload(page)
        page.get_by_role("button", name=target).click()
        wait_drawn(page)
        expect(main.get_by_text("[Open the secure viewer](https:example.org) x").first).to_be_visible()
        assert page.locator("a[href*='example.org']").count() == 0, target
    shot(page, "upload_hostile_name_predict")
