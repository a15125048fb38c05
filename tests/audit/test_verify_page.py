"""/public/verify in a real headless Chromium (Debian's, via Playwright; never `playwright install`): a
citizen types a decree's receipt code and the JavaScript verifier says it holds; a tampered pasted
receipt is refused. Skipped outside CI when chromium or Playwright is missing; under CI=true it runs."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from api.http.app import create_app
from application.audit.checkpoints import checkpoint
from application.bootstrap import initialise_store, open_application
from application.settings import Settings
from tests.api.support import API_SETTINGS
from tests.audit.support import back_dated_transfer
from tests.audit.test_receipts import decree_code
from tests.scenario import Clock

CHROMIUM = Path(os.environ.get("MUTASI_CHROMIUM", "/usr/bin/chromium"))


def _require_browser() -> None:
    missing = None if CHROMIUM.exists() else f"{CHROMIUM} is missing"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "playwright is not installed"
    if missing and os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the browser test must run under CI: {missing}")
    if missing:
        pytest.skip(missing)


@pytest.fixture
def served(tmp_path):
    _require_browser()
    import uvicorn

    settings = Settings(_env_file=None, store="sqlite", sqlite_path=tmp_path / "events.sqlite3")
    initialise_store(settings)
    app = open_application(settings, clock=Clock())
    back_dated_transfer(app)
    checkpoint(app)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, app, API_SETTINGS), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/public/verify", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        yield base, decree_code(settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.close()


def test_a_citizen_checks_a_receipt_code_in_the_browser(served) -> None:
    from playwright.sync_api import sync_playwright

    base, code = served
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            page = browser.new_page()
            page.goto(f"{base}/public/verify")
            page.fill("#code", code.lower())
            page.click("#by-code button")
            page.wait_for_selector("#result[data-ok]")
            assert page.get_attribute("#result", "data-ok") == "true", page.inner_text("#result")
            assert "821.2/001/2026" in page.inner_text("#result")
            receipt = httpx.get(f"{base}/public/receipts/{code}").json()
            receipt["statement"]["decree"]["number"] = "821.2/999/2026"
            page.fill("#receipt", json.dumps(receipt))
            page.evaluate("document.getElementById('result').removeAttribute('data-ok')")
            page.click("#by-text button")
            page.wait_for_selector("#result[data-ok]")
            assert page.get_attribute("#result", "data-ok") == "false"
            assert "TIDAK SAH" in page.inner_text("#result")
        finally:
            browser.close()
