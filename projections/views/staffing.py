"""Staffing per unit: formasi versus holders of each position (needs analysis, vacancies, surpluses)."""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.position import Position
from projections.base import DocumentProjection, plain
from projections.store import Table
from projections.views import row


def unit_key(agency: str, unit: str) -> str:
    """The key of a unit's row."""
    return f"{agency}|{unit}"


class StaffingProjection(DocumentProjection):
    """One row per unit with its positions' formasi and holder counts."""

    name = "staffing"
    cost = 1.3  # relative rebuild work (measured with bench/projection_rebuild.py)
    tables = (Table("unit", {"agency": "TEXT", "unit": "TEXT"}),)
    partitioned_otherwise = None  # by unit

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events this view does not need are skipped."""

    def keys_of(self, domain_event: Any, ids: Any) -> dict[str, Any]:
        """A position's unit row (read ahead with the batch; the directory's facts are read first)."""
        if type(domain_event) is Position.Established:
            established: Any = domain_event  # its class is made at runtime (by @event): fields unknown to mypy
            return {"unit": [unit_key(established.agency, established.unit)]}
        seat = self.seat(domain_event.originator_id)
        return {"unit": [unit_key(seat["agency"], seat["unit"])]}

    def partition_key(self, domain_event: Any) -> str:
        """A unit's row gathers its positions: the unit (of the position's agency)."""
        return self.keys_of(domain_event, ())["unit"][0]  # type: ignore[no-any-return]

    def _position(self, position_id: Any) -> dict[str, Any]:
        seat = self.seat(position_id)
        unit = row(self, "unit", unit_key(seat["agency"], seat["unit"]))
        position: dict[str, Any] = unit["positions"][str(position_id)]
        return position

    @process_event.register(Position.Established)
    def _established(self, e: Any, tracking: Tracking) -> None:
        unit = row(
            self, "unit", unit_key(e.agency, e.unit), lambda: {"agency": e.agency, "unit": e.unit, "positions": {}}
        )
        unit["positions"][str(e.originator_id)] = plain(
            {
                "title": e.title,
                "position_type": e.position_type,
                "formasi": e.formasi,
                "holders": 0,
                "abolished": False,
            }
        )

    @process_event.register(Position.FormasiRevised)
    def _formasi(self, e: Any, tracking: Tracking) -> None:
        self._position(e.originator_id)["formasi"] = e.formasi

    @process_event.register(Position.HolderAdded)
    def _added(self, e: Any, tracking: Tracking) -> None:
        self._position(e.originator_id)["holders"] += 1

    @process_event.register(Position.HolderRemoved)
    def _removed(self, e: Any, tracking: Tracking) -> None:
        self._position(e.originator_id)["holders"] -= 1

    @process_event.register(Position.Abolished)
    def _abolished(self, e: Any, tracking: Tracking) -> None:
        self._position(e.originator_id)["abolished"] = True
