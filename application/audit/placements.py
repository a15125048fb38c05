"""Placement histories folded from raw events: as recorded at a moment, and as effective on a date.

Decrees are often back-dated: a transfer recorded in May can take effect on 1 March. "As recorded at
T" keeps only the events recorded by T; "effective on D" picks the stretches with since <= D < until.
Pure functions over `AuditEvent`s, so the store replay and the offline bundle replay are the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from application.audit.records import AuditEvent


@dataclass(frozen=True)
class Stretch:
    """One employee in one position from `since` until `until` (exclusive; None while it lasts)."""

    employee_id: UUID
    position_id: UUID
    since: date
    decree_number: str
    recorded_at: datetime | None
    until: date | None = None
    ended_by: str | None = None
    round_id: UUID | None = None

    def effective_on(self, day: date) -> bool:
        """True when the employee held the position on `day`."""
        return self.since <= day and (self.until is None or day < self.until)


def _known(events: Iterable[AuditEvent], recorded_by: datetime | None) -> list[AuditEvent]:
    ordered = sorted(events, key=lambda e: (str(e.originator_id), e.version))
    if recorded_by is None:
        return ordered
    return [e for e in ordered if e.recorded_at is not None and e.recorded_at <= recorded_by]


def _close(stretches: list[Stretch], match: int, until: str, ended_by: str) -> None:
    stretches[match] = replace(stretches[match], until=date.fromisoformat(until), ended_by=ended_by)


def employee_stretches(events: Iterable[AuditEvent], recorded_by: datetime | None = None) -> list[Stretch]:
    """Each employee's placements (Placed, Transferred, Retired), as recorded by `recorded_by`."""
    stretches: list[Stretch] = []
    open_of: dict[UUID, int] = {}
    for event in _known(events, recorded_by):
        data, who = event.data, event.originator_id
        if event.name == "Employee.Placed":
            open_of[who] = len(stretches)
            stretches.append(
                Stretch(
                    who,
                    UUID(data["position_id"]),
                    date.fromisoformat(data["effective_on"]),
                    data["decree_number"],
                    event.recorded_at,
                )
            )
        elif event.name == "Employee.Transferred":
            if who in open_of:
                _close(stretches, open_of[who], data["effective_on"], data["decree_number"])
            open_of[who] = len(stretches)
            stretches.append(
                Stretch(
                    who,
                    UUID(data["to_position_id"]),
                    date.fromisoformat(data["effective_on"]),
                    data["decree_number"],
                    event.recorded_at,
                    round_id=UUID(data["round_id"]),
                )
            )
        elif event.name == "Employee.Retired" and who in open_of:
            _close(stretches, open_of.pop(who), data["retired_on"], "retirement")
    return stretches


def position_stretches(events: Iterable[AuditEvent], recorded_by: datetime | None = None) -> list[Stretch]:
    """Each position's holders (HolderAdded, HolderRemoved), as recorded by `recorded_by`."""
    stretches: list[Stretch] = []
    open_of: dict[tuple[UUID, UUID], int] = {}
    for event in _known(events, recorded_by):
        data, where = event.data, event.originator_id
        if event.name == "Position.HolderAdded":
            who = UUID(data["employee_id"])
            open_of[(where, who)] = len(stretches)
            stretches.append(
                Stretch(who, where, date.fromisoformat(data["since"]), data["decree_number"], event.recorded_at)
            )
        elif event.name == "Position.HolderRemoved":
            match = open_of.pop((where, UUID(data["employee_id"])), None)
            if match is not None:
                _close(stretches, match, data["until"], data["decree_number"])
    return stretches


def effective_on(stretches: Iterable[Stretch], day: date) -> list[Stretch]:
    """The stretches in force on `day`."""
    return [s for s in stretches if s.effective_on(day)]
