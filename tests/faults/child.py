"""A process that runs keyed commands until it is killed (for `test_keys_through_crashes.py`).

    python -m tests.faults.child SETTINGS_JSON EMPLOYEE_ID KILL_POINT FIRST COUNT

Each command plans development activity "Diklat <i>" with key "plan-<i>" through the API's own
`CommandContext.run`; after each answer it prints `ack <i> <body>`. KILL_POINT names where the
process SIGKILLs itself, once: a recorder's fault point ("inserted" on SQLite; "committing" or
"committed" on PostgreSQL), "answered" (the command returned, its answer not yet given), or "none".
"""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import date
from typing import Any
from uuid import UUID

from api.http.deps import CommandContext
from application.bootstrap import open_application
from application.service import MutasiApplication
from application.settings import Settings
from domain.vocabulary import DevelopmentActivity
from tests.scenario import OPERATOR


def plan(app: MutasiApplication, employee_id: UUID, i: int) -> Any:
    """Plan "Diklat <i>" with key "plan-<i>", as the route does; the HTTP response."""
    context = CommandContext(OPERATOR, None, f"plan-{i}", f"fingerprint-{i}", app)
    return context.run(
        lambda actor, expected: app.plan_development(
            actor,
            employee_id,
            DevelopmentActivity.TRAINING,
            f"Diklat {i}",
            None,
            8,
            date(2026, 9, 30),
            expected_version=expected,
        ),
        201,
    )


def _die(*_: object) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(argv: list[str]) -> None:
    settings = Settings(_env_file=None, **json.loads(argv[0]))
    employee_id, point, first, count = UUID(argv[1]), argv[2], int(argv[3]), int(argv[4])
    app = open_application(settings)
    if point not in ("none", "answered"):
        app.recorder.fault_point = lambda at, _: _die() if at == point else None  # type: ignore[attr-defined]
    for i in range(first, first + count):
        response = plan(app, employee_id, i)
        if point == "answered":
            _die()
        print(f"ack {i} {response.status_code} {response.body.decode()}", flush=True)
    app.close()


if __name__ == "__main__":
    main(sys.argv[1:])
