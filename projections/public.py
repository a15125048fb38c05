"""What the public site reads: the transparency view only (announced rounds, personal data minimised).

Each read is one snapshot of the view, so a page is consistent and says as of which position and time
it is (`Stamp`). Nothing here reads another view or the event store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from projections.queries import ReadModels, Stamp

VIEW = "transparency"


@dataclass
class UnitStaffing:
    """Formasi and filled seats of one unit, before and after (a round), or now (`after` is None)."""

    unit: str
    formasi: int
    filled: int
    formasi_after: int | None = None
    filled_after: int | None = None


@dataclass
class PublicRound:
    """An announced round: its counts, its approved transfers, the staffing of the units it touches."""

    round: dict[str, Any]
    transfers: list[dict[str, Any]] = field(default_factory=list)
    staffing: list[UnitStaffing] = field(default_factory=list)


class PublicReads:
    """The site's reads over the transparency view (`ReadModels` shared with the API)."""

    def __init__(self, read_models: ReadModels) -> None:
        self.read = read_models

    def stamp(self) -> Stamp:
        """As of which position and time the view answers now."""
        with self.read.snapshot(VIEW) as (_, stamp):
            return stamp

    def agencies(self) -> tuple[dict[str, list[dict[str, Any]]], Stamp]:
        """Every agency with an announced round, and its announced rounds (latest first)."""
        with self.read.snapshot(VIEW) as (snap, stamp):
            rounds, _ = snap.select("round", equals={"announced": 1}, order_by=("agency", "key"))
        agencies: dict[str, list[dict[str, Any]]] = {}
        for r in sorted(rounds, key=lambda r: (r["agency"], r["announced_on"] or ""), reverse=True):
            agencies.setdefault(r["agency"], []).append(r)
        return dict(sorted(agencies.items())), stamp

    def round(self, round_id: UUID) -> tuple[PublicRound | None, Stamp]:
        """An announced round (None when there is none, or it is not announced: the same answer)."""
        with self.read.snapshot(VIEW) as (snap, stamp):
            doc = snap.get("round", round_id)
            if doc is None or not doc["announced"]:
                return None, stamp
            entries, _ = snap.select("entry", equals={"round_id": str(round_id)})
            before = (snap.get("before", round_id) or {}).get("units", {})
        entries.sort(key=lambda e: (e["unit"] or "", e["position"] or "", e["name"] or ""))
        touched = {e["unit"] for e in entries} | {e["from_unit"] for e in entries if e["from_agency"] == doc["agency"]}
        staffing = [u for u in after_round(doc["agency"], before, entries) if u.unit in touched]
        return PublicRound(doc, entries, staffing), stamp

    def agency(self, agency: str) -> tuple[dict[str, Any] | None, Stamp]:
        """An agency's staffing now, and before and after each of its announced rounds; None when the
        agency has no announced round."""
        with self.read.snapshot(VIEW) as (snap, stamp):
            rounds, _ = snap.select("round", equals={"agency": agency, "announced": 1})
            if not rounds:
                return None, stamp
            now = (snap.get("agency", agency) or {}).get("units", {})
            pictures = []
            for r in sorted(rounds, key=lambda r: r["announced_on"] or "", reverse=True):
                entries, _ = snap.select("entry", equals={"round_id": r["round_id"]})
                before = (snap.get("before", r["round_id"]) or {}).get("units", {})
                pictures.append((r, after_round(agency, before, entries)))
        units = [UnitStaffing(name, u["formasi"], u["filled"]) for name, u in sorted(now.items())]
        return {"agency": agency, "now": units, "rounds": pictures}, stamp

    def decree(self, proposal_id: str) -> dict[str, Any] | None:
        """The published entry of an approved transfer (for the verification page)."""
        with self.read.snapshot(VIEW) as (snap, _):
            return snap.get("entry", proposal_id)

    def rounds_with_decrees(self) -> tuple[list[dict[str, Any]], Stamp]:
        """The announced rounds that have at least one decree (where a decree's code may come from)."""
        with self.read.snapshot(VIEW) as (snap, stamp):
            rounds, _ = snap.select("round", equals={"announced": 1})
        return [r for r in rounds if r.get("decree_version")], stamp


def after_round(agency: str, before: dict[str, dict[str, int]], entries: list[dict[str, Any]]) -> list[UnitStaffing]:
    """Each unit's staffing at the announcement (`before`) and after the round's approved transfers."""
    filled = {name: u["filled"] for name, u in before.items()}
    for e in entries:
        if e["unit"] is not None:
            filled[e["unit"]] = filled.get(e["unit"], 0) + 1
        if e["from_agency"] == agency and e["from_unit"] is not None:
            filled[e["from_unit"]] = filled.get(e["from_unit"], 0) - 1
    return [
        UnitStaffing(
            name,
            before.get(name, {}).get("formasi", 0),
            before.get(name, {}).get("filled", 0),
            before.get(name, {}).get("formasi", 0),
            count,
        )
        for name, count in sorted(filled.items())
    ]
