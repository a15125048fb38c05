"""Conventions: CORS for browsers on other origins, Prometheus metrics, JSON-lines logs (ours and
uvicorn's), settings from `.env`."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.http.app import create_app
from api.http.logs import LOGGERS, JsonLines, log_config
from api.http.roles import Role
from api.http.security import ApiSettings
from application.bootstrap import open_application
from application.settings import Settings
from tests.api.support import SECRET, bearer, position

BROWSER = "https://mutasi.bkpsdm.example.go.id"


@contextmanager
def service(settings: Settings, **api: Any) -> Iterator[TestClient]:
    """The REST API on `settings`' store with these API settings."""
    application = open_application(settings)
    try:
        with TestClient(
            create_app(settings, application, ApiSettings(_env_file=None, jwt_secret=SECRET, **api))
        ) as client:
            yield client
    finally:
        application.close()


MEMORY = Settings(_env_file=None, store="memory")


# -- CORS ----------------------------------------------------------------------------------------------


def preflight(client: TestClient, origin: str) -> httpx.Response:
    return client.options(
        "/positions",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
    )


def test_a_preflight_from_an_allowed_origin_is_answered_and_other_origins_get_no_cors_headers() -> None:
    with service(MEMORY, cors_origins=f"{BROWSER}, http://localhost:5173") as client:
        allowed = preflight(client, BROWSER)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == BROWSER
        assert "POST" in allowed.headers["access-control-allow-methods"]
        assert "idempotency-key" in allowed.headers["access-control-allow-headers"].lower()
        other = preflight(client, "https://evil.example.org")
        assert "access-control-allow-origin" not in other.headers
        simple = client.get("/health/live", headers={"Origin": BROWSER})
        assert simple.headers["access-control-allow-origin"] == BROWSER
        assert "X-Correlation-ID" in simple.headers["access-control-expose-headers"]
        assert (
            "access-control-allow-origin" not in client.get("/health/live", headers={"Origin": "https://x.org"}).headers
        )


def test_without_allowed_origins_there_is_no_cors() -> None:
    with service(MEMORY) as client:
        assert "access-control-allow-origin" not in preflight(client, BROWSER).headers
        assert "access-control-allow-origin" not in client.get("/health/live", headers={"Origin": BROWSER}).headers


def test_origins_are_read_as_a_list_and_a_path_is_refused() -> None:
    assert ApiSettings(_env_file=None, cors_origins='["https://a.example", "http://b.example:8080"]').cors_origins == (
        "https://a.example",
        "http://b.example:8080",
    )
    with pytest.raises(ValidationError, match="not an origin"):
        ApiSettings(_env_file=None, cors_origins="https://a.example/")


# -- metrics --------------------------------------------------------------------------------------------


def samples(text: str) -> dict[str, float]:
    """The exposition's samples, by name and labels as written."""
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            found[name] = float(value)
    return found


def sample(found: dict[str, float], name: str, **labels: str) -> float:
    for key, value in found.items():
        if key.split("{")[0] == name and all(f'{k}="{v}"' in key for k, v in labels.items()):
            return value
    return 0.0


def test_metrics_count_requests_commands_replays_events_views_and_pools(settings: Settings) -> None:
    with service(settings, metrics_enabled=True) as client:
        api = type(
            "Api", (), {"ok": lambda self, role, method, path, json=None, **h: _ok(client, role, method, path, json, h)}
        )()
        before = samples(client.get("/metrics").text)
        position_id = position(api, "Analis Kebijakan")
        for _ in range(2):
            response = client.post(
                f"/positions/{position_id}/formasi",
                headers={**bearer(Role.OPERATOR), "Idempotency-Key": "k-1"},
                json={"formasi": 3, "reason": "a new analysis unit"},
            )
            assert response.status_code == 200, response.text
        assert client.post("/positions", json={}, headers=bearer(Role.OPERATOR)).status_code == 422
        assert client.get(f"/positions/{position_id}", headers=bearer(Role.AUDITOR)).status_code == 200
        response = client.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        after = samples(response.text)
    latency = "mutasi_http_request_duration_seconds_count"
    assert sample(after, latency, route="positions.establish", method="POST", status="201") == 1
    assert sample(after, latency, route="positions.read", method="GET", status="200") == 1
    assert sample(after, "mutasi_commands_total", command="positions.establish", outcome="done") == 1
    assert sample(after, "mutasi_commands_total", command="positions.establish", outcome="refused") == 1
    assert sample(after, "mutasi_commands_total", command="positions.revise_formasi", outcome="done") == 1
    assert sample(after, "mutasi_commands_total", command="positions.revise_formasi", outcome="replayed") == 1
    assert sample(after, "mutasi_idempotent_replays_total", command="positions.revise_formasi") == 1
    assert sample(after, "mutasi_events_appended_total") >= sample(before, "mutasi_events_appended_total") + 2
    assert sample(after, "mutasi_store_up") == 1
    views = {key for key in after if key.startswith("mutasi_projection_lag_events{")}
    assert views, after.keys()
    assert "process_cpu_seconds_total" in after
    pools = {key for key in after if key.startswith("mutasi_pool_")}
    if settings.store == "postgres":
        for pool in ("events", "views"):  # and the idempotency keys' own pool where they have one
            assert f'mutasi_pool_connections_in_use{{pool="{pool}"}}' in pools, pools
            assert f'mutasi_pool_requests_waiting{{pool="{pool}"}}' in pools
    else:
        assert not pools  # SQLite's pools keep no statistics


def _ok(client: TestClient, role: Role, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    response = client.request(method, path, json=body, headers={**bearer(role), **headers})
    assert response.status_code < 300, response.text
    return response.json()


def test_metrics_are_off_by_default_and_can_want_a_scrape_token() -> None:
    with service(MEMORY) as client:
        assert client.get("/metrics").status_code == 404
    with service(MEMORY, metrics_enabled=True, metrics_token="scrape-token-0123456789") as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers=bearer(Role.AUDITOR)).status_code == 401
        scraped = client.get("/metrics", headers={"Authorization": "Bearer scrape-token-0123456789"})
        assert scraped.status_code == 200 and "mutasi_http_request_duration_seconds" in scraped.text
        assert "/metrics" not in client.get("/openapi.json").json()["paths"]


# -- logs -----------------------------------------------------------------------------------------------


@pytest.fixture
def restored_loggers() -> Iterator[None]:
    """Put back the loggers uvicorn's log configuration changes."""
    saved = {
        name: (lg.handlers[:], lg.level, lg.propagate, lg.disabled)
        for name in LOGGERS
        for lg in [logging.getLogger(name)]
    }
    try:
        yield
    finally:
        for name, (handlers, level, propagate, disabled) in saved.items():
            lg = logging.getLogger(name)
            lg.handlers[:], lg.level, lg.propagate, lg.disabled = handlers, level, propagate, disabled


def test_uvicorn_and_our_logs_are_json_lines_with_the_correlation_id(restored_loggers) -> None:
    stream = io.StringIO()
    application = open_application(MEMORY)
    try:
        app = create_app(MEMORY, application, ApiSettings(_env_file=None, jwt_secret=SECRET))
        logging.config.dictConfig(log_config(stream))  # as `mutasi serve` does, but onto `stream`
        config = uvicorn.Config(app, access_log=True, log_config=None)  # and `mutasi serve`'s options
        server = uvicorn.Server(config)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]})
        thread.start()
        try:
            for _ in range(500):
                if server.started:
                    break
                time.sleep(0.01)
            url = f"http://127.0.0.1:{listener.getsockname()[1]}"
            httpx.get(f"{url}/health/live", headers={"X-Correlation-ID": "trace-42"})
            httpx.get(f"{url}/positions", headers={"Authorization": "Bearer not-a-token"})
        finally:
            server.should_exit = True
            thread.join(10)
            listener.close()
    finally:
        application.close()
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]  # every line is JSON
    by_logger: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        by_logger.setdefault(line["logger"], []).append(line)
    assert any("Started server process" in line.get("message", "") for line in by_logger["uvicorn.error"])
    ours = by_logger["mutasi.http.access"]
    assert {"path": "/health/live", "correlation_id": "trace-42", "status": 200}.items() <= ours[0].items()
    uvicorn_access = by_logger["uvicorn.access"]
    assert {
        "method": "GET",
        "path": "/health/live",
        "status": 200,
        "correlation_id": "trace-42",
    }.items() <= uvicorn_access[0].items()
    refused = uvicorn_access[1]
    assert refused["status"] == 401 and re.fullmatch(r"[0-9a-f]{32}", refused["correlation_id"])
    assert all("time" in line and "level" in line for line in lines)


def test_a_plain_log_line_with_a_traceback_is_one_json_line() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord(
            "uvicorn.error",
            logging.ERROR,
            __file__,
            1,
            "Exception in %s",
            ("app",),
            exc_info=__import__("sys").exc_info(),
        )
    line = JsonLines().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "Exception in app" and "RuntimeError: boom" in entry["exception"]


# -- .env -----------------------------------------------------------------------------------------------


def test_settings_read_a_dot_env_file_and_the_environment_wins(tmp_path: Path, monkeypatch) -> None:
    for name in (
        "MUTASI_SQLITE_PATH",
        "MUTASI_RULES__MIN_TENURE_YEARS",
        "MUTASI_CORS_ORIGINS",
        "MUTASI_METRICS_ENABLED",
        "MUTASI_PORT",
    ):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text(
        "MUTASI_SQLITE_PATH=from-dotenv.sqlite3\nMUTASI_RULES__MIN_TENURE_YEARS=3\n"
        f"MUTASI_CORS_ORIGINS={BROWSER}\nMUTASI_METRICS_ENABLED=true\nMUTASI_PORT=8100\nPOSTGRES_PASSWORD=x\n"
    )
    monkeypatch.chdir(tmp_path)
    settings, api = Settings(), ApiSettings()
    assert settings.sqlite_path == Path("from-dotenv.sqlite3") and settings.rules.min_tenure_years == 3
    assert api.cors_origins == (BROWSER,) and api.metrics_enabled and api.port == 8100
    monkeypatch.setenv("MUTASI_PORT", "8200")
    assert ApiSettings().port == 8200
    assert Settings(_env_file=None).sqlite_path == Path("mutasi.sqlite3")
    assert ApiSettings(_env_file=None).port == 8200 and not ApiSettings(_env_file=None).metrics_enabled
