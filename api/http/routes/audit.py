"""/audit: the auditor's read-only view of the event store itself (never of the projections).

Histories of employees, positions and rounds with every event's metadata and hashes; placements as
recorded at a moment and as effective on a date; who held which position of a unit on a date; the
global feed (`after`, `limit`); verification of the store (against the signed tree heads) or of one
aggregate; the segment checkpoints kept from earlier versions and the public key that verifies them
(the signed tree head itself is public: `GET /public/log/checkpoint`).

Auditors are national (agencies `["*"]`: BKN, BPK) or of one agency (its Inspektorat). An agency auditor
reads the histories, placements and verification of its agency's employees, positions and rounds
(`application.authority` says whose record is whose) and the units of its agency; the global feed, the
whole-store verification and the legacy checkpoints span every agency and are for national auditors only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

from api.http.deps import Application, CurrentActor
from api.http.problems import RequestRefused, documented
from api.http.routes.common import GUARDED
from application.audit import replay
from application.audit.checks import Verification
from application.audit.placements import Stretch
from application.audit.records import AuditEvent, Checkpoint
from application.audit.signing import SigningKeyMissing, fingerprint, load_private_key, public_pem
from application.audit.storage import AuditStorage, signing_key_path
from application.audit.verify import verify_aggregate, verify_record
from application.authority import check_national
from application.context import Actor
from application.errors import NotFoundError
from application.service import MutasiApplication
from domain.authority import check_acts_for
from domain.employee import Employee
from domain.mutation_round import MutationRound
from domain.position import Position

router = APIRouter(prefix="/audit", tags=["audit"], dependencies=GUARDED)
public_router = APIRouter(prefix="/public", tags=["public"], dependencies=GUARDED)
"""The public half of the signing key is published to anyone: verifying needs no account."""
_ERRORS = documented(401, 403, 404, 422, 503)

RecordedAt = Annotated[
    AwareDatetime | None,
    Query(description="as recorded at this moment (ISO 8601 with time zone): later events are ignored"),
]
EffectiveOn = Annotated[date | None, Query(description="list what was in force on this date (TMT)")]


class AuditKeyMissing(RequestRefused):
    """No signing key is configured for the audit log."""

    status, code, title = 503, "audit-key-missing", "Audit signing key not configured"


class EventOut(BaseModel):
    """One stored event exactly as recorded, with its metadata and hash-chain link."""

    position: int | None = Field(description="store position (notification id); null in histories")
    originator_id: UUID
    version: int
    event: str = Field(description="event class, e.g. Employee.Transferred")
    topic: str
    recorded_at: datetime | None
    actor: str | None
    correlation_id: str | None
    data: dict[str, Any]
    previous_hash: str | None
    hash: str | None

    @classmethod
    def of(cls, event: AuditEvent) -> EventOut:
        """The response form of an event."""
        meta, link = event.metadata, event.link
        return cls(
            position=event.position,
            originator_id=event.originator_id,
            version=event.version,
            event=event.name,
            topic=event.topic,
            recorded_at=event.recorded_at,
            actor=meta.get("actor"),
            correlation_id=meta.get("correlation_id"),
            data=event.data,
            previous_hash=link[0] if link else None,
            hash=link[1] if link else None,
        )


class HistoryOut(BaseModel):
    """Every event of one aggregate, in version order."""

    aggregate_id: UUID
    events: list[EventOut]


class FeedOut(BaseModel):
    """A page of the global feed; ask for the next page with `after=next_after`."""

    events: list[EventOut]
    next_after: int = Field(description="the position to pass as `after` for the next page")
    head: int = Field(description="the store's last position when the page was read")


class StretchOut(BaseModel):
    """An employee in a position from `since` until `until` (exclusive; null while it lasts)."""

    employee_id: UUID
    position_id: UUID
    since: date
    until: date | None
    decree_number: str
    ended_by: str | None = Field(description="the decree (or 'retirement') that ended it")
    round_id: UUID | None
    recorded_at: datetime | None = Field(description="when the stretch's start was recorded")

    @classmethod
    def of(cls, stretch: Stretch) -> StretchOut:
        """The response form of a stretch."""
        return cls(**{name: getattr(stretch, name) for name in cls.model_fields})


class PlacementsOut(BaseModel):
    """Placements as recorded at `recorded_at` (or now), and those in force on `effective_on`."""

    aggregate_id: UUID
    recorded_at: datetime | None
    effective_on: date | None
    version: int | None = Field(description="the aggregate's version as recorded then (null: not yet)")
    stretches: list[StretchOut]
    in_force: list[StretchOut] | None = Field(description="the stretches in force on `effective_on`")


class UnitPositionOut(BaseModel):
    """A position of the unit and who held it on the date."""

    position_id: UUID
    title: str
    holders: list[StretchOut]


class UnitOut(BaseModel):
    """Who held which position of a unit on a date."""

    agency: str
    unit: str
    effective_on: date
    recorded_at: datetime | None
    positions: list[UnitPositionOut]


class FailureOut(BaseModel):
    """The first failure: where and why."""

    reason: str
    position: int | None
    originator_id: UUID | None
    version: int | None
    checkpoint: int | None = Field(description="the legacy segment checkpoint concerned, if any")
    tree_size: int | None = Field(None, description="the size of the signed tree head concerned, if any")


class VerificationOut(BaseModel):
    """The outcome of a verification."""

    ok: bool
    events: int = Field(description="events verified before the first failure (all when ok)")
    checkpoints: int = Field(description="legacy segment checkpoints verified (none in a store made since)")
    uncovered: int = Field(
        description="events verified that no signed tree head covers yet (the whole "
        "store fails once the oldest of them is older than the configured bound)"
    )
    failure: FailureOut | None
    tree_size: int | None = Field(
        None, description="size of the latest signed tree head, checked against the events (null: none signed yet)"
    )
    cosigners: list[str] = Field(
        default_factory=list, description=("the configured witnesses whose cosignature on that tree head verifies")
    )

    @classmethod
    def of(cls, result: Verification) -> VerificationOut:
        """The response form of a verification."""
        failure = result.failure
        return cls(
            ok=result.ok,
            events=result.events,
            checkpoints=result.checkpoints,
            uncovered=result.uncovered,
            tree_size=result.tree_size,
            cosigners=list(result.cosigners),
            failure=None
            if failure is None
            else FailureOut(
                reason=failure.reason,
                position=failure.position,
                originator_id=failure.originator_id,
                version=failure.version,
                checkpoint=failure.checkpoint,
                tree_size=failure.head,
            ),
        )


class PublicKeyOut(BaseModel):
    """The Ed25519 public key that verifies tree heads, receipts and bundles."""

    algorithm: Literal["Ed25519"] = "Ed25519"
    public_key_pem: str
    fingerprint: str = Field(description="SHA-256 of the raw 32-byte public key, hex")


def _storage(app: Application) -> AuditStorage:
    try:
        return AuditStorage(app.stores)
    except ValueError as error:
        raise AuditKeyMissing(str(error)) from None


def _public_key(app: Application) -> Any:
    try:
        return load_private_key(signing_key_path(app.settings)).public_key()
    except SigningKeyMissing as error:
        raise AuditKeyMissing(str(error)) from None


@public_router.get(
    "/audit-public-key",
    name="public.audit_public_key",
    summary="The audit public key",
    response_model=PublicKeyOut,
    responses=documented(401, 422, 503),
)
def public_key(app: Application) -> PublicKeyOut:
    """The public half of the key that signs tree heads and bundles (give it to `mutasi audit verify`)."""
    key = _public_key(app)
    return PublicKeyOut(public_key_pem=public_pem(key), fingerprint=fingerprint(key))


@router.get(
    "/checkpoints",
    name="audit.checkpoints",
    summary="Legacy segment checkpoints",
    response_model=list[Checkpoint],
    responses=_ERRORS,
)
def checkpoints(app: Application, actor: CurrentActor) -> list[Checkpoint]:
    """Every segment checkpoint earlier versions signed, in order: the Merkle root over positions
    `first`..`last`, chained to the previous checkpoint (`previous`), signed with the key of
    `GET /public/audit-public-key`. None are made any more (the signed tree head of
    `GET /public/log/checkpoint` replaced them); those kept are still verified.
    National auditors only: checkpoints cover every agency's events."""
    check_national(actor.official, "the store's checkpoints")
    return _storage(app).checkpoints()


@router.get(
    "/verify", name="audit.verify", summary="Verify the hash chain", response_model=VerificationOut, responses=_ERRORS
)
def verify(
    app: Application,
    actor: CurrentActor,
    aggregate_id: Annotated[
        UUID | None,
        Query(description="verify only this aggregate's hash chain (else the whole store and every tree head)"),
    ] = None,
) -> VerificationOut:
    """Check every event against its hash and chain, the tree over the events against every signed tree
    head (and the witnesses' quorum), and any legacy checkpoint; report the first failure. The whole
    store also fails when something is missing that the store can tell: no signed tree head at all,
    events no head covers recorded longer ago than the bound, positions handed out that hold no
    event. The whole store: national auditors only; one aggregate: an auditor of its agency too."""
    if aggregate_id is not None:
        app.check_reaches(actor, aggregate_id, "this record's history")
        return VerificationOut.of(verify_aggregate(app, aggregate_id))
    check_national(actor.official, "the whole store")
    return VerificationOut.of(verify_record(app, _storage(app).checkpoints(), _public_key(app)))


@router.get("/events", name="audit.feed", summary="The global event feed", response_model=FeedOut, responses=_ERRORS)
def feed(
    app: Application,
    actor: CurrentActor,
    after: Annotated[int, Query(ge=0, le=2**62, description="the last position already read")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="events per page")] = 100,
) -> FeedOut:
    """The global event feed in store order; stable while others write (no skips, no repeats).
    National auditors only: the feed holds every agency's events."""
    check_national(actor.official, "the global event feed")
    page = replay.feed(app, after, limit)
    return FeedOut(events=[EventOut.of(e) for e in page.events], next_after=page.next_after, head=page.head)


_KINDS: dict[str, tuple[type, str]] = {
    "Employee": (Employee, "employee"),
    "Position": (Position, "position"),
    "MutationRound": (MutationRound, "round"),
}


def _reached(app: MutasiApplication, actor: Actor, aggregate_id: UUID, kind: str) -> None:
    """Refuse an auditor who does not act for the agency of the `kind` record `aggregate_id`."""
    cls, noun = _KINDS[kind]
    app.check_reaches(actor, aggregate_id, f"this {noun}'s history", cls)


def _history(app: MutasiApplication, actor: Actor, aggregate_id: UUID, kind: str) -> HistoryOut:
    _reached(app, actor, aggregate_id, kind)
    try:
        events = replay.history(app, aggregate_id, kind)
    except NotFoundError:  # said in the domain's words ("round"), whatever the aggregate's class is called
        raise NotFoundError(f"no {_KINDS[kind][1]} {aggregate_id} in the event store") from None
    return HistoryOut(aggregate_id=aggregate_id, events=[EventOut.of(e) for e in events])


@router.get(
    "/employees/{employee_id}/history",
    name="audit.employee_history",
    summary="An employee's events",
    response_model=HistoryOut,
    responses=_ERRORS,
)
def employee_history(employee_id: UUID, app: Application, actor: CurrentActor) -> HistoryOut:
    """Every event of the employee, in order, with acting user, correlation id and recording time."""
    return _history(app, actor, employee_id, "Employee")


@router.get(
    "/positions/{position_id}/history",
    name="audit.position_history",
    summary="A position's events",
    response_model=HistoryOut,
    responses=_ERRORS,
)
def position_history(position_id: UUID, app: Application, actor: CurrentActor) -> HistoryOut:
    """Every event of the position, in order, with its metadata."""
    return _history(app, actor, position_id, "Position")


@router.get(
    "/rounds/{round_id}/history",
    name="audit.round_history",
    summary="A round's events",
    response_model=HistoryOut,
    responses=_ERRORS,
)
def round_history(round_id: UUID, app: Application, actor: CurrentActor) -> HistoryOut:
    """Every event of the mutation round, in order, with its metadata."""
    return _history(app, actor, round_id, "MutationRound")


def _placements(
    aggregate_id: UUID, read: replay.Placements, recorded_at: datetime | None, effective_on: date | None
) -> PlacementsOut:
    return PlacementsOut(
        aggregate_id=aggregate_id,
        recorded_at=recorded_at,
        effective_on=effective_on,
        version=read.version,
        stretches=[StretchOut.of(s) for s in read.stretches],
        in_force=None if read.held_on is None else [StretchOut.of(s) for s in read.held_on],
    )


@router.get(
    "/employees/{employee_id}/placements",
    name="audit.employee_placements",
    summary="An employee's placements as recorded",
    response_model=PlacementsOut,
    responses=_ERRORS,
)
def employee_placements(
    employee_id: UUID,
    app: Application,
    actor: CurrentActor,
    recorded_at: RecordedAt = None,
    effective_on: EffectiveOn = None,
) -> PlacementsOut:
    """The employee's placements as recorded at a moment (or as known now), and the one in force on a date."""
    _reached(app, actor, employee_id, "Employee")
    read = replay.employee_placements(app, employee_id, recorded_at, effective_on)
    return _placements(employee_id, read, recorded_at, effective_on)


@router.get(
    "/positions/{position_id}/holders",
    name="audit.position_holders",
    summary="A position's holders as recorded",
    response_model=PlacementsOut,
    responses=_ERRORS,
)
def position_holders(
    position_id: UUID,
    app: Application,
    actor: CurrentActor,
    recorded_at: RecordedAt = None,
    effective_on: EffectiveOn = None,
) -> PlacementsOut:
    """Who held the position, as recorded at a moment (or as known now), and who held it on a date."""
    _reached(app, actor, position_id, "Position")
    read = replay.position_holders(app, position_id, recorded_at, effective_on)
    return _placements(position_id, read, recorded_at, effective_on)


Text = Annotated[str, Query(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]


@router.get(
    "/units/holders",
    name="audit.unit_holders",
    summary="Who held a unit's positions on a date",
    response_model=UnitOut,
    responses=_ERRORS,
)
def unit_holders(
    agency: Text,
    unit: Text,
    effective_on: Annotated[date, Query(description="the date (TMT) to list the holders of")],
    app: Application,
    actor: CurrentActor,
    recorded_at: RecordedAt = None,
) -> UnitOut:
    """Who held which position of a unit on a date, as recorded at a moment (or as known now)."""
    check_acts_for(actor.official, agency, "its units")
    positions = replay.unit_holders(app, agency, unit, effective_on, recorded_at)
    return UnitOut(
        agency=agency,
        unit=unit,
        effective_on=effective_on,
        recorded_at=recorded_at,
        positions=[
            UnitPositionOut(position_id=p.position_id, title=p.title, holders=[StretchOut.of(s) for s in p.holders])
            for p in positions
        ],
    )
