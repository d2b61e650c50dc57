"""Constants shared across the library. Paths (data root, models, cache) are resolved in `ecgcore.settings`."""
from __future__ import annotations

SUPERCLASSES: tuple[str, ...] = ("NORM", "MI", "STTC", "CD", "HYP")

#: Upload limit in MB; `.streamlit/config.toml` sets the same `server.maxUploadSize`.
MAX_UPLOAD_MB = 200
