"""Dashboard speed, printed (goals from the dashboard issue; nothing here is a pass/fail test):

1. server side (Streamlit AppTest, in-process): switching the record on the viewer, and switching the
   model on Predict & explain, once models are loaded (goal <= 300 ms);
2. in headless Chromium, the home page fully drawn against a two-line Streamlit page (bench/empty_app.py)
   served and loaded the same way, as a ratio that holds on a noisy machine: cold (first visit after the
   server started; goal <= 2.5x) and warm (new browser, server warm; goal <= 1.3x); and Predict & explain's
   first view of the 2-minute 1 kHz ptbdb record on a warm server (goal <= 2 s);
3. the browser's time to draw the 12-lead figure at 500 Hz (Plotly.newPlot in headless Chromium), per layout
   and saliency mode, at 50 mm/s, and with calipers on, with the figure's payload size (and, for comparison, a min/max-decimated figure: the
   app draws every sample, because a cardiologist zooms in and decimation would hide detail there).

Run: .venv/bin/python -m bench.bench_app [load] [server] [draw]   (set ECG_MODELS_DIR to bench models outside assets/models)
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import numpy as np  # noqa: E402

from app.common.loaders import shipped_model_names  # noqa: E402
from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

LONG_RECORD = "ptbdb/patient096/s0379lre"
RECORDS = ["ptbxl/00001", "ptbxl/00008", "ptbxl/09739", "ptbxl/06002", "cinc/georgia/E00271", "ptbxl/11165"]




def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def server_side() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=300)
    at.query_params["record"] = RECORDS[0]
    cold = _timed(lambda: at.switch_page("views/viewer.py").run())
    print(f"viewer, first run in a fresh process (imports, catalogue, record): {cold:.0f} ms")
    new, again = [], []
    for rid in RECORDS[1:]:
        new.append(_timed(lambda: at.sidebar.selectbox[0].select(rid).run()))
    for rid in RECORDS[1:]:
        again.append(_timed(lambda: at.sidebar.selectbox[0].select(rid).run()))
    assert not at.exception, at.exception
    print(f"viewer, switch record (first visit: read + beats + measurements): median {statistics.median(new):.0f} ms, "
          f"max {max(new):.0f} ms over {len(new)} records")
    print(f"viewer, switch record (cached record):                          median {statistics.median(again):.0f} ms, "
          f"max {max(again):.0f} ms   [goal <= 300 ms]")
    models = shipped_model_names()
    if len(models) < 2:
        print("predict, switch model: skipped (needs two trained models)")
        return
    at.switch_page("views/predict.py").run()
    for name in models:  # load every model once (st.cache_resource), as a running server has
        at.selectbox(key="_predict_model").select(name).run()
    first, cached = [], []
    for rid in RECORDS[1:4]:
        at.sidebar.selectbox[0].select(rid).run()
        for name in models:
            first.append(_timed(lambda: at.selectbox(key="_predict_model").select(name).run()))
        for name in models:
            cached.append(_timed(lambda: at.selectbox(key="_predict_model").select(name).run()))
    assert not at.exception, at.exception
    print(f"predict, switch model, models loaded, new record/model pair (predict + Grad-CAM + IG + beats): "
          f"median {statistics.median(first):.0f} ms, max {max(first):.0f} ms")
    print(f"predict, switch model, models loaded, pair seen before (cached explanation): "
          f"median {statistics.median(cached):.0f} ms, max {max(cached):.0f} ms   [goal <= 300 ms]")
    fresh = []
    for rid in RECORDS[1:4]:  # a new user's first page on a warm server: models and records cached
        user = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=300)
        user.query_params["record"] = rid
        fresh.append(_timed(lambda: user.switch_page("views/predict.py").run()))
    print(f"predict, a new session's first page on a warm server (server side): median "
          f"{statistics.median(fresh):.0f} ms, max {max(fresh):.0f} ms   [goal <= 3000 ms incl. the browser]")


def _serve(script: str):
    """A Streamlit server for `script` on a free port, started the same way for the app and the reference."""
    import socket
    import subprocess
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                               "--server.headless", "true", "--browser.gatherUsageStats", "false"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    while True:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return server, url
        except OSError:
            time.sleep(0.2)


def _load_ms(browser, url: str) -> float:
    """A new browser context (no cached JS) opens `url`; ms until the script is idle and every figure and
    table is drawn (no grey placeholder left)."""
    from tests.e2e.helpers import wait_drawn

    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    t = time.perf_counter()
    page.goto(url)
    wait_drawn(page, timeout_ms=300_000)
    ms = (time.perf_counter() - t) * 1000 - 500  # wait_idle's settle time is not load time
    context.close()
    return ms


def first_load(repeats: int = 3) -> None:
    """Home page against a two-line Streamlit page (bench/empty_app.py), both served and loaded the same way:
    cold (first visit after the server started) and warm (new browser, server warm), as ratios; then the
    Predict & explain first view of the 2-minute 1 kHz ptbdb record on a warm server."""
    from playwright.sync_api import sync_playwright

    servers = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            empty, empty_url = _serve("bench/empty_app.py")
            servers.append(empty)
            cold_empty = _load_ms(browser, empty_url)
            app, app_url = _serve("app/main.py")
            servers.append(app)
            cold_app = _load_ms(browser, app_url + "/home")
            print(f"cold first load: home {cold_app:.0f} ms, empty page {cold_empty:.0f} ms: "
                  f"{cold_app / cold_empty:.1f}x   [goal <= 2.5x]")
            warm_empty = statistics.median(_load_ms(browser, empty_url) for _ in range(repeats))
            warm_app = statistics.median(_load_ms(browser, app_url + "/home") for _ in range(repeats))
            print(f"warm load (new browser, server warm), median of {repeats}: home {warm_app:.0f} ms, empty page "
                  f"{warm_empty:.0f} ms: {warm_app / warm_empty:.1f}x   [goal <= 1.3x]")
            models = shipped_model_names()
            model = "resnet1d" if "resnet1d" in models else (models[0] if models else None)
            if model is None:
                print("predict & explain, long record: skipped (no trained model)")
            else:
                _load_ms(browser, f"{app_url}/predict?record=ptbxl/00008&model={model}")  # models loaded
                long_ms = _load_ms(browser, f"{app_url}/predict?record={LONG_RECORD}&model={model}")
                print(f"predict & explain, {LONG_RECORD} (115 s at 1 kHz), first view on a warm server, {model}: "
                      f"{long_ms:.0f} ms   [goal <= 2000 ms]")
            browser.close()
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def draw_time(repeats: int = 7) -> None:
    import plotly.io as pio
    from playwright.sync_api import sync_playwright

    from ecgcore.data.catalogue import load_record
    from ecgcore.plot import ecg_figure
    from ecgcore.plot.calipers import caliper
    from ecgcore.plot.paper import Scale

    ecg = load_record("ptbxl/00008")
    assert ecg.fs == 500
    rng = np.random.default_rng(0)
    band = np.clip(np.convolve(rng.random(ecg.n_samples), np.ones(200) / 200, "same") * 1.6 - 0.5, 0, 1)
    per_lead = np.clip(np.stack([np.roll(band, 97 * i) for i in range(12)]), 0, 1)
    cases = {
        "3x4 + rhythm strip": ecg_figure(ecg, "3x4"),
        "3x4, min/max-decimated (not used)": ecg_figure(ecg, "3x4", max_points_per_panel=500),
        "12 stacked": ecg_figure(ecg, "12x1"),
        "3x4 + Grad-CAM band": ecg_figure(ecg, "3x4", saliency=band),
        "3x4 + per-lead colour": ecg_figure(ecg, "3x4", saliency=per_lead, saliency_mode="trace"),
        "12 stacked + per-lead colour": ecg_figure(ecg, "12x1", saliency=per_lead, saliency_mode="trace"),
        "6x2 + rhythm strip": ecg_figure(ecg, "6x2"),
        "3x4 at 50 mm/s, 20 mm/mV": ecg_figure(ecg, "3x4", window_s=5.0, scale=Scale(50, 20)),
        "3x4, calipers on": ecg_figure(ecg, "3x4", caliper_drag=True, caliper=caliper(ecg, ("II", 1.0), ("II", 1.8))),
    }
    plotly_js = Path(pio.__file__).parent.parent / "package_data" / "plotly.min.js"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        html = Path(tmp) / "draw.html"
        html.write_text(f"<html><body><div id='g' style='width:1100px'></div>"
                        f"<script>{plotly_js.read_text()}</script></body></html>")
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        page.goto(html.as_uri())
        for label, fig in cases.items():
            spec = fig.to_json()
            times = page.evaluate("""async ([spec, n]) => {
                const fig = JSON.parse(spec); const out = [];
                for (let i = 0; i < n; i++) {
                    Plotly.purge('g');
                    const t = performance.now();
                    await Plotly.newPlot('g', fig.data, fig.layout, {displaylogo: false});
                    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                    out.push(performance.now() - t);
                }
                return out; }""", [spec, repeats])
            print(f"browser draw at 500 Hz, {label:30s}: median {statistics.median(times[1:]):6.0f} ms "
                  f"(first {times[0]:.0f} ms), payload {len(spec) / 1e3:.0f} kB, "
                  f"{sum(len(t.y) for t in fig.data if t.type == 'scatter' and t.y is not None):,} points")
        browser.close()


if __name__ == "__main__":
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    parts = sys.argv[1:] or ["load", "server", "draw"]
    if "load" in parts:
        first_load()
    if "server" in parts:
        server_side()
    if "draw" in parts:
        draw_time()
