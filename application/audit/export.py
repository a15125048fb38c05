"""Writing an audit bundle (`mutasi-audit-bundle/2`) from the store (see `application.audit.bundle`).

Before exporting, the tree is extended with every new event and its head signed, and the bundle stops
at that head: each event in it carries its leaf index and RFC 9162 inclusion proof into the signed
tree head, the bundle's one signed statement besides its manifest.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any
from uuid import UUID

from application.audit.bundle import FORMAT_2, events_digest, manifest_payload
from application.audit.records import AuditEvent, UnsoundEvent
from application.audit.replay import feed_all, history
from application.audit.signing import fingerprint, load_private_key, public_pem, sign
from application.audit.storage import signing_key_path
from application.audit.tlog.log import latest_head, sign_head
from application.audit.tlog.store import TreeStore
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


def _selected(app: MutasiBase, scope: Scope, upto: int) -> tuple[list[AuditEvent], list[UUID]]:
    """The events of `scope` up to position `upto`, and the aggregates whose whole history is in it."""
    if scope.kind in ("employee", "position", "round"):
        assert scope.aggregate_id is not None
        kind = {"employee": "Employee", "position": "Position", "round": "MutationRound"}[scope.kind]
        history(app, scope.aggregate_id, kind)  # not found -> NotFoundError
        members = _round_members(app, scope.aggregate_id) if scope.kind == "round" else [scope.aggregate_id]
        events = []
        for member in members:
            positions = EventLog(app.recorder).positions(member)
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


def export_bundle(app: MutasiBase, scope: Scope, out: IO[str]) -> int:
    """Checkpoint what is new (sign the tree head), then write the bundle of `scope` to `out`: the
    signed tree head and each event's inclusion proof into it; returns the number of events."""
    key = load_private_key(signing_key_path(app.settings))
    tree = TreeStore(app.stores)
    sign_head(app, tree)
    head = latest_head(tree)
    upto = tree.leaves(head.size - 1, head.size - 1)[0][1] if head is not None and head.size else 0
    events, members = _selected(app, scope, upto)
    if scope.kind in ("employee", "position", "round") and not events:
        raise NotFoundError("nothing of this scope is under a signed tree head yet")
    heads: dict[str, int] = {}
    for event in events:
        heads[str(event.originator_id)] = event.version
    manifest: dict[str, Any] = {
        "format": FORMAT_2,
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
    if head is not None:
        _write(out, {"type": "tree_head", "checkpoint": head.note.text()})
    for event in events:
        index = tree.leaf_index(event.position)  # type: ignore[arg-type]
        if head is None or index is None or index >= head.size:  # the tree changed under the export
            raise UnsoundEvent(f"event at position {event.position} is not in the signed tree head")
        proof = [base64.b64encode(h).decode() for h in tree.inclusion(index, head.size)]
        _write(out, {"type": "event", **event.as_json(), "leaf_index": index, "tree_proof": proof})
    return len(events)


def _write(out: IO[str], line: dict[str, Any]) -> None:
    out.write(json.dumps(line, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
