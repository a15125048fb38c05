"""Running `mutasi` as the deployment does: as child processes with an environment of their own."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
"""The virtual environment's scripts (`mutasi`, `python`): what `pip install` puts on the PATH."""


def clean_environment(extra: Mapping[str, str] = {}) -> dict[str, str]:
    """The test runner's environment without any MUTASI_ setting, the venv first on PATH, plus `extra`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("MUTASI_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    return {**env, **extra}


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Running:
    """A child process whose output lines are collected as they come (stdout and stderr together)."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], cwd: Path) -> None:
        self.argv = list(argv)
        self.process = subprocess.Popen(
            self.argv, env=dict(env), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for_line(self, starting: str, timeout: float = 60) -> str:
        """The first output line that starts with `starting`; fails if the process ends or time runs out."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"{self.argv}: no line {starting!r} in {timeout} s:\n{self.output}") from None
            if line is None:
                raise AssertionError(f"{self.argv} ended ({self.process.wait()}) before {starting!r}:\n{self.output}")
            self.lines.append(line)
            if line.startswith(starting):
                return line

    @property
    def output(self) -> str:
        """What it printed so far (as far as read)."""
        while True:
            try:
                line = self._queue.get_nowait()
            except queue.Empty:
                break
            if line is None:
                self._queue.put(None)
                break
            self.lines.append(line)
        return "\n".join(self.lines)

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, as `docker compose stop` sends; its exit status (killed if it ignores it)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"{self.argv} did not stop on SIGTERM within {timeout} s:\n{self.output}") from None

    def kill(self) -> None:
        """Make sure it is gone (a test that failed half-way)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=5)


def wait_until_ready(url: str, running: Running, timeout: float = 60) -> None:
    """Poll `url` until it answers 200 (a server starting in another process); fail if it dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise AssertionError(f"{running.argv} ended ({running.process.returncode}):\n{running.output}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} not ready in {timeout} s:\n{running.output}")


def run(argv: Sequence[str], env: Mapping[str, str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run to completion, output captured."""
    return subprocess.run(list(argv), env=dict(env), cwd=cwd, capture_output=True, text=True, timeout=timeout)
