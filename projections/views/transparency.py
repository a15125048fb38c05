"""Transparency (public): announced rounds only, personal data minimised (UU 27/2022).

Only an approved transfer of an announced round is published by name, with the NIP masked; the name
and NIP are looked up when the entry is published, so the view never holds the name or NIP of a
candidate who was rejected or withdrawn: those are counted, never named. No birth date, score or
sanction is ever kept; of a proposal before its round is announced the view holds ids and the
decision only.

Of objections it keeps per round only counts (filed, upheld, dismissed, reversed): never who objected,
on which proposal, or what they wrote. A published entry shows the decision standing: one reopened by
an upheld objection (`DecisionReopened`, not handled here) stays as announced until the PPK decides
again; a decision reversed to a rejection removes the entry.

For the staffing picture the view keeps each agency's formasi and holders per unit (numbers only),
and at the announcement a copy of it: the picture before the round.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.mutation_round import MutationRound
from domain.nip import Nip
from domain.position import Position
from projections.base import DocumentProjection, plain
from projections.store import Table
from projections.views import known, row

OBJECTION_COUNTS = ("filed", "upheld", "dismissed", "reversed")
"""What the public learns of a round's objections: counts, nothing else."""

PROPOSAL_COUNTS = ("proposals", "approved", "rejected", "withdrawn", "overrides", "decreed", "executed", "evaluated")
"""What the public learns of a round's proposals beyond the approved transfers: counts, nothing else
(`overrides`: approvals that overrode a failed rule, at the decision or the decree)."""

PUBLIC_FIELDS = (
    "round_id",
    "round_title",
    "agency",
    "announced_on",
    "proposal_id",
    "position",
    "unit",
    "name",
    "nip_masked",
    "from_position",
    "from_unit",
    "jpm_category",
    "reason",
    "decision",
    "decree_number",
    "effective_on",
)
"""The fields of a published entry: an approved transfer (`decision` is always "approved")."""


class TransparencyProjection(DocumentProjection):
    """Public entries (one per approved proposal of an announced round), the rounds with their
    counts, and the staffing per unit of each agency (now, and before each announced round)."""

    name = "transparency"
    cost = 0.6  # relative rebuild work: 0.3 measured before it followed positions; estimated since
    tables = (
        Table("round", {"agency": "TEXT", "announced": "INTEGER"}),
        Table("entry", {"round_id": "TEXT", "agency": "TEXT"}),
        Table("proposal", {"round_id": "TEXT"}),
        Table("before"),
        Table("seat"),
        Table("agency"),
    )

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events this view does not need are skipped."""

    partitioned_otherwise = None  # by agency

    def partition_key(self, domain_event: Any) -> Any:
        """An agency's row gathers its positions' numbers, and a round's announcement copies them: the
        agency of the position or of the round."""
        if type(domain_event) in (Position.Established, MutationRound.Opened):
            return domain_event.agency
        if isinstance(domain_event, Position.Event):
            return self.seat(domain_event.originator_id)["agency"]
        return self.round(domain_event.originator_id)["agency"]

    # -- staffing per unit (numbers only) ------------------------------------------

    def _unit(self, agency: str, unit: str) -> dict[str, int]:
        doc = row(self, "agency", agency, lambda: {"agency": agency, "units": {}})
        counts: dict[str, int] = doc["units"].setdefault(unit, {"formasi": 0, "filled": 0})
        return counts

    @process_event.register(Position.Established)
    def _established(self, e: Any, tracking: Tracking) -> None:
        self.put(
            "seat", e.originator_id, {"agency": e.agency, "unit": e.unit, "formasi": e.formasi, "abolished": False}
        )
        self._unit(e.agency, e.unit)["formasi"] += e.formasi

    def _seat(self, e: Any, change: bool = False) -> tuple[dict[str, Any], dict[str, int]] | None:
        """The position's row (to change, or only read) and its unit's counts (to change)."""
        seat = (self.edit if change else self.get)("seat", e.originator_id)
        if seat is None or seat["abolished"]:
            return None
        return seat, self._unit(seat["agency"], seat["unit"])

    @process_event.register(Position.FormasiRevised)
    def _formasi(self, e: Any, tracking: Tracking) -> None:
        if found := self._seat(e, change=True):
            seat, unit = found
            unit["formasi"] += e.formasi - seat["formasi"]
            seat["formasi"] = e.formasi

    @process_event.register(Position.HolderAdded)
    def _added(self, e: Any, tracking: Tracking) -> None:
        if found := self._seat(e):
            found[1]["filled"] += 1

    @process_event.register(Position.HolderRemoved)
    def _removed(self, e: Any, tracking: Tracking) -> None:
        if found := self._seat(e):
            found[1]["filled"] -= 1

    @process_event.register(Position.Abolished)
    def _abolished(self, e: Any, tracking: Tracking) -> None:
        if found := self._seat(e, change=True):
            seat, unit = found
            unit["formasi"] -= seat["formasi"]
            seat["abolished"] = True

    # -- rounds --------------------------------------------------------------------

    @process_event.register(MutationRound.Opened)
    def _opened(self, e: Any, tracking: Tracking) -> None:
        self.put(
            "round",
            e.originator_id,
            plain(
                {
                    "round_id": e.originator_id,
                    "round_title": e.title,
                    "agency": e.agency,
                    "kind": e.kind,
                    "announced": 0,
                    "announced_on": None,
                    "proposal_ids": [],
                    "counts": dict.fromkeys(PROPOSAL_COUNTS, 0),
                    "jpm_categories": {},
                    "objections": dict.fromkeys(OBJECTION_COUNTS, 0),
                }
            ),
        )

    @process_event.register(MutationRound.Proposed)
    def _proposed(self, e: Any, tracking: Tracking) -> None:
        p = e.proposal
        self.put(
            "proposal",
            p.proposal_id,
            plain(
                {
                    "round_id": e.originator_id,
                    "proposal_id": p.proposal_id,
                    "employee_id": p.employee_id,
                    "from_position_id": p.from_position_id,
                    "target_position_id": p.target_position_id,
                    "jpm_category": p.jpm_category,
                    "reason": p.reason,
                    "decision": None,
                    "overridden": False,
                    "decree_number": None,
                    "effective_on": None,
                    "executed": False,
                    "evaluated": False,
                }
            ),
        )
        doc = row(self, "round", e.originator_id)
        doc["proposal_ids"].append(str(p.proposal_id))
        self._count(doc, "counts", "proposals")

    @process_event.register(MutationRound.ProposalWithdrawn)
    def _withdrawn(self, e: Any, tracking: Tracking) -> None:
        self.delete("proposal", e.proposal_id)
        doc = row(self, "round", e.originator_id)
        doc["proposal_ids"].remove(str(e.proposal_id))
        self._count(doc, "counts", "withdrawn")

    def _change(self, e: Any, **changes: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """Change a proposal's row and keep its round's counts in step (its old tally out, new in)."""
        doc, held = row(self, "round", e.originator_id), row(self, "proposal", e.proposal_id)
        _tally(doc, held, -1)
        held.update(changes)
        _tally(doc, held, +1)
        return doc, held

    @process_event.register(MutationRound.Decided)
    def _decided(self, e: Any, tracking: Tracking) -> None:
        proposal = known(self, "proposal", e.proposal_id)
        before = proposal["decision"]
        overridden = proposal["overridden"] or bool(e.decision.overrides)
        doc, held = self._change(e, decision="approved" if e.decision.approved else "rejected", overridden=overridden)
        if before is not None and before != held["decision"]:  # decided again after an upheld objection
            self._count(doc, "objections", "reversed")
        if doc["announced"]:
            self._publish(doc, held)

    @process_event.register(MutationRound.ObjectionFiled)
    def _objection_filed(self, e: Any, tracking: Tracking) -> None:
        self._count(row(self, "round", e.originator_id), "objections", "filed")

    @process_event.register(MutationRound.ObjectionAnswered)
    def _objection_answered(self, e: Any, tracking: Tracking) -> None:
        self._count(row(self, "round", e.originator_id), "objections", "upheld" if e.answer.upheld else "dismissed")

    @staticmethod
    def _count(doc: dict[str, Any], group: str, what: str, by: int = 1) -> None:
        counts = doc.setdefault(group, {})
        counts[what] = counts.get(what, 0) + by

    @process_event.register(MutationRound.Announced)
    def _announced(self, e: Any, tracking: Tracking) -> None:
        doc = row(self, "round", e.originator_id)
        doc.update(announced=1, announced_on=plain(e.announced_on))
        units = (self.get("agency", doc["agency"]) or {}).get("units", {})
        self.put("before", e.originator_id, {"units": {name: dict(unit) for name, unit in units.items()}})
        for proposal_id in doc["proposal_ids"]:
            if (held := self.get("proposal", proposal_id)) is not None:
                self._publish(doc, held)

    @process_event.register(MutationRound.DecreeIssued)
    def _decree(self, e: Any, tracking: Tracking) -> None:
        if (proposal := self.get("proposal", e.proposal_id)) is None:
            return
        overridden = proposal["overridden"] or bool(e.decree.overrides)
        doc, held = self._change(
            e, decree_number=e.decree.number, effective_on=plain(e.decree.effective_on), overridden=overridden
        )
        doc["decree_version"] = e.originator_version  # where the latest decree's code is to be found
        if doc["announced"]:
            self._publish(doc, held)

    @process_event.register(MutationRound.TransferExecuted)
    def _executed(self, e: Any, tracking: Tracking) -> None:
        if self.get("proposal", e.proposal_id) is not None:
            self._change(e, executed=True)

    @process_event.register(MutationRound.TransferEvaluated)
    def _evaluated(self, e: Any, tracking: Tracking) -> None:
        if self.get("proposal", e.proposal_id) is not None:
            self._change(e, evaluated=True)

    def _publish(self, doc: dict[str, Any], held: dict[str, Any]) -> None:
        """Publish an approved proposal of an announced round; take back one that is not approved."""
        if held["decision"] != "approved":
            if self.get("entry", held["proposal_id"]) is not None:
                self.delete("entry", held["proposal_id"])
            return
        person = self.person(held["employee_id"])
        target, origin = self.seat(held["target_position_id"]), self.seat(held["from_position_id"])
        self.put(
            "entry",
            held["proposal_id"],
            {
                "round_id": doc["round_id"],
                "round_title": doc["round_title"],
                "agency": doc["agency"],
                "announced_on": doc["announced_on"],
                "proposal_id": held["proposal_id"],
                "position": target["title"],
                "unit": target["unit"],
                "name": person["name"],
                "nip_masked": Nip.parse(person["nip"]).masked() if person["nip"] else None,
                "from_position": origin["title"],
                "from_unit": origin["unit"],
                "from_agency": origin["agency"],
                "jpm_category": held["jpm_category"],
                "reason": held["reason"],
                "decision": "approved",
                "decree_number": held["decree_number"],
                "effective_on": held["effective_on"],
            },
        )


def _tally(doc: dict[str, Any], held: dict[str, Any], by: int) -> None:
    """Count (`by` = 1) or uncount (-1) one proposal's row in its round's counts."""
    counts, decision = doc["counts"], held["decision"]
    if decision in ("approved", "rejected"):
        counts[decision] += by
    if decision == "approved":
        for flag, what in (
            ("overridden", "overrides"),
            ("decree_number", "decreed"),
            ("executed", "executed"),
            ("evaluated", "evaluated"),
        ):
            if held[flag]:
                counts[what] += by
        categories = doc.setdefault("jpm_categories", {})
        categories[held["jpm_category"]] = categories.get(held["jpm_category"], 0) + by
