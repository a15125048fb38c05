"""Audit test support: a register with a back-dated transfer, and direct SQL tampering on either store."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from application.audit.signing import load_private_key
from application.audit.storage import signing_key_path
from application.persistence.connections import postgres_conninfo
from application.service import MutasiApplication
from application.settings import Settings
from domain.calendar import add_working_days
from domain.proposal import Override
from tests import scenario as s


@dataclass
class Transfer:
    """A register with one executed transfer whose decree takes effect before it was recorded."""

    employee_id: UUID
    origin_id: UUID
    target_id: UUID
    round_id: UUID
    before_execution: datetime


def back_dated_transfer(app: MutasiApplication) -> Transfer:
    """Employee 1 placed in 2020, moved by a decree effective 1 March 2026, recorded later (now)."""
    origin = s.position(app, "Analis Keuangan")
    target = s.position(app, "Analis Anggaran", unit="Bappeda")
    employee_id = s.employee(app, 1, origin)
    s.employee(app, 2, origin)
    round_id = s.mutation_round(app)
    proposal_id = s.approved(app, round_id, employee_id, target)
    decided_on = app.today()  # the decision happens today; its decree, back-dated, follows the window
    app.announce(s.PPK, round_id, decided_on)
    signed_on, tmt = add_working_days(decided_on, 4), date(2026, 3, 1)
    s.advance(app, signed_on)
    back_dated = (
        (Override("decree_dates", "the decree confirms a transfer in effect since 1 March", s.OPERATOR.official),)
        if signed_on > tmt
        else ()
    )
    app.issue_decree(s.PPK, round_id, proposal_id, "821.2/001/2026", signed_on, tmt, back_dated)
    s.advance(app, max(signed_on, tmt))
    moment = datetime.now(UTC)
    app.execute_transfer(s.OPERATOR, round_id, proposal_id)
    return Transfer(employee_id, origin, target, round_id, moment)


def public_key(settings: Settings):
    """The public half of the store's signing key."""
    return load_private_key(signing_key_path(settings)).public_key()


class Tamper:
    """Changes the events table behind the application's back, as an attacker with SQL access would."""

    def __init__(self, settings: Settings, table: str) -> None:
        self.settings = settings
        self.table = table
        self.sqlite = settings.store == "sqlite"

    @contextmanager
    def _conn(self) -> Iterator[Any]:
        if self.sqlite:
            conn = sqlite3.connect(str(self.settings.sqlite_path), isolation_level=None)
            try:
                yield conn
            finally:
                conn.close()
        else:
            with psycopg.connect(postgres_conninfo(self.settings), autocommit=True) as conn:
                yield conn

    def _run(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._conn() as conn:
            if self.sqlite:
                cursor = conn.execute(query.format(t=self.table, id="rowid").replace("%s", "?"), params)
                return cursor.fetchall()
            table = sql.Identifier(self.settings.postgres_schema, self.table)
            cursor = conn.execute(sql.SQL(query.format(t="{t}", id="notification_id")).format(t=table), params)
            return cursor.fetchall() if cursor.description else []

    def _key(self, aggregate_id: UUID) -> Any:
        return aggregate_id.hex if self.sqlite else aggregate_id

    def row(self, aggregate_id: UUID, version: int) -> tuple[int, str, dict[str, Any]]:
        """(position, topic, state) of one stored event."""
        [(position, topic, state)] = self._run(
            "SELECT {id}, topic, state FROM {t} WHERE originator_id = %s AND originator_version = %s",
            (self._key(aggregate_id), version),
        )
        return position, topic, json.loads(bytes(state))

    def last_version(self, aggregate_id: UUID) -> int:
        """The aggregate's last stored version."""
        [(version,)] = self._run(
            "SELECT MAX(originator_version) FROM {t} WHERE originator_id = %s", (self._key(aggregate_id),)
        )
        return version

    def max_position(self) -> int:
        """The last store position."""
        [(position,)] = self._run("SELECT MAX({id}) FROM {t}")
        return position

    def edit(self, aggregate_id: UUID, version: int, change: Callable[[dict[str, Any]], None]) -> None:
        """Rewrite one event's state with `change` applied."""
        _, _, state = self.row(aggregate_id, version)
        change(state)
        self._run(
            "UPDATE {t} SET state = %s WHERE originator_id = %s AND originator_version = %s",
            (json.dumps(state).encode(), self._key(aggregate_id), version),
        )

    def delete(self, aggregate_id: UUID, version: int) -> None:
        """Delete one event."""
        self._run(
            "DELETE FROM {t} WHERE originator_id = %s AND originator_version = %s", (self._key(aggregate_id), version)
        )

    def insert(self, aggregate_id: UUID, version: int, topic: str, state: dict[str, Any]) -> None:
        """Insert an event (it gets the next store position)."""
        self._run(
            "INSERT INTO {t} (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)",
            (self._key(aggregate_id), version, topic, json.dumps(state).encode()),
        )

    def swap(self, aggregate_id: UUID, first: int, second: int) -> None:
        """Swap the topics and states of two events of one aggregate."""
        _, topic_a, state_a = self.row(aggregate_id, first)
        _, topic_b, state_b = self.row(aggregate_id, second)
        for version, topic, state in ((first, topic_b, state_b), (second, topic_a, state_a)):
            self._run(
                "UPDATE {t} SET topic = %s, state = %s WHERE originator_id = %s AND originator_version = %s",
                (topic, json.dumps(state).encode(), self._key(aggregate_id), version),
            )

    def swap_positions(self, first: int, second: int) -> None:
        """Swap the store positions of two events (reorders the global order, not the aggregates)."""
        for old, new in ((first, -1), (second, first), (-1, second)):
            self._run("UPDATE {t} SET {id} = %s WHERE {id} = %s", (new, old))

    def truncate_after(self, position: int) -> None:
        """Delete every event after `position` (the tail of the store)."""
        self._run("DELETE FROM {t} WHERE {id} > %s", (position,))
