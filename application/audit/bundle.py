"""Offline audit bundles: verify and replay an NDJSON bundle with nothing but the public key.

This module imports no database code and nothing from `api/`: it runs on an auditor's machine.

A bundle is NDJSON. Line 1, the manifest: format, scope, creation time, the key fingerprint, the
number of events, a digest over "<position>:<hash>" of every event in order, each included aggregate's
last version (`heads`) and whether its history is complete from version 1; signed (Ed25519 over its
canonical JSON). Format 2 (`mutasi-audit-bundle/2`, what `export` writes): then the signed tree head,
then the events, each with its store position, its stored state (metadata and `__chain__` included),
its leaf index and its RFC 9162 inclusion proof into that head. Format 1 (written by earlier versions,
still verified): the signed segment checkpoints covering the events, then the events, each with its
checkpoint's sequence and its Merkle inclusion proof into that checkpoint (`application.audit.merkle`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.audit.checks import (
    Failure,
    Verification,
    checkpoint_failure,
    event_failure,
    signature_failure,
)
from application.audit.decisions import DecisionStep, proposal_decisions
from application.audit.merkle import included, leaf
from application.audit.placements import Stretch, effective_on, employee_stretches, position_stretches
from application.audit.records import AuditEvent, Checkpoint
from application.audit.signing import fingerprint, signed_by
from application.persistence.chain import canonical_json

FORMAT = "mutasi-audit-bundle/1"  # segment checkpoints (earlier versions); read and verified, no longer written
FORMAT_2 = "mutasi-audit-bundle/2"  # a signed tree head and per event its RFC 9162 inclusion proof


def events_digest(pairs: Iterable[tuple[int, str]]) -> str:
    """SHA-256 over "<position>:<hash>\\n" of each event, in bundle order."""
    digest = hashlib.sha256()
    for position, event_hash in pairs:
        digest.update(f"{position}:{event_hash}\n".encode())
    return digest.hexdigest()


def manifest_payload(manifest: dict[str, Any]) -> bytes:
    """The canonical bytes of the manifest that are signed (everything but `signature`)."""
    return canonical_json({k: v for k, v in manifest.items() if k != "signature"})


@dataclass(frozen=True)
class Bundle:
    """A parsed bundle: manifest, checkpoints by sequence, and (line number, event, line) triples."""

    manifest: dict[str, Any]
    checkpoints: dict[int, tuple[int, Checkpoint]]
    events: list[tuple[int, AuditEvent, dict[str, Any]]]
    tree_head: dict[str, Any] | None = None  # format 2: {"checkpoint": signed tree head text}


class BadBundle(ValueError):
    """The file is not a readable bundle."""


def read_bundle(lines: Iterable[str]) -> Bundle:
    """Parse a bundle's lines (`BadBundle` names the first unreadable line)."""
    manifest: dict[str, Any] | None = None
    checkpoints: dict[int, tuple[int, Checkpoint]] = {}
    events: list[tuple[int, AuditEvent, dict[str, Any]]] = []
    tree_head: dict[str, Any] | None = None
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
            kind = line.pop("type")
            if number == 1 and kind == "manifest" and line.get("format") in (FORMAT, FORMAT_2):
                manifest = line
            elif kind == "tree_head" and manifest is not None and manifest.get("format") == FORMAT_2:
                tree_head = line
            elif kind == "checkpoint":
                checkpoint = Checkpoint(**line)
                checkpoints[checkpoint.sequence] = (number, checkpoint)
            elif kind == "event":
                events.append((number, AuditEvent.from_json(line), line))
            else:
                raise ValueError(f"unexpected line type {kind!r}")
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BadBundle(f"line {number}: not a bundle line ({error})") from None
    if manifest is None:
        raise BadBundle(f"line 1 must be the manifest of a {FORMAT} bundle")
    return Bundle(manifest, checkpoints, events, tree_head)


def verify_bundle(
    bundle: Bundle, key: Ed25519PublicKey, witnesses: Sequence[str] = (), quorum: int = 0
) -> Verification:
    """Check a bundle with only the public key (and, for format 2's tree head, the witnesses' keys
    and the quorum of them required); the failure names the bundle line and why."""
    manifest = bundle.manifest
    if manifest.get("key") != fingerprint(key) or not signed_by(
        key, manifest_payload(manifest), str(manifest.get("signature", ""))
    ):
        return Verification(0, 0, Failure("the manifest's signature does not verify with this public key", line=1))
    ordered = sorted(bundle.checkpoints.values(), key=lambda item: item[1].sequence)
    for index, (number, checkpoint) in enumerate(ordered):
        before = ordered[index - 1][1] if index else None
        if before is not None and before.sequence == checkpoint.sequence - 1 or checkpoint.sequence == 1:
            reason = checkpoint_failure(checkpoint, before, key)
        else:  # its predecessor is not in the bundle: only the signature can be checked
            reason = signature_failure(checkpoint, key)
        if reason:
            return Verification(0, index, Failure(reason, checkpoint=checkpoint.sequence, line=number))
    complete = set(manifest.get("complete", []))
    heads: dict[UUID, tuple[int, str]] = {}
    pairs: list[tuple[int, str]] = []
    last_position = 0
    for count, (number, event, line) in enumerate(bundle.events):

        def failed(
            reason: str, count: int = count, event: Any = event, line: Any = line, number: int = number
        ) -> Verification:
            return Verification(
                count,
                len(ordered),
                Failure(reason, event.position, event.originator_id, event.version, line.get("checkpoint"), number),
            )

        if not isinstance(event.position, int) or event.position <= last_position:
            return failed("out of order: the bundle's events must follow the store order")
        head = heads.get(event.originator_id)
        if head is None and str(event.originator_id) not in complete and event.link:
            head = (event.version - 1, event.link[0]) if event.version > 1 else None  # history starts later
        reason = event_failure(event, head)
        if reason:
            return failed(reason)
        digest = event.link[1]  # type: ignore[index]
        if manifest.get("format") == FORMAT and not _proven(bundle, line, event.position, digest):
            return failed("the event is not in the signed checkpoint it names (inclusion proof fails)")
        heads[event.originator_id] = (event.version, digest)
        pairs.append((event.position, digest))
        last_position = event.position
    count = len(pairs)
    for aggregate, version in sorted(manifest.get("heads", {}).items()):
        found = heads.get(UUID(aggregate))
        if found is None or found[0] != version:
            return Verification(
                count,
                len(ordered),
                Failure(
                    f"the bundle ends at version {found[0] if found else 0} of {aggregate}, the manifest "
                    f"says {version}: its last events were removed",
                    originator_id=UUID(aggregate),
                ),
            )
    if count != manifest.get("events") or events_digest(pairs) != manifest.get("events_digest"):
        return Verification(
            count,
            len(ordered),
            Failure(
                f"the bundle holds {count} events, the manifest signed {manifest.get('events')} "
                "(or another sequence): events were removed, added or reordered"
            ),
        )
    if manifest.get("format") == FORMAT_2:
        from application.audit.tlog.bundled import tree_outcome

        tree = tree_outcome(
            bundle.tree_head, [(number, line) for number, _, line in bundle.events], key, witnesses, quorum
        )
        if tree.failure:
            return Verification(
                count,
                len(ordered),
                Failure(tree.failure[1], line=tree.failure[0]),
                tree_size=tree.size,
                cosigners=tuple(tree.cosigners),
            )
        return Verification(count, len(ordered), None, tree_size=tree.size, cosigners=tuple(tree.cosigners))
    return Verification(count, len(ordered), None)


def _proven(bundle: Bundle, line: dict[str, Any], position: int, digest: str) -> bool:
    """Whether a format-1 event line's Merkle proof leads to the checkpoint it names."""
    sequence, path = line.get("checkpoint"), line.get("proof")
    entry = bundle.checkpoints.get(sequence) if isinstance(sequence, int) else None
    if entry is None or not entry[1].first <= position <= entry[1].last or not isinstance(path, list):
        return False
    try:
        return included(leaf(position, digest), [str(step) for step in path], entry[1].root)
    except ValueError:  # a step that is not hex
        return False


@dataclass(frozen=True)
class Replay:
    """Histories rebuilt from a bundle: placements per employee and per position, and the decisions on
    each proposal of its rounds (decided, objections filed and answered, decisions reopened) in
    recorded order, per proposal id (`application.audit.decisions`)."""

    employees: dict[UUID, list[Stretch]]
    positions: dict[UUID, list[Stretch]]
    decisions: dict[UUID, list[DecisionStep]] = field(default_factory=dict)


def replay_bundle(bundle: Bundle, recorded_at: datetime | None = None) -> Replay:
    """Every employee's placements, every position's holders and every proposal's decisions in the
    bundle, as recorded at a moment (then only the decisions in force at it, and those reopened by it)."""
    events = [event for _, event, _ in bundle.events]
    employees: dict[UUID, list[Stretch]] = {}
    for stretch in employee_stretches(events, recorded_at):
        employees.setdefault(stretch.employee_id, []).append(stretch)
    positions: dict[UUID, list[Stretch]] = {}
    for stretch in position_stretches(events, recorded_at):
        positions.setdefault(stretch.position_id, []).append(stretch)
    return Replay(employees, positions, proposal_decisions(events, recorded_at))


def describe(stretches: Sequence[Stretch], on: date | None = None) -> list[str]:
    """Lines of text for a placement history (only the stretches in force on `on`, when given)."""
    chosen = effective_on(stretches, on) if on else stretches
    return [
        f"  {s.since} .. {s.until or 'now'}  employee {s.employee_id}  position {s.position_id}  "
        f"decree {s.decree_number}"
        + (f"  round {s.round_id}" if s.round_id else "")
        + (f"  ended by {s.ended_by}" if s.ended_by else "")
        + (f"  recorded {s.recorded_at:%Y-%m-%d %H:%M:%S%z}" if s.recorded_at else "")
        for s in chosen
    ]
