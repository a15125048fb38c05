"""Benchmark 3: commands over HTTP: `mutasi serve` (uvicorn) on loopback, 16 concurrent clients.

    python -m bench.http_commands [--requests 3200] [--clients 16] [--keep]

Each client (a thread with one keep-alive httpx connection) registers employees with
`POST /employees` as an operator; reports commands/s and p50/p99 latency. Target: p99 < 25 ms.
The server runs as its own process on 127.0.0.1 (a free port) and is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import threading
import time

import httpx

from api.http.roles import Role
from api.http.security import mint_token
from bench.commands import nip
from bench.common import fresh_store, percentiles, save_result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(settings, secret: str) -> dict[str, str]:
    """The server's environment: the benchmark store, a fresh JWT secret (only for the child)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUTASI_")}
    env.update({
        "MUTASI_STORE": "postgres", "MUTASI_POSTGRES_HOST": settings.postgres_host,
        "MUTASI_POSTGRES_PORT": str(settings.postgres_port), "MUTASI_POSTGRES_USER": settings.postgres_user,
        "MUTASI_POSTGRES_PASSWORD": settings.postgres_password.get_secret_value(),
        "MUTASI_POSTGRES_DBNAME": settings.postgres_dbname, "MUTASI_POSTGRES_SCHEMA": settings.postgres_schema,
        "MUTASI_POSTGRES_POOL_SIZE": "16", "MUTASI_JWT_SECRET": secret,
    })
    return env


def wait_ready(base: str, token: str, process: subprocess.Popen, limit: float = 60.0) -> None:
    """Poll /health/ready until the server answers 200 (bounded)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        try:
            if httpx.get(f"{base}/health/ready", headers={"Authorization": f"Bearer {token}"}).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError("the server did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3200)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    secret, port = secrets.token_urlsafe(32), free_port()
    token = mint_token(secret, Role.OPERATOR, "bench-operator")
    base = f"http://127.0.0.1:{port}"
    with fresh_store("http", args.keep) as settings:
        server = subprocess.Popen(
            [sys.executable, "-m", "api.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=server_env(settings, secret), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ready(base, token, server)
            figures = run_clients(base, token, args.requests, args.clients)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    save_result("http_commands", {"requests": args.requests, "clients": args.clients, **figures,
                                  "target_p99_ms": 25})


def run_clients(base: str, token: str, requests: int, clients: int) -> dict[str, object]:
    per_client = requests // clients
    latencies: list[float] = []
    failures: list[int] = []
    lock, start = threading.Lock(), threading.Barrier(clients + 1)

    def client(index: int) -> None:
        mine, bad = [], []
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
            http.get("/health/live")  # open the connection before the clock starts
            start.wait()
            for i in range(per_client):
                k = 500_000 + index * per_client + i
                began = time.perf_counter()
                response = http.post("/employees", json={"nip": nip(k), "name": f"Pegawai {k}", "rank": "III/a"})
                mine.append((time.perf_counter() - began) * 1000)
                if response.status_code != 201:
                    bad.append(response.status_code)
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    quantiles = percentiles(latencies)
    print(f"{len(latencies) / seconds:.0f} commands/s, {quantiles}, failures {len(failures)}")
    return {"commands_per_s": round(len(latencies) / seconds), "failures": len(failures),
            **{f"{k}_ms": round(v, 2) for k, v in quantiles.items()}}


if __name__ == "__main__":
    main()
