"""What a printed document of a round is made from: the round as of one event, and that event's proof.

Each document is drawn from the round **as of its anchor event** (the last `DecreeIssued` for the
decree; the announcement, or a decision taken again after it, for the announcement; the round's
latest event for the evaluation summary), and the employees and positions as recorded at that
moment. So the same store gives the same document, byte for byte, whatever happens afterwards to
other records; and the document carries the anchor's verification code: a decree (SK) the receipt
code of its anchor decree event in the witnessed transparency log (`Anchor.receipt_code`), the other
documents the anchor event's own chain hash (`__chain__`, see
`application.persistence.chain`), with the store position (notification id) it was made from. Anyone can
check both with `mutasi audit history --round ID` or `mutasi audit verify --aggregate ID`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from application.audit.receipts import event_receipt_code
from application.audit.records import AuditEvent
from application.audit.replay import history
from application.errors import EmployeeNotFound, NotFoundError, PositionNotFound, RoundNotFound
from application.persistence.event_log import EventLog
from application.service import MutasiApplication
from domain.errors import IllegalTransition
from domain.mutation_round import MutationRound, RoundStatus
from domain.proposal import Proposal, ProposalStatus


class DocumentKind(str, Enum):
    """The printable documents of a round."""

    DECREE = "decree"
    ANNOUNCEMENT = "announcement"
    EVALUATION = "evaluation"


class NoDecreeYet(IllegalTransition):
    """The round has no decree (SK) to print yet."""

    code = "decree-missing"


class NotAnnouncedYet(IllegalTransition):
    """The round is not announced: it has no announcement to print."""

    code = "round-not-announced"


_ANCHORS = {
    DocumentKind.DECREE: ("MutationRound.DecreeIssued",),
    DocumentKind.ANNOUNCEMENT: ("MutationRound.Announced", "MutationRound.Decided", "MutationRound.DecisionReopened"),
}
APPROVED = (ProposalStatus.APPROVED, ProposalStatus.DECREED, ProposalStatus.EXECUTED)


@dataclass(frozen=True)
class Anchor:
    """The event a document is made from and how to check it."""

    event: str
    version: int
    hash: str | None
    position: int | None
    recorded_at: datetime | None

    @property
    def short_code(self) -> str:
        """The printed code: the first 16 hex digits of the hash in groups of four (upper case)."""
        if not self.hash:
            return "-"
        head = self.hash[:16].upper()
        return "-".join(head[i : i + 4] for i in range(0, 16, 4))

    @property
    def receipt_code(self) -> str | None:
        """For a decree's event: the code of its receipt in the transparency log (`GET
        /public/receipts/{code}`, `mutasi audit verify-receipt`), fixed by the event's position and
        hash, so it is printed before the next signed tree head makes the receipt available. None
        for other events, or where the store keeps no positions (memory)."""
        if self.event.split(".")[-1] != "DecreeIssued" or not self.hash or self.position is None:
            return None
        return event_receipt_code(self.position, self.hash)

    @property
    def printed_code(self) -> str:
        """The code every page prints: a decree's receipt code, the other documents' shortened hash."""
        return self.receipt_code or self.short_code

    def qr_payload(self, round_id: UUID, kind: DocumentKind) -> str:
        """What the QR code holds: the full hash, where it sits in the record, and a decree's receipt code."""
        receipt = f";tanda_terima={self.receipt_code}" if self.receipt_code else ""
        return (
            f"MUTASI-VERIFIKASI;dokumen={kind.value};putaran={round_id};peristiwa={self.event};"
            f"versi={self.version};posisi={self.position if self.position is not None else '-'};"
            f"sha256={self.hash or '-'}{receipt}"
        )


@dataclass(frozen=True)
class Person:
    """An employee as printed."""

    name: str
    nip: str
    rank: str | None


@dataclass(frozen=True)
class Seat:
    """A position as printed."""

    title: str
    unit: str
    agency: str | None


@dataclass
class Line:
    """One transfer of the round as printed."""

    proposal: Proposal
    person: Person
    origin: Seat
    target: Seat


@dataclass
class RoundPaper:
    """Everything a document of one round prints."""

    kind: DocumentKind
    round: MutationRound
    anchor: Anchor
    lines: list[Line]
    counts: dict[str, int]
    announced_by: str | None = None
    objection_window_closes_on: date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _anchor(
    app: MutasiApplication, round_id: UUID, events: list[AuditEvent], names: tuple[str, ...] | None, after: int = 0
) -> AuditEvent | None:
    chosen = [e for e in events if e.version > after and (names is None or e.name in names)]
    return chosen[-1] if chosen else None


def _position_of(app: MutasiApplication, round_id: UUID, version: int) -> int | None:
    """The store position (notification id) of the round's event at `version` (None on the memory store)."""
    return EventLog(app.recorder).positions(round_id).get(version)


def _as_of(
    app: MutasiApplication, loader: Any, aggregate_id: UUID, moment: datetime | None, missing: type[NotFoundError]
) -> Any:
    """An employee or position as recorded at `moment` (now when it had no events yet then)."""
    if moment is not None:
        try:
            return loader(aggregate_id, as_of=moment)
        except missing:
            pass
    return loader(aggregate_id)


def gather(app: MutasiApplication, round_id: UUID, kind: DocumentKind, public: bool = False) -> RoundPaper:
    """The round as of the anchor of `kind` with its transfers (see the module). `public`: the
    announcement as the public asks for it: an unannounced round is `RoundNotFound`, in the same words
    as an id that names no round."""
    unpublished = RoundNotFound(f"no announced round {round_id}")
    try:
        events = history(app, round_id, "MutationRound")
    except NotFoundError:
        raise (unpublished if public else RoundNotFound(f"no round {round_id}")) from None
    announced = next((e for e in events if e.name == "MutationRound.Announced"), None)
    if kind is DocumentKind.ANNOUNCEMENT and announced is None:
        if public:
            raise unpublished
        raise NotAnnouncedYet(f"the round {round_id} is not announced yet: there is no announcement to print")
    if kind is DocumentKind.ANNOUNCEMENT:
        assert announced is not None
        event = _anchor(app, round_id, events, _ANCHORS[kind], after=announced.version - 1)
    elif kind is DocumentKind.DECREE:
        event = _anchor(app, round_id, events, _ANCHORS[kind])
        if event is None:
            raise NoDecreeYet(f"no decree (SK) has been issued in the round {round_id} yet")
    else:
        event = events[-1]
    assert event is not None
    link = event.link
    anchor = Anchor(
        event.name,
        event.version,
        link[1] if link else None,
        _position_of(app, round_id, event.version),
        event.recorded_at,
    )
    mutation_round = app.get_round(round_id, version=event.version)
    if public and mutation_round.status not in (RoundStatus.ANNOUNCED, RoundStatus.CLOSED):
        raise unpublished
    proposals = list(mutation_round.proposals.values())
    if kind is DocumentKind.DECREE:
        chosen = [p for p in proposals if p.decree is not None]
    elif kind is DocumentKind.ANNOUNCEMENT:
        chosen = [p for p in proposals if p.status in APPROVED]
    else:
        chosen = [p for p in proposals if p.executed_on is not None or p.decree is not None]
    moment = anchor.recorded_at
    lines = []
    for proposal in chosen:
        employee = _as_of(app, app.get_employee, proposal.employee_id, moment, EmployeeNotFound)
        origin = _as_of(app, app.get_position, proposal.from_position_id, moment, PositionNotFound)
        target = _as_of(app, app.get_position, proposal.target_position_id, moment, PositionNotFound)
        lines.append(
            Line(
                proposal,
                Person(employee.name, employee.nip, getattr(employee.rank, "value", employee.rank)),
                Seat(origin.title, origin.unit, origin.agency),
                Seat(target.title, target.unit, target.agency),
            )
        )
    lines.sort(key=lambda line: (line.target.unit, line.target.title, line.person.name, str(line.proposal.proposal_id)))
    statuses = [p.status for p in proposals]
    counts = {
        "proposals": len(proposals),
        "approved": sum(1 for s in statuses if s in APPROVED),
        "rejected": statuses.count(ProposalStatus.REJECTED),
        "withdrawn": statuses.count(ProposalStatus.WITHDRAWN),
        "decreed": sum(1 for p in proposals if p.decree is not None),
        "executed": sum(1 for p in proposals if p.executed_on is not None),
        "evaluated": sum(1 for p in proposals if p.evaluations),
        "objections": len(mutation_round.objections),
        "overrides": sum(
            len(p.decision.overrides)
            for p in proposals
            if p.decision is not None and getattr(p.decision, "overrides", None)
        ),
    }
    policy = app.settings.rules.policy()
    return RoundPaper(
        kind,
        mutation_round,
        anchor,
        lines,
        counts,
        announced_by=(announced.data.get("by") or {}).get("user") if announced else None,
        objection_window_closes_on=mutation_round.objection_window_closes_on(policy),
    )
