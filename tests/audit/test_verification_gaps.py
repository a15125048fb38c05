"""Verification never says OK over what it did not check: vanished tree heads, deleted tails, an unsigned
tail older than the bound, a head kept from earlier that the store no longer reaches, and a change under
a signed tree head named by its event; segment checkpoints kept from earlier versions still verify
(SQLite and PostgreSQL; the CLI exits 1)."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

import pytest

from api.cli.main import main
from api.http.roles import Role
from application.audit.checkpoints import checkpoint
from application.audit.checks import read_head
from application.audit.export import Scope, export_bundle
from application.audit.records import Checkpoint
from application.audit.storage import AuditStorage
from application.audit.tlog.store import TreeStore
from application.audit.verify import verify_record
from application.persistence.chain import event_hash
from application.settings import Settings
from tests import scenario as s
from tests.api.support import running_api
from tests.audit.support import Tamper, legacy_checkpoint, public_key

PENDING = "run `mutasi audit checkpoint`"


@dataclass
class Register:
    """A small register wholly under the signed tree head of size `covered`, and the tools to tamper."""

    archivist: UUID  # a position whose only event comes first
    employee: UUID
    covered: int
    tamper: Tamper
    settings: Settings

    def sql(self, query: str, table: str = "mutasi_audit_heads") -> None:
        """Run `query` on an audit table ({t}) behind the application's back."""
        if self.settings.store == "postgres":
            table = f'"{self.settings.postgres_schema}".{table}'
        with self.tamper._conn() as conn:
            conn.execute(query.format(t=table))

    def head(self) -> str:
        """The latest signed tree head, as `GET /public/log/checkpoint` gives it."""
        return TreeStore(self.settings).head()[1]

    def checkpoints(self) -> list[Checkpoint]:
        return AuditStorage(self.settings).checkpoints()


@pytest.fixture
def register(app, settings) -> Register:
    archivist = s.position(app, "Arsiparis")
    employee = s.employee(app, 1, s.position(app, "Analis Keuangan"))
    checkpoint(app)
    tamper = Tamper(settings, app.recorder.events_table_name)
    return Register(archivist, employee, tamper.max_position(), tamper, settings)


def _verify(app, settings, expected_tree: str | None = None, now: datetime | None = None, expected=None):
    return verify_record(
        app, AuditStorage(settings).checkpoints(), public_key(settings), expected, now, expected_tree=expected_tree
    )


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


def _no_head(count: int) -> str:
    return (
        f"the store holds {count} event{'' if count == 1 else 's'} and no signed tree head: nothing vouches for "
        f"them (the tree heads were deleted, or none was ever signed: {PENDING})"
    )


def test_uncovered_events_are_counted_and_fail_once_older_than_the_bound(app, settings, register) -> None:
    first, _ = s.position(app, "Pranata Komputer"), s.position(app, "Pustakawan")
    result = _verify(app, settings)
    assert result.ok and result.uncovered == 2 and result.events == register.covered + 2
    assert result.tree_size == register.covered
    oldest = _recorded_at(register.tamper, first, 1)
    assert _verify(app, settings, now=oldest + timedelta(seconds=3600)).ok
    late = _verify(app, settings, now=oldest + timedelta(seconds=3601))
    failure = late.failure
    assert failure.reason == (
        f"2 events after position {register.covered} not covered by a signed tree head, the oldest recorded at "
        f"{oldest.isoformat()}, more than the bound of 3600 s ago: checkpointing stopped, or the tree head "
        f"covering them was deleted ({PENDING})"
    )
    assert (failure.position, failure.originator_id, failure.version, failure.head) == (
        register.covered + 1,
        first,
        1,
        register.covered,
    )
    assert late.uncovered == 2


def test_a_store_with_events_and_no_tree_head_fails(app, settings) -> None:
    assert _verify(app, settings).ok  # nothing recorded, nothing to vouch for
    s.position(app, "Arsiparis"), s.position(app, "Pustakawan")
    assert _verify(app, settings).failure.reason == _no_head(2)


def test_every_tree_head_deleted_after_an_edit_with_a_recomputed_chain_fails(app, settings, register) -> None:
    kept = register.head()
    position, version = _forge_last(register)
    failure = _verify(app, settings).failure  # the head still stands: the edit is named
    assert (failure.position, failure.originator_id, failure.version, failure.head) == (
        position,
        register.employee,
        version,
        register.covered,
    )
    register.sql("DELETE FROM {t}")
    assert _verify(app, settings).failure.reason == _no_head(register.covered)
    assert _verify(app, settings, expected_tree=kept).failure.reason == (
        f"the store's first {register.covered} events no longer give the expected tree head's root: events it "
        "covers were changed, deleted, inserted or reordered (or the log was rebuilt)"
    )


def test_the_last_tree_head_deleted_with_its_events(app, settings, register) -> None:
    s.position(app, "Pranata Komputer"), s.position(app, "Pustakawan")
    checkpoint(app)
    kept = register.head()
    register.sql(f"DELETE FROM {{t}} WHERE size > {register.covered}")
    register.tamper.truncate_after(register.covered)
    alone = _verify(app, settings)
    if settings.store == "postgres":  # the sequence still remembers positions it handed out
        assert alone.failure.reason == (
            f"positions {register.covered + 1}-{register.covered + 2} handed out by the store, no event there: "
            "the events recorded there after the last signed tree head were deleted (a write rolled back at the "
            "very end leaves this too, until the next event is recorded)"
        )
        assert (alone.failure.position, alone.failure.head) == (register.covered + 1, register.covered)
    else:  # a consistent prefix, and SQLite keeps no trace of the rows it gave out: the kept head tells
        assert alone.ok
    failure = _verify(app, settings, expected_tree=kept).failure
    assert failure.reason == (
        f"the expected tree head covers {register.covered + 2} events; the store holds only {register.covered} "
        "of them now: events were deleted (tail truncated)"
    )


def test_events_deleted_after_the_last_tree_head(app, settings, register) -> None:
    s.position(app, "Pranata Komputer"), s.position(app, "Pustakawan")
    gap = register.covered + 1
    register.tamper._run("DELETE FROM {t} WHERE {id} = %s", (gap,))
    failure = _verify(app, settings).failure
    if settings.store == "sqlite":  # a new rowid is the highest plus one: a hole is a deletion
        assert failure.reason == (
            f"position {gap} after the last signed tree head: no event, where SQLite never leaves "
            "a gap: the events recorded there were deleted"
        )
        assert (failure.position, failure.head) == (gap, register.covered)
    else:  # a rolled-back write leaves the same hole in PostgreSQL's sequence: not evidence
        assert failure is None
    register.tamper.truncate_after(register.covered)
    failure = _verify(app, settings).failure
    if settings.store == "postgres":
        assert failure.reason.startswith(f"positions {gap}-{gap + 1} handed out by the store, no event there: ")
    else:  # the whole tail gone: a consistent prefix, no trace (README: what needs the published head)
        assert failure is None


def test_a_change_under_a_tree_head_names_the_first_bad_event(app, settings, register) -> None:
    position, version = _forge_last(register)
    failure = _verify(app, settings).failure
    assert failure.reason == (
        f"the event at position {position} is not the one the signed tree head of size {register.covered} "
        "holds there: it was changed (its hash recomputed), replaced, or events were reordered"
    )
    assert (failure.position, failure.originator_id, failure.version, failure.head) == (
        position,
        register.employee,
        version,
        register.covered,
    )


def test_a_deleted_event_under_a_tree_head_is_named_by_its_position(app, settings, register) -> None:
    register.tamper.delete(register.archivist, 1)  # its only event: no chain is left to break
    failure = _verify(app, settings).failure
    assert failure.reason == (
        f"the event at position 1 that the signed tree head of size {register.covered} holds is missing: it was deleted"
    )
    assert (failure.position, failure.head) == (1, register.covered)
    register.sql("DELETE FROM {t}", "mutasi_audit_leaves")  # without the kept leaves: the head only
    failure = _verify(app, settings).failure
    assert failure.reason == (
        f"the signed tree head of size {register.covered} covers {register.covered} events; the store holds "
        f"only {register.covered - 1} events: events it signed were deleted (the leaves kept do not give its "
        "root, so the event cannot be named)"
    )
    assert (failure.position, failure.head) == (None, register.covered)


def test_kept_leaves_that_do_not_give_the_signed_root_name_no_event(app, settings, register) -> None:
    _forge_last(register)
    register.sql("UPDATE {t} SET hash = (SELECT hash FROM {t} WHERE idx = 1) WHERE idx = 0", "mutasi_audit_leaves")
    failure = _verify(app, settings).failure  # the kept leaves would blame position 1: not trusted
    assert failure.position is None and "cannot be named" in failure.reason


def test_a_tree_head_signed_again_over_an_edit_is_not_the_expected_head(app, settings, register) -> None:
    kept = register.head()
    _forge_last(register)
    for table in ("mutasi_audit_heads", "mutasi_audit_nodes", "mutasi_audit_leaves"):  # the tree, rebuilt
        register.sql("DELETE FROM {t}", table)
    checkpoint(app)  # the checkpointer signs the edited store again
    assert _verify(app, settings).ok  # nothing in the store tells
    assert _verify(app, settings, expected_tree=kept).failure.reason == (
        f"the store's first {register.covered} events no longer give the expected tree head's root: events it "
        "covers were changed, deleted, inserted or reordered (or the log was rebuilt)"
    )
    lines = kept.split("\n")
    lines[2] = base64.b64encode(bytes(32)).decode()
    assert _verify(app, settings, expected_tree="\n".join(lines)).failure.reason == (
        "the expected tree head is not signed by the published key for this log: it is not one of ours"
    )


def test_the_command_line_exits_1_with_the_reason(app, settings, register, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr("api.cli.main.Settings", lambda: settings)
    s.position(app, "Pranata Komputer")
    assert main(["audit", "checkpoint"]) == 0
    assert capsys.readouterr().out.startswith(
        f"checkpoint 2: positions {register.covered + 1}-{register.covered + 1}, tree head of size "
        f"{register.covered + 1}, root "
    )
    head = tmp_path / "head.txt"
    head.write_text(register.head())  # as GET /public/log/checkpoint gives it
    assert main(["audit", "verify", "--expect-head", str(head)]) == 0
    assert "OK" in capsys.readouterr().out
    register.sql(f"DELETE FROM {{t}} WHERE size > {register.covered}")
    register.tamper.truncate_after(register.covered)
    assert main(["audit", "verify", "--expect-head", str(head)]) == 1
    assert capsys.readouterr().out == (
        f"event store: FAILED after {register.covered} good events at tree head of size {register.covered}: "
        f"the expected tree head covers {register.covered + 1} events; the store holds only {register.covered} "
        "of them now: events were deleted (tail truncated)\n"
    )
    register.sql("DELETE FROM {t}")
    assert main(["audit", "verify"]) == 1
    assert capsys.readouterr().out == (
        f"event store: FAILED after {register.covered} good events at the end: {_no_head(register.covered)} "
        f"({register.covered} events not covered by a signed tree head)\n"
    )


def test_the_verification_route_answers_not_ok(settings, clock) -> None:
    with running_api(settings, clock) as api:
        s.position(api.app, "Arsiparis")
        body = api.ok(Role.AUDITOR, "GET", "/audit/verify")
        assert body["ok"] is False and body["uncovered"] == 1
        assert body["failure"]["reason"] == _no_head(1)


def test_a_bundle_kept_from_earlier_gives_its_tree_head(app, settings, register, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr("api.cli.main.Settings", lambda: settings)
    s.position(app, "Pranata Komputer")
    bundle = tmp_path / "all.ndjson"
    with bundle.open("w", encoding="utf-8") as out:
        export_bundle(app, Scope("all"), out)  # signs the head over the new event first
    assert main(["audit", "verify", "--expect-head", str(bundle)]) == 0
    assert f"tree head of size {register.covered + 1}" in capsys.readouterr().out
    register.sql(f"DELETE FROM {{t}} WHERE size > {register.covered}")
    register.tamper.truncate_after(register.covered)
    assert main(["audit", "verify", "--expect-head", str(bundle)]) == 1
    assert "the expected tree head covers" in capsys.readouterr().out


# Segment checkpoints signed by earlier versions: still read and verified as before.


@pytest.fixture
def legacy(app, settings) -> Register:
    """A store of an earlier version: its events under one segment checkpoint, no tree yet."""
    archivist = s.position(app, "Arsiparis")
    employee = s.employee(app, 1, s.position(app, "Analis Keuangan"))
    legacy_checkpoint(app, settings)
    tamper = Tamper(settings, app.recorder.events_table_name)
    return Register(archivist, employee, tamper.max_position(), tamper, settings)


def test_a_store_with_only_legacy_checkpoints_verifies_then_checkpointing_builds_the_tree(
    app, settings, legacy
) -> None:
    result = _verify(app, settings)
    assert result.ok and result.checkpoints == 1 and result.uncovered == 0 and result.tree_size is None
    checkpoint(app)  # the checkpointer builds the tree from the events and signs its head
    result = _verify(app, settings)
    assert result.ok and result.checkpoints == 1 and result.tree_size == legacy.covered


def test_a_change_under_a_legacy_checkpoint_fails_it(app, settings, legacy) -> None:
    _forge_last(legacy)
    failure = _verify(app, settings).failure
    assert failure.reason == (
        f"checkpoint 1: positions 1-{legacy.covered} no longer give its signed Merkle root: events there "
        "were reordered, replaced or moved"
    )
    assert (failure.position, failure.checkpoint) == (legacy.covered, 1)
    legacy.tamper.truncate_after(0)
    assert "tail truncated" in _verify(app, settings).failure.reason


def test_a_legacy_checkpoint_deleted_from_the_middle_fails(app, settings, legacy) -> None:
    for title in ("Pranata Komputer", "Pustakawan"):
        s.position(app, title)
        legacy_checkpoint(app, settings)
    assert _verify(app, settings).ok
    legacy.sql("DELETE FROM {t} WHERE sequence = 2", "mutasi_audit_checkpoints")
    failure = _verify(app, settings).failure
    assert failure.reason == "checkpoint 2 is missing: checkpoint 3 follows checkpoint 1 (checkpoint rows were deleted)"
    assert failure.checkpoint == 3


def test_a_kept_legacy_checkpoint_is_an_expected_head(app, settings, legacy, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr("api.cli.main.Settings", lambda: settings)
    [kept] = legacy.checkpoints()
    head = tmp_path / "checkpoints.json"
    head.write_text(json.dumps([asdict(kept)]))  # as GET /audit/checkpoints gives
    assert main(["audit", "verify", "--expect-head", str(head)]) == 0
    assert "1 legacy checkpoints" in capsys.readouterr().out
    legacy.sql("DELETE FROM {t}", "mutasi_audit_checkpoints")
    checkpoint(app)
    failure = _verify(app, settings, expected=kept).failure
    assert failure.reason == (
        f"the store has no checkpoint; the expected head is checkpoint 1, covering up to "
        f"position {legacy.covered}: checkpoint 1 was deleted, with the events covered"
    )
    assert failure.checkpoint == 1
    forged = replace(kept, root="00" * 32)
    assert _verify(app, settings, expected=forged).failure.reason == (
        "the expected head's signature does not verify with the published key: it is not a checkpoint of ours"
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
