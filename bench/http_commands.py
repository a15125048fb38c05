"""Benchmark 3: commands over HTTP: `mutasi serve` (uvicorn) on loopback, 16 concurrent clients.

    python -m bench.http_commands [--requests 3200] [--clients 16] [--runs 3] [--client light httpx] [--keep]

Each client registers employees with `POST /employees` as an operator over one keep-alive
connection; reports commands/s, p50/p99 latency and the CPU milliseconds per command of the server
and of the load generator. Two load generators run one after the other against the same server:
`light` (coroutines writing HTTP/1.1 on one event loop) and `httpx` (a thread per client). On a
2-core machine the load generator shares the cores with the server and PostgreSQL; httpx costs
about 0.7 ms of CPU per request and its 16 threads queue for one GIL, which shows in the latencies.
For scale, each run first measures raw single-row insert-and-commit from as many connections as
there are clients (the WAL flush every command waits for), in this process.

`--runs` runs (default 3) each start a fresh store and server. Every run records, per client, its
figures with the load average before and after it and how busy the machine's cores were meanwhile
(`machine_busy_cores`: the server, the load generator, PostgreSQL and whatever else runs there;
`others_busy_cores`: all but the server and the load generator), so that a slow run on a shared
machine shows as such. Target (issue 19): p99 < 20 ms and at least 1,200 commands/s in every run;
`summary` says per client whether every run met it. The server runs as its own process on
127.0.0.1 (a free port) and is stopped at the end of its run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from typing import Any
from uuid import uuid4

import httpx

from api.http.roles import Role
from api.http.security import mint_token
from bench.commands import SHAPE, in_threads, nip
from bench.common import child_env, connect, fresh_store, percentiles, save_result
from domain.official import NATIONAL


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(settings, secret: str) -> dict[str, str]:
    """The server's environment: the benchmark store, a fresh JWT secret (only for the child)."""
    return child_env(settings, MUTASI_POSTGRES_POOL_SIZE="16", MUTASI_JWT_SECRET=secret)


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process so far, from /proc (Linux), with its threads and children."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


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


TARGET_P99_MS = 20.0
TARGET_COMMANDS_PER_S = 1200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3200)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3, help="runs, each on a fresh store and server")
    parser.add_argument(
        "--client",
        nargs="+",
        choices=sorted(CLIENTS),
        default=["light", "httpx"],
        help="load generators, run one after the other against the same server",
    )
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    runs = []
    for run in range(1, args.runs + 1):
        print(f"run {run} of {args.runs}, load average {_load()}")
        runs.append({"run": run, **one_run(args.requests, args.clients, args.client, args.keep)})
    save_result(
        "http_commands",
        {
            "requests": args.requests,
            "clients": args.clients,
            "target": {"p99_ms_below": TARGET_P99_MS, "commands_per_s_at_least": TARGET_COMMANDS_PER_S},
            "summary": summary(runs, args.client),
            "runs": runs,
        },
    )


def one_run(requests: int, clients: int, generators: list[str], keep: bool) -> dict[str, Any]:
    """A fresh store and server: the raw insert+commit baseline, then each load generator in turn."""
    secret, port = secrets.token_urlsafe(32), free_port()
    token = mint_token(secret, Role.OPERATOR, "bench-operator", agencies=(NATIONAL,))
    base = f"http://127.0.0.1:{port}"
    with fresh_store("http", keep) as settings:
        server = subprocess.Popen(
            [sys.executable, "-m", "api.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=server_env(settings, secret),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_ready(base, token, server)
            figures: dict[str, Any] = {"raw_insert_commit": raw_commits(settings, requests, clients)}
            for n, client in enumerate(generators):
                load_before, busy = _load(), busy_seconds()
                server_cpu, client_cpu, began = cpu_seconds(server.pid), time.process_time(), time.perf_counter()
                result = CLIENTS[client](base, token, requests, clients, 500_000 * (n + 1))
                elapsed = time.perf_counter() - began
                server_cpu, client_cpu = cpu_seconds(server.pid) - server_cpu, time.process_time() - client_cpu
                busy = busy_seconds() - busy
                result["server_cpu_ms_per_command"] = round(server_cpu * 1000 / requests, 3)
                result["client_cpu_ms_per_command"] = round(client_cpu * 1000 / requests, 3)
                result["machine_busy_cores"] = round(busy / elapsed, 2)
                result["others_busy_cores"] = round((busy - server_cpu - client_cpu) / elapsed, 2)
                result["load_average_before"], result["load_average_after"] = load_before, _load()
                figures[client] = result
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return figures


def summary(runs: list[dict[str, Any]], generators: list[str]) -> dict[str, dict[str, Any]]:
    """Per client: each run's commands/s and p99, the worst of them, and whether every run met the target."""
    result: dict[str, dict[str, Any]] = {}
    for client in generators:
        figures = [run[client] for run in runs if isinstance(run.get(client), dict)]
        rates = [f["commands_per_s"] for f in figures]
        p99s = [f["p99_ms"] for f in figures]
        result[client] = {
            "commands_per_s": rates,
            "p50_ms": [f["p50_ms"] for f in figures],
            "p99_ms": p99s,
            "server_cpu_ms_per_command": [f["server_cpu_ms_per_command"] for f in figures],
            "load_average_1min": [f["load_average_before"][0] for f in figures],
            "others_busy_cores": [f["others_busy_cores"] for f in figures],
            "meets_p99": all(p < TARGET_P99_MS for p in p99s),
            "meets_rate": all(r >= TARGET_COMMANDS_PER_S for r in rates),
        }
    return result


def _load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def busy_seconds() -> float:
    """CPU seconds the whole machine spent busy so far (every core, every process), from /proc/stat."""
    fields = [int(value) for value in open("/proc/stat").readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")  # guest time is already in user time


def raw_commits(settings, rows: int, clients: int) -> dict[str, float]:
    """The floor under a command's latency at this moment: raw single-row insert-and-commit (one WAL
    flush each) from as many connections as there are clients, as in benchmark 2."""
    conns = [connect(settings) for _ in range(clients)]
    try:
        conns[0].execute(SHAPE)
        conns[0].commit()

        def insert(writer: int, i: int) -> None:
            conns[writer].execute(
                "INSERT INTO raw_target (originator_id, originator_version, topic, state) VALUES (%s, 1, %s, %s)",
                (uuid4(), "domain.employee:Employee.Registered", b"x" * 600),
            )
            conns[writer].commit()

        seconds, latencies = in_threads(clients, rows // clients, insert)
    finally:
        for conn in conns:
            conn.close()
    quantiles = percentiles(latencies)
    print(f"raw insert+commit: {len(latencies) / seconds:.0f} rows/s, {quantiles}")
    return {"rows_per_s": round(len(latencies) / seconds), **{f"{k}_ms": round(v, 2) for k, v in quantiles.items()}}


def body(k: int) -> dict[str, str]:
    """The k-th registration (distinct NIPs for every client and every request)."""
    return {"nip": nip(k), "name": f"Pegawai {k}", "rank": "III/a"}


def run_httpx_clients(base: str, token: str, requests: int, clients: int, first: int) -> dict[str, object]:
    """Each client a thread with one keep-alive httpx connection (httpx's own CPU shares the cores)."""
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
                k = first + index * per_client + i
                began = time.perf_counter()
                response = http.post("/employees", json=body(k))
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
    return _figures("httpx", latencies, failures, time.perf_counter() - began)


def run_light_clients(base: str, token: str, requests: int, clients: int, first: int) -> dict[str, object]:
    """Each client a coroutine on one event loop writing HTTP/1.1 to its own keep-alive connection:
    a load generator light enough (a tenth of httpx's CPU per request, no GIL hand-offs between
    client threads) that the latencies are the server's rather than the client's."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    per_client = requests // clients
    latencies: list[float] = []
    failures: list[int] = []

    async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
        await reader.readexactly(length)
        return int(lines[0].split()[1])

    def post(k: int) -> bytes:
        payload = json.dumps(body(k)).encode()
        return (
            f"POST /employees HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        ).encode() + payload

    async def client(index: int, start: asyncio.Event, ready: list[int]) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        await exchange(reader, writer, f"GET /health/live HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        ready.append(index)
        await start.wait()
        for i in range(per_client):
            request = post(first + index * per_client + i)
            began = time.perf_counter()
            status = await exchange(reader, writer, request)
            latencies.append((time.perf_counter() - began) * 1000)
            if status != 201:
                failures.append(status)
        writer.close()

    async def run() -> float:
        start, ready = asyncio.Event(), []
        tasks = [asyncio.create_task(client(c, start, ready)) for c in range(clients)]
        while len(ready) < clients:
            await asyncio.sleep(0.01)  # connections opening (before the clock starts)
        began = time.perf_counter()
        start.set()
        await asyncio.gather(*tasks)
        return time.perf_counter() - began

    return _figures("light", latencies, failures, asyncio.run(run()))


def _figures(client: str, latencies: list[float], failures: list[int], seconds: float) -> dict[str, object]:
    quantiles = percentiles(latencies)
    print(f"{client}: {len(latencies) / seconds:.0f} commands/s, {quantiles}, failures {len(failures)}")
    return {
        "commands_per_s": round(len(latencies) / seconds),
        "failures": len(failures),
        **{f"{k}_ms": round(v, 2) for k, v in quantiles.items()},
    }


CLIENTS = {"light": run_light_clients, "httpx": run_httpx_clients}


if __name__ == "__main__":
    main()
