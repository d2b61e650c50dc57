"""How the app is served: error details off for users, XSRF on, localhost by default (issue 18)."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_streamlit_config_hides_tracebacks_and_keeps_xsrf_on():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"  # a page never shows a traceback (server paths)
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"].get("enableCORS", True) is True


def test_make_app_listens_on_localhost_by_default():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^ADDRESS \?= (localhost|127\.0\.0\.1)$", makefile, flags=re.MULTILINE)
    assert "--server.address $(ADDRESS)" in makefile
