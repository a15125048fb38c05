"""A process killed (SIGKILL) at each point of a keyed command, and at random moments of a stream of
them, on both stores: after the client's retries, every command is recorded exactly once, every
acknowledged answer is the one recorded, and no key is stuck."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import pytest

from application.service import MutasiApplication
from application.settings import Settings
from domain.vocabulary import Rank
from tests.faults.child import plan
from tests.scenario import OPERATOR, nip

ROOT = Path(__file__).resolve().parents[2]
POINTS = {"sqlite": ["inserted", "answered"], "postgres": ["committing", "committed", "answered"]}
COMMITTED = {"inserted": False, "committing": False, "committed": True, "answered": True}
"""Whether the command's transaction had committed when the process died there."""


def _spawn(settings: Settings, employee_id: UUID, point: str, first: int, count: int) -> subprocess.Popen[str]:
    fields = (
        {"store": settings.store, "sqlite_path": str(settings.sqlite_path)}
        if settings.store == "sqlite"
        else {
            name: getattr(settings, name)
            for name in (
                "store",
                "postgres_host",
                "postgres_port",
                "postgres_user",
                "postgres_dbname",
                "postgres_schema",
            )
        }
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.faults.child",
            json.dumps(fields),
            str(employee_id),
            point,
            str(first),
            str(count),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def _titles(app: MutasiApplication, employee_id: UUID) -> list[str]:
    return sorted(plan.title for plan in app.get_employee(employee_id).development.values())


@pytest.fixture
def registered(app: MutasiApplication) -> UUID:
    return app.register_employee(OPERATOR, nip(4), "Pegawai 4", Rank.III_B).aggregate_id


def test_a_process_killed_at_each_point_of_a_command_leaves_key_and_events_together(
    app: MutasiApplication,
    settings: Settings,
    registered: UUID,
) -> None:
    for i, point in enumerate(POINTS[settings.store]):
        child = _spawn(settings, registered, point, i, 1)
        out, _ = child.communicate(timeout=60)
        assert child.returncode == -signal.SIGKILL and out == ""  # died before answering
        stored = app.answered(OPERATOR.user, f"plan-{i}")
        committed = f"Diklat {i}" in _titles(app, registered)
        assert (stored is not None) == committed == COMMITTED[point]  # both or neither
        retry = plan(app, registered, i)  # the client's retry
        assert retry.status_code == 201
        assert ("Idempotent-Replayed" in retry.headers) == committed
        assert _titles(app, registered).count(f"Diklat {i}") == 1
        assert json.loads(retry.body)["position"] == app.answered(OPERATOR.user, f"plan-{i}").answer.position


def test_a_stream_of_commands_killed_at_random_moments_records_each_once(
    app: MutasiApplication,
    settings: Settings,
    registered: UUID,
) -> None:
    total, acknowledged, first, kills = 150, {}, 0, 0
    rng = random.Random(15)
    while first < total and kills < 4:
        child = _spawn(settings, registered, "none", first, total - first)
        assert child.stdout is not None
        line = child.stdout.readline()  # the child is up and answering
        time.sleep(rng.uniform(0.0, 0.04))  # well inside the stream, which takes longer than this
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate(timeout=60)
        kills += child.returncode == -signal.SIGKILL
        for text in (line + rest).splitlines():
            _, i, status, body = text.split(" ", 3)
            acknowledged[int(i)] = (int(status), json.loads(body))
        first = max(acknowledged, default=-1) + 1
    assert kills >= 1
    for i in range(total):  # every client retries whatever it sent, answered or not
        retry = plan(app, registered, i)
        assert retry.status_code == 201
        if i in acknowledged:
            assert acknowledged[i] == (201, json.loads(retry.body))
    titles = _titles(app, registered)
    assert titles == sorted(f"Diklat {i}" for i in range(total))  # 0 doubles, 0 missing
