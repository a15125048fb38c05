"""`mutasi demo` against a real service (uvicorn on loopback): the sample is loaded and a round walked."""

from __future__ import annotations

import io
import re
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from api.cli.main import main
from api.http.app import create_app
from api.http.roles import Role
from api.http.security import mint_token
from application.sample import AGENCY
from application.settings import Settings
from tests.api.support import API_SETTINGS, SECRET

pypdf = pytest.importorskip("pypdf")
openpyxl = pytest.importorskip("openpyxl")


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
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "  72 positions in 12 units, 60 employees" in lines
    past = next(line for line in lines if line.startswith("0. a past round written: "))
    assert past.endswith("executed, executed, executed")
    assert any(line.startswith("4. committee recommended and the PPK approved") for line in lines)
    assert any(line.startswith("5. approved list announced; the public sees: ****") for line in lines)
    assert any(line.startswith("6. the objection window is open until") for line in lines)
    walked = next(line for line in lines if line.startswith("8. round announced at version"))
    assert walked.endswith("approved")
    assert lines[lines.index(walked) + 1] == "open:"
    past_id = past.split()[5]
    found = set(re.findall(r"http://\S+?(?=[\s\"']|$)", out))
    site, page = f"{service}/publik", f"{service}/publik/putaran/{past_id}"
    sk = f"{service}/rounds/{past_id}/documents/decree.pdf"
    announcement = f"{service}/public/rounds/{past_id}/announcement.pdf"
    xlsx = f"{service}/public/reports/transparency?format=xlsx"
    assert {site, page, sk, announcement, xlsx} <= found
    assert sum(url.endswith("/announcement.pdf") for url in found) == 2  # the past round's and today's

    token = mint_token(SECRET, Role.OPERATOR, "siti", agencies=(AGENCY,))
    with httpx.Client(timeout=30) as http:
        decree = http.get(sk, headers={"Authorization": f"Bearer {token}"})
        assert decree.status_code == 200 and decree.headers["content-type"] == "application/pdf"
        assert "KEPUTUSAN" in _text(decree.content) and "800.1.6.4/001/" in _text(decree.content)
        for url in (u for u in found if u.endswith("/announcement.pdf")):
            published = http.get(url)
            assert published.status_code == 200 and published.headers["content-type"] == "application/pdf"
            assert "PENGUMUMAN" in _text(published.content).upper()
        report = _eventually(http, xlsx, lambda answer: b"PK" == answer.content[:2])
        book = openpyxl.load_workbook(io.BytesIO(report.content))
        assert len(book.sheetnames) >= 2
        assert _eventually(http, site, lambda answer: past_id in answer.text).status_code == 200
        shown = _eventually(http, page, lambda answer: answer.status_code == 200 and "800.1.6.4/" in answer.text)
        public = http.get(f"{service}/public/rounds/{past_id}/announcement").json()
        names = [t["name"] for t in public["transfers"]]
        assert len(names) == 3 and all(name in shown.text for name in names)

    assert main(["demo", "--base-url", service, "--employees", "60"]) == 0  # the register is kept
    again = capsys.readouterr().out
    assert "  72 positions in 12 units, 60 employees" in again
    assert f"0. a past round already there: {past_id} " in again  # not written twice


def _text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _eventually(http: httpx.Client, url: str, ready, seconds: float = 20.0) -> httpx.Response:
    """The answer of `url` once `ready` (the views follow the store within about a second)."""
    deadline = time.monotonic() + seconds
    while True:
        answer = http.get(url)
        if ready(answer) or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def test_the_demo_says_when_the_service_is_not_running(capsys) -> None:
    unused = socket.socket()
    unused.bind(("127.0.0.1", 0))
    port = unused.getsockname()[1]
    unused.close()
    assert main(["demo", "--base-url", f"http://127.0.0.1:{port}"]) == 2
    assert "is `mutasi serve` running?" in capsys.readouterr().out
