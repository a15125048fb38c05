"""Checking a decree's verification code against the event store.

A printed SK carries the receipt code of its `DecreeIssued` event in the transparency log (16 base32
characters, `ABCD-EFGH-IJKL-MNOP`: fixed by the event's position and chain hash,
`application.audit.receipts`); SKs printed before carry the event's chain hash
(`application.persistence.chain`), in full (64 hexadecimal digits, in the QR code) or shortened to its
first 16. Both are accepted. A code is valid when a decree event of an announced round is stored with
that receipt code or a hash that begins with it, and the event's content still hashes to its hash
(nothing altered since it was recorded).

Finding the event: the codes of a round's decrees are indexed once per decree the round gained (the
transparency view tells the version of its latest decree), by reading the round's events; a check
then reads the one event the code names and recomputes its hash.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.audit import replay
from application.audit.receipts import event_receipt_code
from application.audit.records import AuditEvent
from application.persistence.event_log import EventLog
from application.service import MutasiApplication
from projections.public import PublicReads
from projections.queries import Stamp

DECREE_EVENT = "MutationRound.DecreeIssued"
RECEIPT = "receipt:"  # the index's keys: chain hashes, and receipt codes under this prefix
SHORTEST = 16
_SEPARATORS = re.compile(r"[\s:-]+")


class BadCode(ValueError):
    """The text given is not a verification code."""


def normalised(code: str) -> str:
    """The code in lower case without spaces or hyphens; `BadCode` unless a receipt code (16 base32
    characters) or 16 to 64 hex digits."""
    text = _SEPARATORS.sub("", code or "").lower()
    if not re.fullmatch(rf"[0-9a-f]{{{SHORTEST},64}}", text) and not re.fullmatch(r"[a-z2-7]{16}", text):
        raise BadCode(
            "Kode verifikasi terdiri atas 16 karakter (huruf A-Z dan angka 2-7, kode tanda terima) atau 16 "
            "sampai 64 karakter heksadesimal (angka 0-9 dan huruf a-f), seperti tercetak pada SK."
        )
    return text


@dataclass
class Verdict:
    """What the store says of a code: found (and intact) or not, and the decree it names."""

    code: str
    found: bool
    stamp: Stamp
    intact: bool = False
    decree: dict[str, Any] | None = None


class DecreeCodes:
    """The codes of the decrees of announced rounds, indexed per round (one per service)."""

    def __init__(self, limit: int = 256) -> None:
        self._lock = threading.Lock()
        self._rounds: dict[tuple[str, int], dict[str, tuple[int, str]]] = {}  # (round, latest decree version): index
        self._limit = limit

    def _index(self, app: MutasiApplication, round_id: str, version: int) -> dict[str, tuple[int, str]]:
        with self._lock:
            known = self._rounds.get((round_id, version))
        if known is not None:
            return known
        decrees = [e for e in replay.history(app, UUID(round_id), "MutationRound") if e.name == DECREE_EVENT and e.link]
        positions = EventLog(app.recorder).positions(UUID(round_id))
        index: dict[str, tuple[int, str]] = {}  # a chain hash, or RECEIPT + a receipt code: (version, hash)
        for e in decrees:
            if e.link is not None:
                index[e.link[1]] = (e.version, e.link[1])
                if e.version in positions:  # its receipt code: fixed by its position and hash
                    code = event_receipt_code(positions[e.version], e.link[1])
                    index[RECEIPT + normalised(code)] = (e.version, e.link[1])
        with self._lock:
            if len(self._rounds) >= self._limit:
                self._rounds.clear()
            self._rounds[(round_id, version)] = index
        return index

    def verify(self, app: MutasiApplication, reads: PublicReads, code: str) -> Verdict:
        """Look for the decree with the receipt code `code`, or whose hash begins with it, among the
        announced rounds with decrees."""
        rounds, stamp = reads.rounds_with_decrees()
        for public_round in rounds:
            index = self._index(app, public_round["round_id"], int(public_round.get("decree_version") or 0))
            found = [
                named
                for key, named in index.items()
                if key == RECEIPT + code or (not key.startswith(RECEIPT) and key.startswith(code))
            ]
            if not found:
                continue
            version, digest = found[0]
            event = _one_event(app, UUID(public_round["round_id"]), version)
            if event is None or event.link is None or event.link[1] != digest or event.recomputed_hash() != digest:
                return Verdict(code, True, stamp, False, None)  # found, but not intact: no decree named
            return Verdict(code, True, stamp, True, _decree(reads, public_round, event))
        return Verdict(code, False, stamp)


def _one_event(app: MutasiApplication, round_id: UUID, version: int) -> AuditEvent | None:
    """The round's event at `version`, exactly as stored."""
    stored = app.recorder.select_events(round_id, gt=version - 1, lte=version)
    if not stored:
        return None
    return AuditEvent(round_id, stored[0].originator_version, stored[0].topic, app.mapper.stored_state(stored[0]))


def _decree(reads: PublicReads, public_round: dict[str, Any], event: AuditEvent) -> dict[str, Any]:
    data = event.data
    decree = data.get("decree") or {}
    entry = reads.decree(str(data.get("proposal_id"))) or {}
    return {
        "round_id": public_round["round_id"],
        "round_title": public_round["round_title"],
        "agency": public_round["agency"],
        "number": decree.get("number"),
        "signed_on": decree.get("signed_on"),
        "effective_on": decree.get("effective_on"),
        "name": entry.get("name"),
        "nip_masked": entry.get("nip_masked"),
        "position": entry.get("position"),
        "unit": entry.get("unit"),
        "standing": entry.get("decree_number") == decree.get("number"),
    }
