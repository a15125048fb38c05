"""The log-wide tree kept beside the events (SQLite, PostgreSQL): built by the checkpointer in step with
the events, rebuilt by `mutasi audit migrate`, proofs from stored nodes only, signed heads checked."""

from __future__ import annotations

from api.cli.main import main
from application.audit.checkpoints import checkpoint
from application.audit.replay import feed_all
from application.audit.storage import AuditStorage
from application.audit.tlog.log import event_leaf, latest_head, migrate, sign_head
from application.audit.tlog.note import signed_by
from application.audit.tlog.proofs import verify_consistency, verify_inclusion
from application.audit.tlog.store import TreeStore
from application.audit.verify import verify_record
from tests import scenario as s
from tests.audit.support import Tamper, back_dated_transfer, public_key
from tests.audit.test_tlog_proofs import reference_root


def _leaves(app):
    return [event_leaf(event) for event in feed_all(app)]


def test_the_checkpointer_keeps_the_tree_in_step_with_the_events(app, settings) -> None:
    back_dated_transfer(app)
    checkpoint(app)
    store = TreeStore(settings)
    leaves = _leaves(app)
    first = latest_head(store)
    assert first.size == len(leaves) == store.size()[0]
    assert first.head.root == reference_root(leaves) == store.root(first.size)
    assert signed_by(first.note, settings.audit_log_origin, public_key(settings))
    s.position(app, "Arsiparis"), s.position(app, "Pustakawan")
    checkpoint(app)
    second = latest_head(store)
    leaves = _leaves(app)
    assert second.size == len(leaves) == first.size + 2 and second.head.root == reference_root(leaves)
    proof = store.consistency(first.size, second.size)
    assert verify_consistency(first.size, second.size, first.head.root, second.head.root, proof)
    for index in (0, first.size - 1, second.size - 1):
        assert verify_inclusion(
            index, second.size, leaves[index], store.inclusion(index, second.size), second.head.root
        )
    assert sign_head(app) is None  # nothing new: no new head
    assert verify_record(app, AuditStorage(settings).checkpoints(), public_key(settings)).ok


def test_migrate_builds_the_same_tree_for_an_existing_store(app, settings, capsys, monkeypatch) -> None:
    back_dated_transfer(app)
    checkpoint(app)
    store = TreeStore(settings)
    built = store.root(store.size()[0])
    store.clear()  # a store made before the tree existed
    monkeypatch.setattr("api.cli.main.Settings", lambda: settings)
    assert main(["audit", "migrate"]) == 0
    assert "tree of" in capsys.readouterr().out
    assert store.root(store.size()[0]) == built == reference_root(_leaves(app))
    assert migrate(app) == store.size()[0]


def test_an_edit_signed_over_again_is_caught_by_the_kept_tree_head(app, settings) -> None:
    transfer = back_dated_transfer(app)
    checkpoint(app)
    tamper = Tamper(settings, app.recorder.events_table_name)
    from application.persistence.chain import event_hash

    version = tamper.last_version(transfer.employee_id)
    _, topic, state = tamper.row(transfer.employee_id, version)
    state["effective_on"] = "2025-01-01"
    state["__chain__"]["hash"] = event_hash(state["__chain__"]["previous"], topic, transfer.employee_id, version, state)
    tamper.edit(transfer.employee_id, version, lambda stored: stored.update(state))
    checkpoint(app)  # signs nothing new: the tree's size is unchanged
    failure = verify_record(app, AuditStorage(settings).checkpoints(), public_key(settings)).failure
    assert failure is not None and "signed tree head of size" in failure.reason and "changed" in failure.reason


def test_a_kept_tree_head_catches_a_rebuilt_or_truncated_store(app, settings, tmp_path, capsys, monkeypatch) -> None:
    back_dated_transfer(app)
    checkpoint(app)
    store = TreeStore(settings)
    kept = tmp_path / "head.txt"
    kept.write_text(store.head()[1])
    monkeypatch.setattr("api.cli.main.Settings", lambda: settings)
    assert main(["audit", "verify", "--expect-head", str(kept)]) == 0
    assert "tree head of size" in capsys.readouterr().out
    size = store.size()[0]
    tamper = Tamper(settings, app.recorder.events_table_name)
    tamper.truncate_after(tamper.max_position() - 2)  # and every audit table rebuilt to match
    with store._conn() as conn:
        for table in ("mutasi_audit_heads", "mutasi_audit_nodes", "mutasi_audit_leaves", "mutasi_audit_receipts"):
            store._run(conn, "DELETE FROM {t}", table)
    checkpoint(app)
    result = verify_record(
        app, AuditStorage(settings).checkpoints(), public_key(settings), expected_tree=kept.read_text()
    )
    if settings.store == "sqlite":  # nothing else tells
        assert verify_record(app, AuditStorage(settings).checkpoints(), public_key(settings)).ok
    assert f"covers {size} events" in result.failure.reason and "truncated" in result.failure.reason
    assert main(["audit", "verify", "--expect-head", str(kept)]) == 1
