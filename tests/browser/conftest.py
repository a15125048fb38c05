"""A real headless Chromium (Debian's `chromium`, driven by Playwright; never `playwright install`) on
the service run by uvicorn after a demo round; axe-core from npm (`npm ci --prefix tests/browser`).

Under `CI=true` a missing browser, Playwright or axe-core fails the tests; elsewhere they are skipped.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.http.app import create_app
from application.bootstrap import initialise_store, open_application
from application.service import MutasiApplication
from application.settings import Settings
from tests.api.support import API_SETTINGS
from tests.projections.flow import Flow, walk
from tests.scenario import Clock

CHROMIUM = Path(os.environ.get("MUTASI_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).parent.parent / "artifacts"


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: apt-get install -y chromium"
    if not AXE.exists():
        return f"{AXE} is missing: npm ci --prefix tests/browser"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: pip install -e '.[test]'"
    return None


def require_browser() -> None:
    """Skip (outside CI) or fail (under CI=true) when the browser, Playwright or axe-core is missing."""
    missing = _missing()
    if missing is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests must run under CI: {missing}")
    pytest.skip(missing)


@dataclass
class Site:
    """The service on a local port, the app behind it and the round walked in it."""

    base: str
    app: MutasiApplication
    flow: Flow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A demo round (announced, with objections, decrees, executions) served by uvicorn."""
    require_browser()
    import uvicorn

    settings = Settings(_env_file=None, store="sqlite", sqlite_path=tmp_path_factory.mktemp("site") / "events.sqlite3")
    initialise_store(settings)
    app = open_application(settings, clock=Clock())
    flow = walk(app, objections=True)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, app, API_SETTINGS), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_round(base, str(flow.round_id))
        yield Site(base, app, flow)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.close()


def _wait_for_round(base: str, round_id: str, timeout: float = 20.0) -> None:
    """Until the embedded projections have published the round (polling the page, not sleeping blind)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            page = httpx.get(f"{base}/publik/putaran/{round_id}", timeout=2)
            if page.status_code == 200 and "SK terbit" in page.text:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError("the public site did not show the round in time")


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Any]:
    """Headless Chromium from the system (no download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield chromium
        finally:
            chromium.close()
