"""Crash safety: a projection process killed (SIGKILL) in the middle of its work and started again ends
identical to an uninterrupted build: no event missed, none applied twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from application.sample import load_sample
from application.settings import Settings
from projections.admin import rebuild
from projections.catalogue import VIEWS
from projections.queries import ReadModels
from tests.projections.conftest import dump
from tests.projections.flow import walk

ROOT = Path(__file__).resolve().parents[2]


def _environment(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUTASI_")}
    env.update(
        MUTASI_STORE=settings.store,
        MUTASI_SQLITE_PATH=str(settings.sqlite_path),
        MUTASI_POSTGRES_HOST=settings.postgres_host,
        MUTASI_POSTGRES_PORT=str(settings.postgres_port),
        MUTASI_POSTGRES_USER=settings.postgres_user,
        MUTASI_POSTGRES_DBNAME=settings.postgres_dbname,
        MUTASI_POSTGRES_SCHEMA=settings.postgres_schema,
    )
    return env


def _projections(settings: Settings, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli.main", "projections", "run", *args],
        cwd=ROOT,
        env=_environment(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_process_killed_mid_batch_and_restarted_ends_as_an_uninterrupted_run(settings: Settings, app) -> None:
    walk(app)
    load_sample(app, seed=7, employees=400)  # enough events that each kill lands well before the end
    head = app.recorder.max_notification_id()
    read = ReadModels(settings)
    try:
        killed_at = []
        for _ in range(2):  # killed twice while catching up in batches of 3 events
            process = _projections(settings, "--batch-size", "3", "--poll-interval", "0.05")
            try:
                start = min(read.wait_for(name, 1, timeout=60) for name in ("register", "merit"))
                read.wait_for("register", start + 30, timeout=60)
            finally:
                process.send_signal(signal.SIGKILL)
                process.wait(30)
            killed_at.append({name: read.position(name) for name in VIEWS})
        assert all(min(at.values()) < head for at in killed_at), killed_at  # killed before it was done
        finished = _projections(settings, "--once", "--batch-size", "3")
        _, errors = finished.communicate(timeout=120)
        assert finished.returncode == 0, errors.decode()
        assert {name: read.position(name) for name in VIEWS} == {name: head for name in VIEWS}
        restarted = dump(read)
        rebuild(settings, grace=0)  # a new version of every view, built in one uninterrupted run
        assert {name: read.view(name).version for name in VIEWS} == {name: 2 for name in VIEWS}
        assert dump(read) == restarted
    finally:
        read.close()
