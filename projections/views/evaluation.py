"""Post-transfer evaluation: performance before versus after each executed transfer."""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.employee import Employee
from domain.mutation_round import MutationRound
from domain.vocabulary import Predikat
from projections.base import DocumentProjection, plain, remembers_round_titles
from projections.store import Table
from projections.views import row


class EvaluationProjection(DocumentProjection):
    """One row per executed transfer (per proposal) with its evaluations; drops are flagged."""

    name = "evaluation"
    cost = 0.3  # relative rebuild work (measured with bench/projection_rebuild.py)
    tables = (
        Table("transfer", {"round_id": "TEXT", "agency": "TEXT", "unit": "TEXT", "executed": "INTEGER"}),
        Table("round", {}),
    )

    partitioned_otherwise = frozenset(
        {MutationRound.Proposed, MutationRound.TransferExecuted, Employee.TransferEvaluated}
    )  # by their proposal

    def partition_key(self, domain_event: Any) -> Any:
        """A transfer's row follows its proposal (a round's title and agency come from the directory)."""
        kind, event = type(domain_event), domain_event.__dict__  # classes made at runtime: fields unknown to mypy
        if kind is MutationRound.Proposed:
            return event["proposal"].proposal_id
        if kind is Employee.TransferEvaluated:
            return event["evaluation"].proposal_id
        return event.get("proposal_id", domain_event.originator_id)

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events this view does not need are skipped."""

    remembers_round_titles(process_event)

    @process_event.register(MutationRound.Proposed)
    def _proposed(self, e: Any, tracking: Tracking) -> None:
        p = e.proposal
        round_ = self.round(e.originator_id)
        person = self.person(p.employee_id)
        origin, target = self.seat(p.from_position_id), self.seat(p.target_position_id)
        self.put(
            "transfer",
            p.proposal_id,
            plain(
                {
                    "proposal_id": p.proposal_id,
                    "round_id": e.originator_id,
                    "round_title": round_.get("title"),
                    "agency": round_.get("agency"),
                    "employee_id": p.employee_id,
                    "name": person["name"],
                    "nip": person["nip"],
                    "from_title": origin["title"],
                    "from_unit": origin["unit"],
                    "to_title": target["title"],
                    "unit": target["unit"],
                    "executed": 0,
                    "executed_on": None,
                    "evaluations": [],
                    "dropped": False,
                }
            ),
        )

    @process_event.register(MutationRound.TransferExecuted)
    def _executed(self, e: Any, tracking: Tracking) -> None:
        row(self, "transfer", e.proposal_id).update(executed=1, executed_on=plain(e.effective_on))

    @process_event.register(Employee.TransferEvaluated)
    def _evaluated(self, e: Any, tracking: Tracking) -> None:
        ev = e.evaluation
        doc = row(self, "transfer", ev.proposal_id)
        dropped = ev.performance_before is not None and not Predikat(ev.performance_after).at_least(
            Predikat(ev.performance_before)
        )
        doc["evaluations"].append(
            plain(
                {
                    "months_after": ev.months_after,
                    "evaluated_on": ev.evaluated_on,
                    "performance_before": ev.performance_before,
                    "performance_after": ev.performance_after,
                    "adaptation": ev.adaptation,
                    "service_quality": ev.service_quality,
                    "notes": ev.notes,
                    "corrective_action": ev.corrective_action,
                    "dropped": dropped,
                }
            )
        )
        doc["dropped"] = doc["dropped"] or dropped
