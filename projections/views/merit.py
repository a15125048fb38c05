"""Merit indicators per round: documented reasons, announced before decree, evaluated, within the rules,
objections answered and upheld, and how many days an answer took."""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.mutation_round import MutationRound
from projections.base import DocumentProjection, plain
from projections.store import Table
from projections.views import known, row


class MeritProjection(DocumentProjection):
    """One row per round with one small record per proposal and per objection (its filing and answer
    days, nothing of who or why); the shares and the median are computed when read."""

    name = "merit"
    cost = 0.3  # relative rebuild work (measured with bench/projection_rebuild.py)
    tables = (Table("round", {"agency": "TEXT"}),)

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events this view does not need are skipped."""

    def _proposal(self, e: Any) -> dict[str, Any]:
        proposal: dict[str, Any] = row(self, "round", e.originator_id)["proposals"][str(e.proposal_id)]
        return proposal

    @process_event.register(MutationRound.Opened)
    def _opened(self, e: Any, tracking: Tracking) -> None:
        self.put(
            "round",
            e.originator_id,
            plain(
                {
                    "round_id": e.originator_id,
                    "title": e.title,
                    "agency": e.agency,
                    "announced_on": None,
                    "proposals": {},
                    "objections": {},
                }
            ),
        )

    @process_event.register(MutationRound.Proposed)
    def _proposed(self, e: Any, tracking: Tracking) -> None:
        p = e.proposal
        row(self, "round", e.originator_id)["proposals"][str(p.proposal_id)] = {
            "reason_documented": bool(p.reason.strip()),
            "withdrawn": False,
            "decided": False,
            "approved": False,
            "within_rules": None,
            "decision_reason_documented": None,
            "decreed": False,
            "decree_after_announcement": None,
            "executed": False,
            "evaluated": False,
        }

    @process_event.register(MutationRound.ProposalWithdrawn)
    def _withdrawn(self, e: Any, tracking: Tracking) -> None:
        self._proposal(e)["withdrawn"] = True

    @process_event.register(MutationRound.Decided)
    def _decided(self, e: Any, tracking: Tracking) -> None:
        d = e.decision
        proposal = self._proposal(e)
        if proposal.get("reopened"):  # decided again after an upheld objection
            proposal.update(reopened=False, reversed=proposal.get("reversed", 0) + (proposal["approved"] != d.approved))
        proposal.update(
            decided=True,
            approved=d.approved,
            decision_reason_documented=bool(d.reason.strip()),
            within_rules=not d.approved or (not d.overrides and all(o.passed for o in d.eligibility)),
        )

    @process_event.register(MutationRound.DecisionReopened)
    def _reopened(self, e: Any, tracking: Tracking) -> None:
        self._proposal(e).update(decided=False, reopened=True)  # `approved` keeps the decision reopened

    @process_event.register(MutationRound.ObjectionFiled)
    def _objection_filed(self, e: Any, tracking: Tracking) -> None:
        o = e.objection
        row(self, "round", e.originator_id).setdefault("objections", {})[str(o.objection_id)] = plain(
            {
                "filed_on": o.filed_on,
                "answered_on": None,
                "upheld": None,
            }
        )

    @process_event.register(MutationRound.ObjectionAnswered)
    def _objection_answered(self, e: Any, tracking: Tracking) -> None:
        row(self, "round", e.originator_id)["objections"][str(e.objection_id)].update(
            answered_on=plain(e.answer.answered_on), upheld=e.answer.upheld
        )

    @process_event.register(MutationRound.Announced)
    def _announced(self, e: Any, tracking: Tracking) -> None:
        row(self, "round", e.originator_id)["announced_on"] = plain(e.announced_on)

    @process_event.register(MutationRound.DecreeIssued)
    def _decree(self, e: Any, tracking: Tracking) -> None:
        announced_on = known(self, "round", e.originator_id)["announced_on"]
        self._proposal(e).update(
            decreed=True,
            decree_after_announcement=announced_on is not None and announced_on <= e.decree.signed_on.isoformat(),
        )

    @process_event.register(MutationRound.TransferExecuted)
    def _executed(self, e: Any, tracking: Tracking) -> None:
        self._proposal(e)["executed"] = True

    @process_event.register(MutationRound.TransferEvaluated)
    def _evaluated(self, e: Any, tracking: Tracking) -> None:
        self._proposal(e)["evaluated"] = True
