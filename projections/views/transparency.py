"""Transparency (public): announced rounds only, personal data minimised (UU 27/2022).

The view never stores a full NIP (only the masked one), a birth date, a score or a sanction: what it
keeps before an announcement is the same minimised data, held back until the round is announced. It
keeps no directory of people either: names and NIPs are looked up (and masked) per proposal.

Of objections it keeps per round only counts (filed, upheld, dismissed, reversed): never who objected,
on which proposal, or what they wrote. A published entry shows the decision standing: one reopened by
an upheld objection (`DecisionReopened`, not handled here) stays as announced until the PPK decides
again, and nothing in an entry says whether it was contested.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.mutation_round import MutationRound
from domain.nip import Nip
from projections.base import DocumentProjection, plain
from projections.store import Table

OBJECTION_COUNTS = ("filed", "upheld", "dismissed", "reversed")
"""What the public learns of a round's objections: counts, nothing else."""

PUBLIC_FIELDS = (
    "round_id", "round_title", "agency", "announced_on", "proposal_id", "position", "unit", "name",
    "nip_masked", "jpm_category", "reason", "decision", "decree_number",
)


class TransparencyProjection(DocumentProjection):
    """Public entries (one per decided proposal of an announced round) and the announced rounds."""

    name = "transparency"
    cost = 0.3  # relative rebuild work (measured with bench/projection_rebuild.py)
    tables = (
        Table("round", {"agency": "TEXT", "announced": "INTEGER"}),
        Table("entry", {"round_id": "TEXT", "agency": "TEXT"}),
    )

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events this view does not need are skipped."""

    @process_event.register(MutationRound.Opened)
    def _opened(self, e: Any, tracking: Tracking) -> None:
        self.put("round", e.originator_id, plain({
            "round_id": e.originator_id, "round_title": e.title, "agency": e.agency, "kind": e.kind,
            "announced": 0, "announced_on": None, "held": {},
            "objections": dict.fromkeys(OBJECTION_COUNTS, 0),
        }))

    @process_event.register(MutationRound.Proposed)
    def _proposed(self, e: Any, tracking: Tracking) -> None:
        p = e.proposal
        person, seat = self.person(p.employee_id), self.seat(p.target_position_id)
        self.edit("round", e.originator_id)["held"][str(p.proposal_id)] = plain({
            "proposal_id": p.proposal_id, "position": seat["title"], "unit": seat["unit"],
            "name": person["name"], "nip_masked": Nip.parse(person["nip"]).masked() if person["nip"] else None,
            "jpm_category": p.jpm_category, "reason": p.reason, "decision": None,
            "decree_number": None,
        })

    def _held(self, e: Any) -> dict[str, Any] | None:
        return self.edit("round", e.originator_id)["held"].get(str(e.proposal_id))

    @process_event.register(MutationRound.ProposalWithdrawn)
    def _withdrawn(self, e: Any, tracking: Tracking) -> None:
        self.edit("round", e.originator_id)["held"].pop(str(e.proposal_id), None)

    @process_event.register(MutationRound.Decided)
    def _decided(self, e: Any, tracking: Tracking) -> None:
        held = self._held(e)
        before, held["decision"] = held["decision"], "approved" if e.decision.approved else "rejected"
        if before is not None:  # decided again, after an upheld objection reopened the decision
            doc = self.edit("round", e.originator_id)
            if before != held["decision"]:
                self._count(doc, "reversed")
            if doc["announced"]:
                self.put("entry", e.proposal_id, self._entry(doc, held))

    @process_event.register(MutationRound.ObjectionFiled)
    def _objection_filed(self, e: Any, tracking: Tracking) -> None:
        self._count(self.edit("round", e.originator_id), "filed")

    @process_event.register(MutationRound.ObjectionAnswered)
    def _objection_answered(self, e: Any, tracking: Tracking) -> None:
        self._count(self.edit("round", e.originator_id), "upheld" if e.answer.upheld else "dismissed")

    @staticmethod
    def _count(doc: dict[str, Any], what: str) -> None:
        counts = doc.setdefault("objections", dict.fromkeys(OBJECTION_COUNTS, 0))
        counts[what] = counts.get(what, 0) + 1

    @process_event.register(MutationRound.Announced)
    def _announced(self, e: Any, tracking: Tracking) -> None:
        doc = self.edit("round", e.originator_id)
        doc.update(announced=1, announced_on=plain(e.announced_on))
        for proposal_id, held in doc["held"].items():
            if held["decision"] is not None:
                self.put("entry", proposal_id, self._entry(doc, held))

    @process_event.register(MutationRound.DecreeIssued)
    def _decree(self, e: Any, tracking: Tracking) -> None:
        doc = self.edit("round", e.originator_id)
        held = doc["held"].get(str(e.proposal_id))
        if held is not None:
            held["decree_number"] = e.decree.number
            if doc["announced"]:
                self.put("entry", e.proposal_id, self._entry(doc, held))

    @staticmethod
    def _entry(doc: dict[str, Any], held: dict[str, Any]) -> dict[str, Any]:
        entry = {**held, "round_id": doc["round_id"], "round_title": doc["round_title"],
                 "agency": doc["agency"], "announced_on": doc["announced_on"]}
        return {name: entry[name] for name in PUBLIC_FIELDS}
