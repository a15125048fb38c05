"""`/docs` (Swagger UI) and `/redoc` served with their assets from an installed package, not a CDN, so
they work on an intranet without internet (FastAPI's self-hosting recipe).

The assets (`swagger-ui-bundle.js`, `swagger-ui.css`, `redoc.standalone.js`, a favicon) come from the
PyPI package `fastapi-offline`, which ships them as package data and follows Swagger UI and ReDoc
releases; no file of theirs is copied into this repository.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs-assets"
NO_REMOTE_IMAGES = {"Content-Security-Policy": "img-src 'self' data:"}
"""ReDoc's "API docs by Redocly" link shows a logo from its CDN (decorative, hidden when it fails to
load): the browser is told not to fetch images from elsewhere, so no request leaves the intranet."""


def assets_directory() -> Path:
    """Where the installed package keeps the Swagger UI and ReDoc files."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def install_docs(app: FastAPI) -> None:
    """Serve `/docs`, its OAuth2 redirect page and `/redoc` with the assets under `/docs-assets`
    (the app is made with `docs_url=None, redoc_url=None`)."""
    app.mount(ASSETS, StaticFiles(directory=assets_directory()), name="docs-assets")
    redirect = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{root}{redirect}",
            swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )
        page.headers.update(NO_REMOTE_IMAGES)
        return page

    @app.get(redirect, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS}/favicon.png",
            with_google_fonts=False,
        )
        page.headers.update(NO_REMOTE_IMAGES)
        return page
