"""The register: the employee directory and the position list, for the API's list and search."""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.employee import Employee
from domain.position import Position
from projections.base import DocumentProjection, plain
from projections.store import Table
from projections.views import row


class RegisterProjection(DocumentProjection):
    """Employees with where they serve now; positions with formasi, holders and free seats."""

    name = "register"
    cost = 4.5  # relative rebuild work (measured with bench/projection_rebuild.py)
    tables = (
        Table(
            "employee",
            {
                "nip": "TEXT",
                "name": "TEXT",
                "rank": "TEXT",
                "agency": "TEXT",
                "unit": "TEXT",
                "position_type": "TEXT",
                "status": "TEXT",
            },
        ),
        Table(
            "position",
            {
                "agency": "TEXT",
                "unit": "TEXT",
                "title": "TEXT",
                "position_type": "TEXT",
                "free_seats": "INTEGER",
                "status": "TEXT",
            },
        ),
    )

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events this view does not need are skipped."""

    # -- positions ---------------------------------------------------------------

    @process_event.register(Position.Established)
    def _established(self, e: Any, tracking: Tracking) -> None:
        self.put(
            "position",
            e.originator_id,
            plain(
                {
                    "position_id": e.originator_id,
                    "agency": e.agency,
                    "unit": e.unit,
                    "title": e.title,
                    "position_type": e.position_type,
                    "rank_min": e.rank_min,
                    "rank_max": e.rank_max,
                    "formasi": e.formasi,
                    "standard": e.standard,
                    "min_jpm": e.min_jpm,
                    "holders": [],
                    "free_seats": e.formasi,
                    "status": "active",
                    "abolished_on": None,
                }
            ),
        )

    @process_event.register(Position.StandardRevised)
    def _standard(self, e: Any, tracking: Tracking) -> None:
        doc = row(self, "position", e.originator_id)
        doc.update(standard=plain(e.standard), min_jpm=plain(e.min_jpm))

    @process_event.register(Position.FormasiRevised)
    def _formasi(self, e: Any, tracking: Tracking) -> None:
        doc = row(self, "position", e.originator_id)
        doc["formasi"] = e.formasi
        doc["free_seats"] = e.formasi - len(doc["holders"])

    @process_event.register(Position.HolderAdded)
    def _holder_added(self, e: Any, tracking: Tracking) -> None:
        doc = row(self, "position", e.originator_id)
        doc["holders"].append(str(e.employee_id))
        doc["free_seats"] = doc["formasi"] - len(doc["holders"])

    @process_event.register(Position.HolderRemoved)
    def _holder_removed(self, e: Any, tracking: Tracking) -> None:
        doc = row(self, "position", e.originator_id)
        doc["holders"].remove(str(e.employee_id))
        doc["free_seats"] = doc["formasi"] - len(doc["holders"])

    @process_event.register(Position.Abolished)
    def _abolished(self, e: Any, tracking: Tracking) -> None:
        doc = row(self, "position", e.originator_id)
        doc.update(status="abolished", abolished_on=plain(e.abolished_on))

    # -- employees ---------------------------------------------------------------

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
                    "rank": e.rank,
                    "position_id": None,
                    "position_title": None,
                    "agency": None,
                    "unit": None,
                    "position_type": None,
                    "since": None,
                    "status": "active",
                    "retired_on": None,
                }
            ),
        )

    @process_event.register(Employee.RankChanged)
    def _rank(self, e: Any, tracking: Tracking) -> None:
        row(self, "employee", e.originator_id)["rank"] = plain(e.rank)

    def _seat(self, employee_id: Any, position_id: Any, since: Any) -> None:
        doc = row(self, "employee", employee_id)
        position = self.seat(position_id)  # fixed when established: the directory's, not a row of ours
        doc.update(
            position_id=str(position_id),
            position_title=position.get("title"),
            agency=position.get("agency"),
            unit=position.get("unit"),
            position_type=position.get("position_type"),
            since=plain(since),
        )

    @process_event.register(Employee.Placed)
    def _placed(self, e: Any, tracking: Tracking) -> None:
        self._seat(e.originator_id, e.position_id, e.effective_on)

    @process_event.register(Employee.Transferred)
    def _transferred(self, e: Any, tracking: Tracking) -> None:
        self._seat(e.originator_id, e.to_position_id, e.effective_on)

    @process_event.register(Employee.Retired)
    def _retired(self, e: Any, tracking: Tracking) -> None:
        doc = row(self, "employee", e.originator_id)
        doc.update(
            status="retired",
            retired_on=plain(e.retired_on),
            position_id=None,
            position_title=None,
            position_type=None,
            since=None,
        )
