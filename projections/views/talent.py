"""Talent map (9-box) and development needs: latest rating and assessment, standards, JP hours."""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.employee import Employee
from domain.mutation_round import MutationRound
from domain.performance import performance_level
from domain.position import Position
from domain.talent import talent_box
from domain.vocabulary import Predikat
from projections.base import SEAT, DocumentProjection, plain, remember_seat
from projections.store import Table
from projections.views import row

_FOLLOWS_PROPOSAL = (MutationRound.ProposalWithdrawn, MutationRound.Decided, MutationRound.DecisionReopened)


class TalentProjection(DocumentProjection):
    """One row per employee: box, potential, ratings, scores, current and target position, plans."""

    name = "talent"
    cost = 5.6  # relative rebuild work (measured with bench/projection_rebuild.py)
    tables = (
        Table("employee", {"agency": "TEXT", "unit": "TEXT", "box": "INTEGER", "status": "TEXT"}),
        Table("proposal", {}),
        SEAT,
    )

    def keys_of(self, domain_event: Any, ids: Any) -> dict[str, Any] | None:
        """The event's ids; a decision, withdrawal or reopening also touches the proposal's employee,
        read ahead from the proposal's row in a second step (`prefetch`)."""
        if type(domain_event) in _FOLLOWS_PROPOSAL:
            self._follow.add(str(domain_event.proposal_id))
        return super().keys_of(domain_event, ids)

    def prefetch(self, keys: dict[str, set[str]]) -> None:
        super().prefetch(keys)
        follow, self._follow = self._follow, set()
        proposals = (self.get("proposal", proposal_id) for proposal_id in sorted(follow))
        employees = {proposal["employee_id"] for proposal in proposals if proposal}
        if employees:
            self.view.prefetch({"employee": employees})

    partitioned_otherwise = frozenset({MutationRound.Proposed, *_FOLLOWS_PROPOSAL})  # by their employee

    def partition_key(self, domain_event: Any) -> Any:
        """An employee's row follows the employee, and the proposals that name them."""
        if type(domain_event) is MutationRound.Proposed:
            return domain_event.proposal.employee_id
        if type(domain_event) in _FOLLOWS_PROPOSAL:
            return self._directory().proposed(domain_event.originator_id, domain_event.proposal_id)
        return domain_event.originator_id

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events this view does not need are skipped."""

    @process_event.register(Position.Established)
    def _established(self, e: Any, tracking: Tracking) -> None:
        remember_seat(self, e)

    @process_event.register(Position.StandardRevised)
    def _standard(self, e: Any, tracking: Tracking) -> None:
        row(self, "seat", e.originator_id)["standard"] = plain(e.standard)

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
                    "status": "active",
                    "position_id": None,
                    "agency": None,
                    "unit": None,
                    "title": None,
                    "ratings": {},
                    "assessment": None,
                    "box": None,
                    "performance": None,
                    "potential": None,
                    "target_position_id": None,
                    "target_proposal_id": None,
                    "plans": {},
                }
            ),
        )

    def _rebox(self, doc: dict[str, Any]) -> None:
        ratings, assessment = doc["ratings"], doc["assessment"]
        doc["performance"] = plain(performance_level(Predikat(ratings[max(ratings, key=int)]))) if ratings else None
        doc["potential"] = assessment["potential"] if assessment else None
        doc["box"] = (
            talent_box(doc["performance"], doc["potential"]).box if doc["performance"] and doc["potential"] else None
        )

    @process_event.register(Employee.PerformanceRated)
    def _rated(self, e: Any, tracking: Tracking) -> None:
        doc = row(self, "employee", e.originator_id)
        doc["ratings"][str(e.rating.year)] = plain(e.rating.predikat)
        self._rebox(doc)

    @process_event.register(Employee.CompetencyAssessed)
    def _assessed(self, e: Any, tracking: Tracking) -> None:
        doc, a = row(self, "employee", e.originator_id), e.assessment
        if doc["assessment"] is None or doc["assessment"]["assessed_on"] <= a.assessed_on.isoformat():
            doc["assessment"] = plain({"scores": a.scores, "potential": a.potential, "assessed_on": a.assessed_on})
        self._rebox(doc)

    @process_event.register(Employee.RankChanged)
    def _rank(self, e: Any, tracking: Tracking) -> None:
        row(self, "employee", e.originator_id)["rank"] = plain(e.rank)

    def _seat(self, employee_id: Any, position_id: Any) -> None:
        seat = self.seat(position_id)  # fixed when established: the directory's, not the seat row
        row(self, "employee", employee_id).update(
            position_id=str(position_id),
            agency=seat["agency"],
            unit=seat["unit"],
            title=seat["title"],
        )

    @process_event.register(Employee.Placed)
    def _placed(self, e: Any, tracking: Tracking) -> None:
        self._seat(e.originator_id, e.position_id)

    @process_event.register(Employee.Transferred)
    def _transferred(self, e: Any, tracking: Tracking) -> None:
        self._seat(e.originator_id, e.to_position_id)
        row(self, "employee", e.originator_id).update(target_position_id=None, target_proposal_id=None)

    @process_event.register(Employee.Retired)
    def _retired(self, e: Any, tracking: Tracking) -> None:
        row(self, "employee", e.originator_id).update(status="retired", position_id=None)

    @process_event.register(Employee.DevelopmentPlanned)
    def _planned(self, e: Any, tracking: Tracking) -> None:
        row(self, "employee", e.originator_id)["plans"][str(e.plan_id)] = plain(
            {
                "activity": e.activity,
                "title": e.title,
                "competency": e.competency,
                "jp_hours": e.jp_hours,
                "due_on": e.due_on,
                "completed_on": None,
                "jp_hours_done": 0,
            }
        )

    @process_event.register(Employee.DevelopmentCompleted)
    def _completed(self, e: Any, tracking: Tracking) -> None:
        plan = row(self, "employee", e.originator_id)["plans"][str(e.plan_id)]
        plan.update(completed_on=plain(e.completed_on), jp_hours_done=e.jp_hours)

    # -- the target position of a pending proposal --------------------------------

    @process_event.register(MutationRound.Proposed)
    def _proposed(self, e: Any, tracking: Tracking) -> None:
        p = e.proposal
        self.put(
            "proposal",
            p.proposal_id,
            {"employee_id": str(p.employee_id), "target_position_id": str(p.target_position_id)},
        )
        row(self, "employee", p.employee_id).update(
            target_position_id=str(p.target_position_id), target_proposal_id=str(p.proposal_id)
        )

    def _drop_target(self, proposal_id: Any) -> None:
        employee_id = (self.get("proposal", proposal_id) or {}).get("employee_id")
        doc = self.edit("employee", employee_id) if employee_id else None
        if doc is not None and doc["target_proposal_id"] == str(proposal_id):
            doc.update(target_position_id=None, target_proposal_id=None)

    @process_event.register(MutationRound.ProposalWithdrawn)
    def _withdrawn(self, e: Any, tracking: Tracking) -> None:
        self._drop_target(e.proposal_id)

    def _restore_target(self, proposal_id: Any) -> None:
        """A reopened (or again approved) proposal is pending again: its target is the employee's,
        unless a later proposal took its place."""
        proposal = self.get("proposal", proposal_id) or {}
        employee = self.get("employee", proposal["employee_id"]) if proposal.get("target_position_id") else None
        if employee is not None and employee["target_proposal_id"] is None:  # edited (rewritten) only then
            row(self, "employee", proposal["employee_id"]).update(
                target_position_id=proposal["target_position_id"], target_proposal_id=str(proposal_id)
            )

    @process_event.register(MutationRound.Decided)
    def _decided(self, e: Any, tracking: Tracking) -> None:
        if not e.decision.approved:
            self._drop_target(e.proposal_id)
        else:  # decided again after an objection reopened a rejection
            self._restore_target(e.proposal_id)

    @process_event.register(MutationRound.DecisionReopened)
    def _reopened(self, e: Any, tracking: Tracking) -> None:
        self._restore_target(e.proposal_id)
