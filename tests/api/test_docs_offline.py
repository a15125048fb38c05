"""`/docs` and `/redoc` reference no other host: their assets are served from the installed package."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from api.http.app import create_app
from application.settings import Settings
from tests.api.support import API_SETTINGS

URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)""")


def test_the_docs_pages_reference_no_other_host_and_their_assets_are_served() -> None:
    app = create_app(Settings(_env_file=None, store="memory"), None, API_SETTINGS)
    with TestClient(app) as client:
        for page in ("/docs", "/redoc"):
            response = client.get(page)
            assert response.status_code == 200
            html = response.text
            assert "cdn." not in html and "fonts.googleapis" not in html, page
            urls = [a or b for a, b in URL.findall(html)]
            assert urls, page
            for url in urls:
                assert not re.match(r"^(?:[a-z]+:)?//", url), (page, url)  # same host only
                assert client.get(url).status_code == 200, url
            assert "img-src 'self'" in response.headers["content-security-policy"]
        assert "'/openapi.json'" in client.get("/docs").text or '"/openapi.json"' in client.get("/docs").text
