"""Verification never says OK over what it did not check: vanished checkpoints, deleted tails, an
uncovered tail older than the bound, a head kept from earlier that the store no longer reaches, and a
change inside a checkpoint named by its event (SQLite and PostgreSQL; the CLI exits 1)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

import pytest

from api.cli.main import main
from api.http.roles import Role
from application.audit.checkpoints import make_checkpoints
from application.audit.checks import read_head
from application.audit.export import Scope, export_bundle
from application.audit.records import Checkpoint
from application.audit.storage import AuditStorage
from application.audit.verify import verify_record
from application.persistence.chain import event_hash
from application.settings import Settings
from tests import scenario as s
from tests.api.support import running_api
from tests.audit.support import Tamper, public_key

PENDING = "run `mutasi audit checkpoint`"


@dataclass
class Register:
    """A small register wholly covered by checkpoint 1 (positions 1..`covered`), and the tools to tamper."""

    archivist: UUID  # a position whose only event comes first
    employee: UUID
    covered: int
    tamper: Tamper
    settings: Settings

    def sql(self, query: str, table: str = "mutasi_audit_checkpoints") -> None:
        """Run `query` on an audit table ({t}) behind the application's back."""
        if self.settings.store == "postgres":
            table = f'"{self.settings.postgres_schema}".{table}'
        with self.tamper._conn() as conn:
            conn.execute(query.format(t=table))

    def checkpoints(self) -> list[Checkpoint]:
        return AuditStorage(self.settings).checkpoints()


@pytest.fixture
def register(app, settings) -> Register:
    archivist = s.position(app, "Arsiparis")
    employee = s.employee(app, 1, s.position(app, "Analis Keuangan"))
    make_checkpoints(app)
    tamper = Tamper(settings, app.recorder.events_table_name)
    return Register(archivist, employee, tamper.max_position(), tamper, settings)


def _verify(app, settings, expected: Checkpoint | None = None, now: datetime | None = None):
    return verify_record(app, AuditStorage(settings).checkpoints(), public_key(settings), expected, now)


def _recorded_at(tamper: Tamper, aggregate_id, version: int) -> datetime:
    return datetime.fromisoformat(tamper.row(aggregate_id, version)[2]["__meta__"]["recorded_at"])


def _forge_last(register: Register) -> tuple[int, int]:
    """Edit the employee's last event and recompute its hash (nothing chains to it): (position, version)."""
    tamper, employee = register.tamper, register.employee
    version = tamper.last_version(employee)
    position, topic, _ = tamper.row(employee, version)

    def forge(state):
        state["year"] = 2019
        state["__chain__"]["hash"] = event_hash(state["__chain__"]["previous"], topic, employee, version, state)

    tamper.edit(employee, version, forge)
    return position, version


def test_uncovered_events_are_counted_and_fail_once_older_than_the_bound(app, settings, register) -> None:
    first, _ = s.position(app, "Pranata Komputer"), s.position(app, "Pustakawan")
    result = _verify(app, settings)
    assert result.ok and result.uncovered == 2 and result.events == register.covered + 2
    oldest = _recorded_at(register.tamper, first, 1)
    assert _verify(app, settings, now=oldest + timedelta(seconds=3600)).ok
    late = _verify(app, settings, now=oldest + timedelta(seconds=3601))
    failure = late.failure
    assert failure.reason == (
        f"2 events after position {register.covered} not covered by a signed checkpoint, the oldest recorded at "
        f"{oldest.isoformat()}, more than the bound of 3600 s ago: checkpointing stopped, or the checkpoint "
        f"covering them was deleted ({PENDING})"
    )
    assert (failure.position, failure.originator_id, failure.version, failure.checkpoint) == (
        register.covered + 1,
        first,
        1,
        1,
    )
    assert late.uncovered == 2


def test_a_store_with_events_and_no_checkpoint_fails(app, settings) -> None:
    assert _verify(app, settings).ok  # nothing recorded, nothing to vouch for
    s.position(app, "Arsiparis"), s.position(app, "Pustakawan")
    failure = _verify(app, settings).failure
    assert failure.reason == (
        "the store holds 2 events and no signed checkpoint: nothing vouches for them (the "
        f"checkpoints were deleted, or none was ever made: {PENDING})"
    )


def test_every_checkpoint_deleted_after_an_edit_with_a_recomputed_chain_fails(app, settings, register) -> None:
    [kept] = register.checkpoints()
    position, version = _forge_last(register)
    failure = _verify(app, settings).failure  # the checkpoint still stands: the edit is named
    assert (failure.position, failure.originator_id, failure.version, failure.checkpoint) == (
        position,
        register.employee,
        version,
        1,
    )
    register.sql("DELETE FROM {t}")
    assert _verify(app, settings).failure.reason == (
        f"the store holds {register.covered} events and no signed checkpoint: nothing vouches for them (the "
        f"checkpoints were deleted, or none was ever made: {PENDING})"
    )
    failure = _verify(app, settings, expected=kept).failure
    assert failure.reason == (
        f"the store has no checkpoint; the expected head is checkpoint 1, covering up to "
        f"position {register.covered}: checkpoint 1 was deleted, with the events covered"
    )
    assert failure.checkpoint == 1


def test_a_checkpoint_deleted_from_the_middle_fails(app, settings, register) -> None:
    for title in ("Pranata Komputer", "Pustakawan"):
        s.position(app, title)
        make_checkpoints(app)
    assert _verify(app, settings).ok
    register.sql("DELETE FROM {t} WHERE sequence = 2")
    failure = _verify(app, settings).failure
    assert failure.reason == "checkpoint 2 is missing: checkpoint 3 follows checkpoint 1 (checkpoint rows were deleted)"
    assert failure.checkpoint == 3
    register.sql("DELETE FROM {t} WHERE sequence = 1")
    assert _verify(app, settings).failure.reason == (
        "checkpoints 1-2 are missing: checkpoint 3 follows none (checkpoint rows were deleted)"
    )


def test_the_last_checkpoint_deleted_with_its_events(app, settings, register) -> None:
    s.position(app, "Pranata Komputer"), s.position(app, "Pustakawan")
    make_checkpoints(app)
    kept = register.checkpoints()[-1]
    register.sql("DELETE FROM {t} WHERE sequence = 2")
    register.tamper.truncate_after(register.covered)
    register.sql(f"DELETE FROM {{t}} WHERE size > {register.covered}", "mutasi_audit_heads")  # and its tree head
    alone = _verify(app, settings)
    if settings.store == "postgres":  # the sequence still remembers positions it handed out
        assert alone.failure.reason == (
            f"positions {register.covered + 1}-{register.covered + 2} handed out by the store, no event there: "
            "the events recorded there after the last checkpoint were deleted (a write rolled back at the very "
            "end leaves this too, until the next event is recorded)"
        )
        assert (alone.failure.position, alone.failure.checkpoint) == (register.covered + 1, 1)
    else:  # a consistent prefix, and SQLite keeps no trace of the rows it gave out: the kept head tells
        assert alone.ok
    failure = _verify(app, settings, expected=kept).failure
    assert failure.reason == (
        f"the store's checkpoints end at checkpoint 1 (position {register.covered}); the expected head is "
        f"checkpoint 2, covering up to position {register.covered + 2}: checkpoint 2 was deleted, with the "
        "events covered"
    )
    assert failure.checkpoint == 2


def test_events_deleted_after_the_last_checkpoint(app, settings, register) -> None:
    s.position(app, "Pranata Komputer"), s.position(app, "Pustakawan")
    gap = register.covered + 1
    register.tamper._run("DELETE FROM {t} WHERE {id} = %s", (gap,))
    failure = _verify(app, settings).failure
    if settings.store == "sqlite":  # a new rowid is the highest plus one: a hole is a deletion
        assert failure.reason == (
            f"position {gap} after the last checkpoint: no event, where SQLite never leaves "
            "a gap: the events recorded there were deleted"
        )
        assert (failure.position, failure.checkpoint) == (gap, 1)
    else:  # a rolled-back write leaves the same hole in PostgreSQL's sequence: not evidence
        assert failure is None
    register.tamper.truncate_after(register.covered)
    failure = _verify(app, settings).failure
    if settings.store == "postgres":
        assert failure.reason.startswith(f"positions {gap}-{gap + 1} handed out by the store, no event there: ")
    else:  # the whole tail gone: a consistent prefix, no trace (README: what needs the published head)
        assert failure is None


def test_a_change_inside_a_checkpoint_names_the_first_bad_event(app, settings, register) -> None:
    position, version = _forge_last(register)
    failure = _verify(app, settings).failure
    assert failure.reason == (
        f"the event at position {position} is not the one checkpoint 1 signed: it was "
        "replaced (its hash recomputed), or events were reordered"
    )
    assert (failure.position, failure.originator_id, failure.version, failure.checkpoint) == (
        position,
        register.employee,
        version,
        1,
    )


def test_a_deleted_event_inside_a_checkpoint_is_named_by_its_position(app, settings, register) -> None:
    register.tamper.delete(register.archivist, 1)  # its only event: no chain is left to break
    failure = _verify(app, settings).failure
    assert failure.reason == "the event at position 1 that checkpoint 1 signed is missing: it was deleted"
    assert (failure.position, failure.checkpoint) == (1, 1)
    register.sql("DELETE FROM {t}", "mutasi_audit_segments")  # without the kept pairs: the range only
    failure = _verify(app, settings).failure
    assert failure.reason == (
        f"checkpoint 1 covers {register.covered} events at positions 1-{register.covered}; the store has "
        f"{register.covered - 1} there: events were deleted (no pairs that give its root are kept beside "
        "the checkpoint, so the event cannot be named)"
    )
    assert (failure.position, failure.checkpoint) == (register.covered, 1)


def test_a_checkpoint_signed_again_over_an_edit_is_not_the_expected_head(app, settings, register) -> None:
    [kept] = register.checkpoints()
    _forge_last(register)
    register.sql("DELETE FROM {t}")
    for table in ("mutasi_audit_heads", "mutasi_audit_nodes", "mutasi_audit_leaves"):  # and the tree, rebuilt
        register.sql("DELETE FROM {t}", table)
    make_checkpoints(app)  # the checkpointer signs the edited store again
    assert _verify(app, settings).ok  # nothing in the store tells
    failure = _verify(app, settings, expected=kept).failure
    assert failure.reason == (
        f"checkpoint 1 in the store is not the expected head (signed at {kept.created_at}): it was replaced"
    )
    forged = replace(kept, root="00" * 32)
    assert _verify(app, settings, expected=forged).failure.reason == (
        "the expected head's signature does not verify with the published key: it is not a checkpoint of ours"
    )


def test_the_command_line_exits_1_with_the_reason(app, settings, register, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr("api.cli.main.Settings", lambda: settings)
    s.position(app, "Pranata Komputer")
    make_checkpoints(app)
    head = tmp_path / "checkpoints.json"
    head.write_text(json.dumps([asdict(c) for c in register.checkpoints()]))  # as GET /audit/checkpoints gives
    assert main(["audit", "verify", "--expect-head", str(head)]) == 0
    assert "OK" in capsys.readouterr().out
    register.sql("DELETE FROM {t} WHERE sequence = 2")
    register.tamper.truncate_after(register.covered)
    register.sql(f"DELETE FROM {{t}} WHERE size > {register.covered}", "mutasi_audit_heads")  # and its tree head
    assert main(["audit", "verify", "--expect-head", str(head)]) == 1
    assert capsys.readouterr().out == (
        f"event store: FAILED after {register.covered} good events at checkpoint 2: the store's checkpoints end "
        f"at checkpoint 1 (position {register.covered}); the expected head is checkpoint 2, covering up to "
        f"position {register.covered + 1}: checkpoint 2 was deleted, with the events covered\n"
    )
    register.sql("DELETE FROM {t}")
    assert main(["audit", "verify"]) == 1
    assert capsys.readouterr().out == (
        f"event store: FAILED after {register.covered} good events at the end: the store holds {register.covered} "
        f"events and no signed checkpoint: nothing vouches for them (the checkpoints were deleted, or none was "
        f"ever made: {PENDING}) ({register.covered} events not covered by a signed checkpoint)\n"
    )


def test_the_verification_route_answers_not_ok(settings, clock) -> None:
    with running_api(settings, clock) as api:
        s.position(api.app, "Arsiparis")
        body = api.ok(Role.AUDITOR, "GET", "/audit/verify")
        assert body["ok"] is False and body["uncovered"] == 1
        assert body["failure"]["reason"] == (
            "the store holds 1 event and no signed checkpoint: nothing vouches for them (the checkpoints were "
            f"deleted, or none was ever made: {PENDING})"
        )


def test_an_expected_head_is_read_from_a_bundle_or_a_list() -> None:
    fields = {
        "sequence": 2,
        "first": 5,
        "last": 9,
        "count": 5,
        "root": "ab",
        "previous": "cd",
        "created_at": "t",
        "key": "k",
        "signature": "s",
    }
    bundle = "\n".join(
        json.dumps(line)
        for line in (
            {"type": "manifest", "format": "mutasi-audit-bundle/1"},
            {"type": "checkpoint", **fields, "sequence": 1},
            {"type": "checkpoint", **fields},
            {"type": "event", "position": 5},
        )
    )
    assert read_head(bundle) == read_head(json.dumps([fields])) == Checkpoint(**fields)
    with pytest.raises(ValueError, match="holds no checkpoint"):
        read_head('{"type": "manifest"}')


def test_a_bundle_kept_from_earlier_is_an_expected_head(app, settings, register, tmp_path) -> None:
    s.position(app, "Pranata Komputer")
    bundle = tmp_path / "all.ndjson"
    with bundle.open("w", encoding="utf-8") as out:
        export_bundle(app, Scope("all"), out)  # checkpoints the new event first: checkpoint 2
    kept = read_head(bundle.read_text(encoding="utf-8"))
    assert kept.sequence == 2 and _verify(app, settings, expected=kept).ok
    register.sql("DELETE FROM {t} WHERE sequence = 2")
    assert _verify(app, settings, expected=kept).failure.reason.startswith(
        "the store's checkpoints end at checkpoint 1"
    )
