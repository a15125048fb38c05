"""Breaking the database under a running service: terminate its backends, or cut it off behind a gate.

`tagged(settings)` gives the service's connections an `application_name` of their own (through
`PGAPPNAME`, scoped by `monkeypatch`), so `terminate(tag)` kills exactly them and never another
test's. `Gate` is a TCP forwarder in front of PostgreSQL: `cut()` drops every connection through it
and refuses new ones (the server "went away"), `restore()` lets them through again; the shared server
itself is never restarted.
"""

from __future__ import annotations

import socket
import threading
import time
from uuid import uuid4

import psycopg

from application.persistence.connections import postgres_conninfo
from application.settings import Settings


def new_tag() -> str:
    """An application_name that only this test's connections carry."""
    return f"mutasi-faults-{uuid4().hex[:10]}"


def terminate(settings: Settings, tag: str) -> int:
    """Terminate every backend whose application_name is `tag`, and wait until they are gone (the
    signal is asynchronous); how many there were."""
    with psycopg.connect(postgres_conninfo(settings), autocommit=True, application_name="mutasi-admin") as admin:
        pids = [
            row[0]
            for row in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND pid <> pg_backend_pid()", (tag,)
            ).fetchall()
        ]
        admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (pids,))
        deadline = time.monotonic() + 10
        while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", (pids,)).fetchone()[0]:
            assert time.monotonic() < deadline, "terminated backends did not go away"
            time.sleep(0.01)
    return len(pids)


def backends(settings: Settings, tag: str) -> int:
    """How many backends carry `tag` now."""
    with psycopg.connect(postgres_conninfo(settings), autocommit=True, application_name="mutasi-admin") as admin:
        return admin.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (tag,)).fetchone()[0]


class Gate:
    """A TCP forwarder to PostgreSQL that can be cut (every connection dropped, new ones refused)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 5432) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self.listener.getsockname()[1]
        self.passing = True
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name="gate-accept").start()

    def cut(self) -> None:
        """The server goes away: drop every connection, refuse new ones."""
        self.passing = False
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _close(sock)

    def restore(self) -> None:
        """The server is back."""
        self.passing = True

    def close(self) -> None:
        self._closed = True
        self.cut()
        _close(self.listener)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.passing:
                _close(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True, name="gate-pump").start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _close(source)
        _close(sink)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
