"""Browser: the viewer as an ECG reader uses it on a real LBBB record (PTB-XL ecg_id 180, scp_codes CLBBB):
the interpretation first, a statement selected and marked on the tracing, calipers placed by a drag."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import open_page, shot, wait_drawn

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: pixel position of paper coordinates (x s, y mV) on the viewer's tracing, from plotly's own axes
_TO_PIXELS = """([x, y]) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[0];
  const box = gd.getBoundingClientRect(), L = gd._fullLayout;
  return [box.left + L._size.l + L.xaxis.l2p(x), box.top + L._size.t + L.yaxis.l2p(y)];
}"""


def test_viewer_opens_with_statements_marks_them_and_measures_with_calipers(app_url, page):
    open_page(page, app_url + "/viewer?record=180&layout=3x4")
    expect(page.get_by_role("heading", name="Interpretation")).to_be_visible()
    table = page.locator('[data-testid="stDataFrame"]').first
    expect(table).to_be_visible()
    # select the first statement (row 1 under the 35 px header): the figure's title names it
    box = table.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    wait_drawn(page)
    title = page.locator(".js-plotly-plot").first.locator("text.gtitle")
    expect(title).to_have_text(re.compile(r"marked: \S"))
    shot(page, "viewer_reader_statement")

    page.get_by_text("Calipers", exact=True).click()
    wait_drawn(page)
    expect(page.get_by_label("Leg 1 time (s)")).to_be_visible()
    # a drag along the lead-II rhythm strip (bottom row, baseline -12 mV) from 2.0 s to 2.8 s
    page.evaluate("document.querySelectorAll('.js-plotly-plot')[0].scrollIntoView({block: 'center'})")
    (x0, y0), (x1, y1) = (page.evaluate(_TO_PIXELS, [t, y]) for t, y in ((2.0, -11.5), (2.8, -12.5)))
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()
    wait_drawn(page)
    readout = page.locator(".js-plotly-plot").first.locator("text.annotation-text", has_text=re.compile("^Δt"))
    expect(readout).to_have_count(1)
    text = readout.text_content()
    dt = float(re.search(r"Δt (-?\d+) ms", text).group(1))
    assert 790 <= dt <= 810, text  # the drag's edges, to the pixel (1 px = 0.4 mm = 16 ms at this width, or less)
    assert float(page.get_by_label("Leg 1 time (s)").input_value()) == pytest.approx(2.0, abs=0.02)
    assert float(page.get_by_label("Leg 2 time (s)").input_value()) == pytest.approx(2.8, abs=0.02)
    shot(page, "viewer_reader_calipers")
