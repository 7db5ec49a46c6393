"""Kept third-party files are the ones their README records, and the app serves them itself."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

ECHARTS = Path(__file__).resolve().parent.parent / "static" / "vendor" / "echarts"


def test_echarts_file_matches_its_recorded_checksum():
    readme = (ECHARTS / "README.md").read_text(encoding="utf-8")
    for name in ("echarts.min.js", "LICENSE", "NOTICE"):
        recorded = re.search(rf"`{re.escape(name)}` SHA-256 \| `([0-9a-f]{{64}})`", readme)
        assert recorded, f"README records no SHA-256 for {name}"
        assert hashlib.sha256((ECHARTS / name).read_bytes()).hexdigest() == recorded.group(1), name
    assert "Version | 5.6.0" in readme
    assert b"5.6.0" in (ECHARTS / "echarts.min.js").read_bytes()[:2000] or b'version="5.6.0"' in (
        ECHARTS / "echarts.min.js").read_bytes() or b'"5.6.0"' in (ECHARTS / "echarts.min.js").read_bytes()


def test_app_serves_echarts_from_its_own_static_folder(client):
    response = client.get("/static/vendor/echarts/echarts.min.js")
    assert response.status_code == 200
    assert len(response.data) > 500_000
    response.close()
