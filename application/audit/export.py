"""Writing an audit bundle from the store (see `application.audit.bundle` for the format).

Before exporting, every event not yet covered is checkpointed, and the bundle stops at the last
checkpoint: each event in it carries a Merkle proof into a signed checkpoint.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any
from uuid import UUID

from application.audit.bundle import FORMAT, FORMAT_2, events_digest, manifest_payload
from application.audit.checkpoints import leaf_of, make_checkpoints
from application.audit.merkle import levels, proof
from application.audit.records import AuditEvent, Checkpoint
from application.audit.replay import feed_all, history
from application.audit.signing import fingerprint, load_private_key, public_pem, sign
from application.audit.storage import AuditStorage, signing_key_path
from application.base import MutasiBase
from application.errors import NotFoundError
from application.persistence.event_log import EventLog


@dataclass(frozen=True)
class Scope:
    """What to export: whole histories of some aggregates, or the events recorded in a period (or all)."""

    kind: str  # "employee", "position", "round", "period" or "all"
    aggregate_id: UUID | None = None
    recorded_from: datetime | None = None
    recorded_to: datetime | None = None
    aggregates: list[UUID] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        """The scope as the manifest states it."""
        return {
            "kind": self.kind,
            "aggregate_id": str(self.aggregate_id) if self.aggregate_id else None,
            "recorded_from": self.recorded_from.isoformat() if self.recorded_from else None,
            "recorded_to": self.recorded_to.isoformat() if self.recorded_to else None,
        }


def _round_members(app: MutasiBase, round_id: UUID) -> list[UUID]:
    members: list[UUID] = [round_id]
    for event in history(app, round_id, "MutationRound"):
        if event.name == "MutationRound.Proposed":
            proposal = event.data["proposal"]
            for key in ("employee_id", "from_position_id", "target_position_id"):
                if proposal.get(key) and UUID(proposal[key]) not in members:
                    members.append(UUID(proposal[key]))
    return members


def _selected(app: MutasiBase, storage: AuditStorage, scope: Scope, upto: int) -> tuple[list[AuditEvent], list[UUID]]:
    """The events of `scope` up to position `upto`, and the aggregates whose whole history is in it."""
    if scope.kind in ("employee", "position", "round"):
        assert scope.aggregate_id is not None
        kind = {"employee": "Employee", "position": "Position", "round": "MutationRound"}[scope.kind]
        history(app, scope.aggregate_id, kind)  # not found -> NotFoundError
        members = _round_members(app, scope.aggregate_id) if scope.kind == "round" else [scope.aggregate_id]
        events = []
        for member in members:
            positions = storage.positions(member)
            events += [
                AuditEvent(e.originator_id, e.version, e.topic, e.state, positions[e.version])
                for e in history(app, member)
                if positions.get(e.version, upto + 1) <= upto
            ]
        return sorted(events, key=lambda e: e.position), members  # type: ignore[arg-type, return-value]
    events = [e for e in feed_all(app, stop=upto) if _in_period(e, scope)]
    return events, []


def _in_period(event: AuditEvent, scope: Scope) -> bool:
    moment = event.recorded_at
    if scope.recorded_from and (moment is None or moment < scope.recorded_from):
        return False
    return not (scope.recorded_to and (moment is None or moment > scope.recorded_to))


def _proofs(
    app: MutasiBase, checkpoints: list[Checkpoint], events: list[AuditEvent]
) -> Iterable[tuple[Checkpoint, dict[int, list[str]]]]:
    """For each checkpoint covering some of `events`: the Merkle proof of each of them."""
    wanted = {e.position for e in events}
    for checkpoint in checkpoints:
        if not any(checkpoint.first <= p <= checkpoint.last for p in wanted):  # type: ignore[operator]
            continue
        segment = list(feed_all(app, checkpoint.first - 1, stop=checkpoint.last))
        tree = levels([leaf_of(e) for e in segment])
        yield (
            checkpoint,
            {
                e.position: proof(tree, i)
                for i, e in enumerate(segment)
                if e.position is not None and e.position in wanted
            },
        )


def export_bundle(app: MutasiBase, scope: Scope, out: IO[str], tree: bool = True) -> int:
    """Checkpoint what is new, then write the bundle of `scope` to `out`; returns the number of events.
    With `tree` (format 2), also the latest signed tree head and each event's inclusion proof into it."""
    storage = AuditStorage(app.stores, EventLog(app.recorder).table_name)
    key = load_private_key(signing_key_path(app.settings))
    make_checkpoints(app, storage)
    checkpoints = storage.checkpoints()
    upto = checkpoints[-1].last if checkpoints else 0
    events, members = _selected(app, storage, scope, upto)
    covering: list[Checkpoint] = []
    proofs: dict[int, tuple[int, list[str]]] = {}
    for checkpoint, paths in _proofs(app, checkpoints, events):
        covering.append(checkpoint)
        proofs.update({position: (checkpoint.sequence, path) for position, path in paths.items()})
    if scope.kind in ("employee", "position", "round") and not events:
        raise NotFoundError("nothing of this scope is covered by a checkpoint yet")
    heads: dict[str, int] = {}
    for event in events:
        heads[str(event.originator_id)] = event.version
    proven = _tree_proofs(app, events) if tree else None
    manifest: dict[str, Any] = {
        "format": FORMAT_2 if proven else FORMAT,
        "scope": scope.describe(),
        "created_at": datetime.now(UTC).isoformat(),
        "key": fingerprint(key.public_key()),
        "public_key": public_pem(key.public_key()),
        "events": len(events),
        "events_digest": events_digest((e.position, e.link[1]) for e in events),  # type: ignore[misc, index]
        "heads": heads,
        "complete": [str(m) for m in members if str(m) in heads],
    }
    manifest["signature"] = sign(key, manifest_payload(manifest))
    _write(out, {"type": "manifest", **manifest})
    for checkpoint in covering:
        _write(out, {"type": "checkpoint", **checkpoint.__dict__})
    if proven:
        _write(out, {"type": "tree_head", "checkpoint": proven[0]})
    for event in events:
        sequence, path = proofs[event.position]  # type: ignore[index]
        line = {"type": "event", **event.as_json(), "checkpoint": sequence, "proof": path}
        if proven:
            line["leaf_index"], line["tree_proof"] = proven[1][event.position]  # type: ignore[index]
        _write(out, line)
    return len(events)


def _tree_proofs(app: MutasiBase, events: list[AuditEvent]) -> tuple[str, dict[int, tuple[int, list[str]]]] | None:
    """The latest signed tree head and, per event position, (leaf index, inclusion proof in base64);
    None when no head covers the events (then the bundle is of format 1)."""
    import base64

    from application.audit.tlog.log import latest_head
    from application.audit.tlog.store import TreeStore

    store = TreeStore(app.stores)
    head = latest_head(store)
    if head is None:
        return None
    proofs: dict[int, tuple[int, list[str]]] = {}
    for event in events:
        if event.position is None:  # not in the tree (as `leaf_index` finds no leaf)
            return None
        index = store.leaf_index(event.position)
        if index is None or index >= head.size:
            return None
        proofs[event.position] = (
            index,
            [base64.b64encode(h).decode() for h in store.inclusion(index, head.size)],
        )
    return head.note.text(), proofs


def _write(out: IO[str], line: dict[str, Any]) -> None:
    out.write(json.dumps(line, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
