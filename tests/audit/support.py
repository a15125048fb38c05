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


def legacy_checkpoint(app: MutasiApplication, settings: Settings) -> Any:
    """Sign one segment checkpoint over the events no checkpoint covers, as versions before the signed tree
    head did (stored in `mutasi_audit_checkpoints`); returns it, None when nothing is new."""
    from application.audit.merkle import leaf, root
    from application.audit.records import Checkpoint
    from application.audit.replay import feed_all
    from application.audit.signing import fingerprint, sign
    from application.audit.storage import _COLUMNS, TABLE, AuditStorage
    from application.persistence.chain import GENESIS

    storage = AuditStorage(app.stores)
    key = load_private_key(signing_key_path(settings))
    kept = storage.checkpoints()
    last = kept[-1] if kept else None
    events = list(feed_all(app, last.last if last else 0))
    if not events:
        return None
    checkpoint = Checkpoint(
        sequence=(last.sequence + 1) if last else 1,
        first=(last.last if last else 0) + 1,
        last=events[-1].position,
        count=len(events),
        root=root([leaf(e.position, e.link[1]) for e in events]),
        previous=last.digest() if last else GENESIS,
        created_at=datetime.now(UTC).isoformat(),
        key=fingerprint(key.public_key()),
    )
    checkpoint = checkpoint.signed(sign(key, checkpoint.payload()))
    marks = ", ".join(["{p}"] * len(_COLUMNS))
    storage._execute(
        f"INSERT INTO {{t}} ({', '.join(_COLUMNS)}) VALUES ({marks})",
        TABLE,
        tuple(getattr(checkpoint, c) for c in _COLUMNS),
    )
    return checkpoint


def legacy_bundle(app: MutasiApplication, settings: Settings, lines: list[str]) -> list[str]:
    """A format-2 bundle's lines rewritten as a `mutasi-audit-bundle/1` of earlier versions: one segment
    checkpoint over the whole store and each event's Merkle proof into it, the manifest signed again."""
    from application.audit.bundle import FORMAT, manifest_payload
    from application.audit.merkle import leaf, levels

    def proof(tree: list[list[bytes]], index: int) -> list[str]:  # "L<hex>"/"R<hex>" siblings, leaf up
        path = []
        for level in tree[:-1]:
            if index ^ 1 < len(level):
                path.append(("L" if index ^ 1 < index else "R") + level[index ^ 1].hex())
            index //= 2
        return path

    from application.audit.replay import feed_all
    from application.audit.signing import sign

    checkpoint = legacy_checkpoint(app, settings)
    segment = list(feed_all(app))
    tree = levels([leaf(e.position, e.link[1]) for e in segment])
    index = {e.position: i for i, e in enumerate(segment)}
    manifest = {k: v for k, v in json.loads(lines[0]).items() if k not in ("type", "signature")}
    manifest["format"] = FORMAT
    manifest["signature"] = sign(load_private_key(signing_key_path(settings)), manifest_payload(manifest))
    out = [json.dumps({"type": "manifest", **manifest}), json.dumps({"type": "checkpoint", **checkpoint.__dict__})]
    for text in lines[1:]:
        line = json.loads(text)
        if line["type"] != "event":
            continue
        del line["leaf_index"], line["tree_proof"]
        line["checkpoint"], line["proof"] = checkpoint.sequence, proof(tree, index[line["position"]])
        out.append(json.dumps(line))
    return out
