"""Accountability (internal): who decided what, when, on which grounds; overrides; conflicts;
objections with their grounds, text and answer, and decisions reopened and taken again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.mutation_round import MutationRound
from projections.base import DocumentProjection, actor_of, plain, recorded_at, remembers_round_titles
from projections.store import Table
from projections.views import row

DECISION_FIELDS = (
    "approved",
    "decided_by",
    "decided_at",
    "decided_actor",
    "reason",
    "failed_rules",
    "overrides",
    "jpm_at_decision",
    "below_jpm_threshold",
    "hours_to_decision",
    "decided_by_proposer",
)
"""What a proposal's row keeps of its decision; an upheld objection moves them to `earlier_decisions`."""


class AccountabilityProjection(DocumentProjection):
    """One row per proposal: proposer and time, decision with grounds, overrides and who authorised
    them, at the decision and at the decree (rules that newly failed on the TMT); its objections, and
    the decisions an upheld objection reopened (`earlier_decisions`, oldest first, each with whether
    the decision taken after it reversed it)."""

    name = "accountability"
    cost = 0.6  # relative rebuild work (measured with bench/projection_rebuild.py)
    tables = (
        Table("proposal", {"round_id": "TEXT", "agency": "TEXT", "status": "TEXT"}),
        Table("round", {}),
    )

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events this view does not need are skipped."""

    remembers_round_titles(process_event)

    @process_event.register(MutationRound.Proposed)
    def _proposed(self, e: Any, tracking: Tracking) -> None:
        p = e.proposal
        round_ = self.get("round", e.originator_id) or {}
        person, target = self.person(p.employee_id), self.seat(p.target_position_id)
        self.put(
            "proposal",
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
                    "target_title": target["title"],
                    "target_unit": target["unit"],
                    "proposed_by": p.proposed_by,
                    "proposed_at": recorded_at(e),
                    "proposed_actor": actor_of(e),
                    "jpm_at_proposal": p.jpm,
                    "status": "proposed",
                    "approved": None,
                    "decided_by": None,
                    "decided_at": None,
                    "decided_actor": None,
                    "reason": None,
                    "failed_rules": [],
                    "overrides": [],
                    "jpm_at_decision": None,
                    "below_jpm_threshold": False,
                    "hours_to_decision": None,
                    "decided_by_proposer": False,
                    "withdrawn_by": None,
                    "plan_id": p.plan.plan_id if p.plan else None,
                    "plan_recommended_jpm": p.plan.recommended_jpm if p.plan else None,
                    "plan_options": p.plan.options if p.plan else None,
                    "objections": {},
                    "earlier_decisions": [],
                    "reopened_at": None,
                }
            ),
        )

    @process_event.register(MutationRound.ProposalWithdrawn)
    def _withdrawn(self, e: Any, tracking: Tracking) -> None:
        row(self, "proposal", e.proposal_id).update(
            status="withdrawn", withdrawn_by=plain(e.by), withdrawal_reason=e.reason
        )

    @process_event.register(MutationRound.Decided)
    def _decided(self, e: Any, tracking: Tracking) -> None:
        doc, d = row(self, "proposal", e.proposal_id), e.decision
        when = recorded_at(e)
        fit = next((o for o in d.eligibility if o.rule == "competency_fit"), None)
        hours = None
        if when and doc["proposed_at"]:
            delta = datetime.fromisoformat(when) - datetime.fromisoformat(doc["proposed_at"])
            hours = round(delta.total_seconds() / 3600, 2)
        earlier = doc.get("earlier_decisions") or []
        if earlier and earlier[-1]["reversed"] is None:  # the new decision on a reopened proposal
            earlier[-1]["reversed"] = earlier[-1]["approved"] != d.approved
        doc.update(
            plain(
                {
                    "status": "approved" if d.approved else "rejected",
                    "approved": d.approved,
                    "decided_by": d.decided_by,
                    "decided_at": when,
                    "decided_actor": actor_of(e),
                    "reason": d.reason,
                    "failed_rules": [o for o in d.eligibility if not o.passed],
                    "overrides": d.overrides,
                    "jpm_at_decision": d.jpm,
                    "below_jpm_threshold": bool(d.approved and fit is not None and not fit.passed),
                    "hours_to_decision": hours,
                    "decided_by_proposer": d.decided_by.user == doc["proposed_by"]["user"],
                }
            )
        )

    @process_event.register(MutationRound.DecisionReopened)
    def _reopened(self, e: Any, tracking: Tracking) -> None:
        doc = row(self, "proposal", e.proposal_id)
        earlier = {key: doc[key] for key in DECISION_FIELDS}
        earlier.update(reopened_at=recorded_at(e), reopened_by_objection=str(e.objection_id), reversed=None)
        doc.setdefault("earlier_decisions", []).append(earlier)
        doc.update(
            {key: None for key in DECISION_FIELDS},
            status="reopened",
            reopened_at=recorded_at(e),
            failed_rules=[],
            overrides=[],
            below_jpm_threshold=False,
            decided_by_proposer=False,
        )

    @process_event.register(MutationRound.ObjectionFiled)
    def _objection_filed(self, e: Any, tracking: Tracking) -> None:
        o = e.objection
        doc = row(self, "proposal", o.proposal_id)
        doc.setdefault("objections", {})[str(o.objection_id)] = plain(
            {
                "objection_id": o.objection_id,
                "grounds": o.grounds,
                "text": o.text,
                "filed_by": o.filed_by,
                "filed_on": o.filed_on,
                "filed_at": recorded_at(e),
                "filed_actor": actor_of(e),
                "letter_reference": o.letter_reference,
                "plan_explanation": o.plan_explanation,
                "decision_contested": doc["approved"],
                "answer": None,
            }
        )

    @process_event.register(MutationRound.ObjectionAnswered)
    def _objection_answered(self, e: Any, tracking: Tracking) -> None:
        doc = row(self, "proposal", e.proposal_id)
        doc["objections"][str(e.objection_id)]["answer"] = plain(
            {**plain(e.answer), "answered_at": recorded_at(e), "answered_actor": actor_of(e)}
        )

    @process_event.register(MutationRound.DecreeIssued)
    def _decreed(self, e: Any, tracking: Tracking) -> None:
        d = e.decree
        row(self, "proposal", e.proposal_id).update(
            plain(
                {
                    "decree_number": d.number,
                    "decree_signed_by": d.signed_by,
                    "decreed_at": recorded_at(e),
                    "decree_failed_rules": [o for o in d.eligibility if not o.passed],
                    "decree_overrides": d.overrides,
                }
            )
        )
