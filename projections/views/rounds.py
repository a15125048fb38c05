"""The round board: every proposal of a round with JPM, the rules one by one, paperwork and decision,
its objections and their state, and the decisions an upheld objection reopened."""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.mutation_round import MutationRound
from projections.base import DocumentProjection, actor_of, plain, recorded_at
from projections.store import Table
from projections.views import row


class RoundBoardProjection(DocumentProjection):
    """One row per round with its proposals as they stand."""

    name = "round_board"
    cost = 0.3  # relative rebuild work (measured with bench/projection_rebuild.py)
    tables = (Table("round", {"agency": "TEXT", "status": "TEXT"}),)

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events this view does not need are skipped."""

    def _proposal(self, e: Any) -> dict[str, Any]:
        doc = row(self, "round", e.originator_id)
        doc["updated_at"] = recorded_at(e)
        proposal: dict[str, Any] = doc["proposals"][str(e.proposal_id)]
        return proposal

    @process_event.register(MutationRound.Opened)
    def _opened(self, e: Any, tracking: Tracking) -> None:
        self.put(
            "round",
            e.originator_id,
            plain(
                {
                    "round_id": e.originator_id,
                    "agency": e.agency,
                    "kind": e.kind,
                    "title": e.title,
                    "period_starts_on": e.period_starts_on,
                    "period_ends_on": e.period_ends_on,
                    "planned_effective_on": e.planned_effective_on,
                    "freeze_windows": e.freeze_windows,
                    "opened_by": e.opened_by,
                    "status": "open",
                    "announced_on": None,
                    "closed_on": None,
                    "proposals": {},
                    "opened_at": recorded_at(e),
                    "updated_at": recorded_at(e),
                }
            ),
        )

    @process_event.register(MutationRound.Proposed)
    def _proposed(self, e: Any, tracking: Tracking) -> None:
        p = e.proposal
        doc = row(self, "round", e.originator_id)
        person = self.person(p.employee_id)
        origin, target = self.seat(p.from_position_id), self.seat(p.target_position_id)
        doc["updated_at"] = recorded_at(e)
        doc["proposals"][str(p.proposal_id)] = plain(
            {
                "proposal_id": p.proposal_id,
                "employee_id": p.employee_id,
                "name": person["name"],
                "nip": person["nip"],
                "from_position_id": p.from_position_id,
                "from_title": origin["title"],
                "from_unit": origin["unit"],
                "target_position_id": p.target_position_id,
                "target_title": target["title"],
                "target_unit": target["unit"],
                "reason": p.reason,
                "proposed_by": p.proposed_by,
                "proposed_at": recorded_at(e),
                "jpm": p.jpm,
                "jpm_category": p.jpm_category,
                "eligibility": p.eligibility,
                "eligible": all(o.passed for o in p.eligibility),
                "status": p.status,
                "withdrawal_reason": None,
                "consents": {},
                "technical_review": None,
                "recommendation": None,
                "decision": None,
                "decided_at": None,
                "decree": None,
                "executed_on": None,
                "evaluations": [],
                "objections": {},
                "earlier_decisions": [],
            }
        )

    @process_event.register(MutationRound.ProposalWithdrawn)
    def _withdrawn(self, e: Any, tracking: Tracking) -> None:
        self._proposal(e).update(status="withdrawn", withdrawal_reason=e.reason)

    @process_event.register(MutationRound.ConsentRecorded)
    def _consent(self, e: Any, tracking: Tracking) -> None:
        self._proposal(e)["consents"][plain(e.consent.party)] = plain(e.consent)

    @process_event.register(MutationRound.TechnicalReviewRecorded)
    def _review(self, e: Any, tracking: Tracking) -> None:
        self._proposal(e)["technical_review"] = plain(e.review)

    @process_event.register(MutationRound.Recommended)
    def _recommended(self, e: Any, tracking: Tracking) -> None:
        self._proposal(e)["recommendation"] = plain(e.recommendation)

    @process_event.register(MutationRound.Decided)
    def _decided(self, e: Any, tracking: Tracking) -> None:
        self._proposal(e).update(
            status="approved" if e.decision.approved else "rejected",
            decision=plain(e.decision),
            decided_at=recorded_at(e),
            decided_actor=actor_of(e),
        )

    @process_event.register(MutationRound.DecisionReopened)
    def _reopened(self, e: Any, tracking: Tracking) -> None:
        proposal = self._proposal(e)
        proposal.setdefault("earlier_decisions", []).append(
            {
                **proposal["decision"],
                "decided_at": proposal["decided_at"],
                "reopened_at": recorded_at(e),
                "reopened_by_objection": str(e.objection_id),
            }
        )
        proposal.update(status="reopened", decision=None, decided_at=None, decided_actor=None)

    @process_event.register(MutationRound.ObjectionFiled)
    def _objection_filed(self, e: Any, tracking: Tracking) -> None:
        o = e.objection
        doc = row(self, "round", e.originator_id)
        doc["updated_at"] = recorded_at(e)
        doc["proposals"][str(o.proposal_id)].setdefault("objections", {})[str(o.objection_id)] = plain(
            {
                "objection_id": o.objection_id,
                "grounds": o.grounds,
                "filed_by": o.filed_by.user,
                "letter_reference": o.letter_reference,
                "filed_on": o.filed_on,
                "state": "pending",
                "answered_by": None,
                "answered_on": None,
            }
        )

    @process_event.register(MutationRound.ObjectionAnswered)
    def _objection_answered(self, e: Any, tracking: Tracking) -> None:
        self._proposal(e)["objections"][str(e.objection_id)].update(
            plain(
                {
                    "state": "upheld" if e.answer.upheld else "dismissed",
                    "answered_by": e.answer.answered_by.user,
                    "answered_on": e.answer.answered_on,
                }
            )
        )

    @process_event.register(MutationRound.Announced)
    def _announced(self, e: Any, tracking: Tracking) -> None:
        doc = row(self, "round", e.originator_id)
        doc.update(status="announced", announced_on=plain(e.announced_on), updated_at=recorded_at(e))

    @process_event.register(MutationRound.DecreeIssued)
    def _decree(self, e: Any, tracking: Tracking) -> None:
        self._proposal(e).update(status="decreed", decree=plain(e.decree))

    @process_event.register(MutationRound.TransferExecuted)
    def _executed(self, e: Any, tracking: Tracking) -> None:
        self._proposal(e).update(status="executed", executed_on=plain(e.effective_on))

    @process_event.register(MutationRound.TransferEvaluated)
    def _evaluated(self, e: Any, tracking: Tracking) -> None:
        self._proposal(e)["evaluations"].append(plain({**plain(e.findings), "evaluator": e.evaluator}))

    @process_event.register(MutationRound.Closed)
    def _closed(self, e: Any, tracking: Tracking) -> None:
        doc = row(self, "round", e.originator_id)
        doc.update(status="closed", closed_on=plain(e.closed_on), updated_at=recorded_at(e))
