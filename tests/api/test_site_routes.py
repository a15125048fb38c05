"""The public site's rows of the role matrix (`roles.PAGES`): one per page, anyone may read it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.methods import _flattened
from api.http.roles import ANYONE, MATRIX, PAGES, Role
from application.settings import Settings
from tests.api.support import API_SETTINGS, bearer

APP = create_app(Settings(_env_file=None, store="memory"), None, API_SETTINGS)
SITE = [r for r in _flattened(APP.routes) if getattr(r, "path", "").startswith("/publik")]


def test_every_page_has_one_row_for_anyone_and_none_is_in_the_api_document() -> None:
    assert sorted(r.name for r in SITE) == sorted(PAGES)
    assert all(PAGES[r.name] == ANYONE and r.name not in MATRIX for r in SITE)
    assert not any(path.startswith("/publik") for path in APP.openapi()["paths"])


def test_every_role_and_the_anonymous_public_read_the_pages() -> None:
    with TestClient(APP) as client:
        for role in Role:
            for path in ("/publik", "/publik/verifikasi", "/publik/gaya.css"):
                response = client.get(path, headers=bearer(role))
                assert response.status_code in (200, 503), (role, path)  # 503: no views in memory
                assert response.status_code == 200 or "Data belum tersedia" in response.text
