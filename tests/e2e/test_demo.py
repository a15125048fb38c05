"""`mutasi demo` against a real service (uvicorn on loopback): the sample is loaded and a round walked."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import uvicorn

from api.cli.main import main
from api.http.app import create_app
from application.settings import Settings
from tests.api.support import API_SETTINGS, SECRET


@pytest.fixture
def service(sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The service on a loopback port; its socket listens before the server starts, so no waiting."""
    monkeypatch.setenv("MUTASI_SQLITE_PATH", str(sqlite_settings.sqlite_path))
    monkeypatch.setenv("MUTASI_JWT_SECRET", SECRET)
    listener = socket.socket()
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as uvicorn's own sockets: no Nagle delay
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(sqlite_settings, None, API_SETTINGS), log_config=None, access_log=False, lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]})
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join()
        listener.close()


def test_the_demo_walks_a_round_against_the_running_service(service: str, capsys) -> None:
    assert main(["demo", "--base-url", service, "--employees", "60"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "  72 positions in 12 units, 60 employees" in lines
    assert any(line.startswith("4. committee recommended and the PPK approved") for line in lines)
    assert any(line.startswith("5. approved list announced; the public sees: ****") for line in lines)
    assert any(line.startswith("6. the objection window is open until") for line in lines)
    assert lines[-1].startswith("8. round announced at version") and lines[-1].endswith("approved")

    assert main(["demo", "--base-url", service, "--employees", "60"]) == 0  # the register is kept
    assert "  72 positions in 12 units, 60 employees" in capsys.readouterr().out


def test_the_demo_says_when_the_service_is_not_running(capsys) -> None:
    unused = socket.socket()
    unused.bind(("127.0.0.1", 0))
    port = unused.getsockname()[1]
    unused.close()
    assert main(["demo", "--base-url", f"http://127.0.0.1:{port}"]) == 2
    assert "is `mutasi serve` running?" in capsys.readouterr().out
