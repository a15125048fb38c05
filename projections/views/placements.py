"""Placement history: every stretch of every employee, and who held each position when."""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.employee import Employee
from domain.position import Position
from projections.base import DocumentProjection, plain
from projections.store import Table
from projections.views import row


class PlacementsProjection(DocumentProjection):
    """Per employee: the stretches served; per position: its holders with since and until."""

    name = "placements"
    cost = 4  # relative rebuild work (measured with bench/projection_rebuild.py)
    tables = (Table("employee", {"nip": "TEXT"}), Table("position", {"unit": "TEXT"}))

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events this view does not need are skipped."""

    @process_event.register(Position.Established)
    def _established(self, e: Any, tracking: Tracking) -> None:
        self.put(
            "position",
            e.originator_id,
            plain(
                {
                    "position_id": e.originator_id,
                    "title": e.title,
                    "unit": e.unit,
                    "agency": e.agency,
                    "holders": [],
                }
            ),
        )

    @process_event.register(Employee.Registered)
    def _registered(self, e: Any, tracking: Tracking) -> None:
        self.put(
            "employee",
            e.originator_id,
            plain(
                {
                    "employee_id": e.originator_id,
                    "nip": e.nip,
                    "name": e.name,
                    "placements": [],
                }
            ),
        )

    def _stretch(self, employee_id: Any, position_id: Any, since: Any, decree: str, round_id: Any) -> None:
        seat = self.seat(position_id)
        row(self, "employee", employee_id)["placements"].append(
            plain(
                {
                    "position_id": position_id,
                    "title": seat["title"],
                    "unit": seat["unit"],
                    "agency": seat["agency"],
                    "since": since,
                    "until": None,
                    "decree_number": decree,
                    "round_id": round_id,
                }
            )
        )

    def _close_stretch(self, employee_id: Any, until: Any) -> None:
        placements = row(self, "employee", employee_id)["placements"]
        if placements and placements[-1]["until"] is None:
            placements[-1]["until"] = plain(until)

    @process_event.register(Employee.Placed)
    def _placed(self, e: Any, tracking: Tracking) -> None:
        self._stretch(e.originator_id, e.position_id, e.effective_on, e.decree_number, None)

    @process_event.register(Employee.Transferred)
    def _transferred(self, e: Any, tracking: Tracking) -> None:
        self._close_stretch(e.originator_id, e.effective_on)
        self._stretch(e.originator_id, e.to_position_id, e.effective_on, e.decree_number, e.round_id)

    @process_event.register(Employee.Retired)
    def _retired(self, e: Any, tracking: Tracking) -> None:
        self._close_stretch(e.originator_id, e.retired_on)

    @process_event.register(Position.HolderAdded)
    def _holder_added(self, e: Any, tracking: Tracking) -> None:
        person = self.person(e.employee_id)
        row(self, "position", e.originator_id)["holders"].append(
            plain(
                {
                    "employee_id": e.employee_id,
                    "nip": person["nip"],
                    "name": person["name"],
                    "since": e.since,
                    "until": None,
                    "decree_number": e.decree_number,
                    "left_by": None,
                }
            )
        )

    @process_event.register(Position.HolderRemoved)
    def _holder_removed(self, e: Any, tracking: Tracking) -> None:
        for holding in reversed(row(self, "position", e.originator_id)["holders"]):
            if holding["employee_id"] == str(e.employee_id) and holding["until"] is None:
                holding.update(until=plain(e.until), left_by=e.decree_number)
                break
