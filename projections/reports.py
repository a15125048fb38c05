"""The reports of issue 4, built from the views only (never from the event store).

Each report is a `Report`: a title, the stamp of the view it was read from (position and the time of
that event), when it was generated, and one or more tables (`Section`). `projections.export` writes a
report as JSON, CSV or XLSX.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from itertools import pairwise
from statistics import median
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from domain.calendar import add_months
from domain.competency import competency_gaps
from domain.eligibility import RULE_CODES
from domain.policy import RulePolicy
from domain.talent import TALENT_MAP
from projections.queries import WAIT_TIMEOUT, ReadModels, Stamp


class NotFound(LookupError):
    """The report's subject (employee, position, round) is not in the view."""


class Section(BaseModel):
    """One table of a report."""

    name: str
    columns: list[str]
    rows: list[dict[str, Any]]


class Report(BaseModel):
    """A report with the position and time it is as of."""

    report: str
    title: str
    stamp: Stamp
    generated_at: datetime
    parameters: dict[str, Any] = Field(default_factory=dict)
    sections: list[Section]

    def section(self, name: str) -> Section:
        """One table by name."""
        return next(s for s in self.sections if s.name == name)


def _section(name: str, rows: list[dict[str, Any]], columns: list[str] | None = None) -> Section:
    columns = columns or (list(rows[0]) if rows else [])
    return Section(name=name, columns=columns, rows=[{c: row.get(c) for c in columns} for row in rows])


def _table(name: str, rows: list[dict[str, Any]], columns: list[str]) -> Section:
    """A section whose rows were built here with exactly `columns`, in order: taken as they are
    (no copy, no validation of each row; reports of whole agencies run to thousands of rows)."""
    return Section.model_construct(name=name, columns=columns, rows=rows)


def _by_title(item: tuple[str, dict[str, Any]]) -> str:
    return item[1]["title"]  # type: ignore[no-any-return]


def _report(name: str, title: str, stamp: Stamp, parameters: dict[str, Any], *sections: Section) -> Report:
    return Report(
        report=name,
        title=title,
        stamp=stamp,
        generated_at=datetime.now(UTC),
        parameters={k: v for k, v in parameters.items() if v is not None},
        sections=list(sections),
    )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class Reports:
    """Builds every report from the live views. `min_position` as in `ReadModels`."""

    def __init__(self, read_models: ReadModels, policy: RulePolicy | None = None) -> None:
        self.read = read_models
        self.policy = policy or read_models.settings.rules.policy()

    # -- 1. placement history ----------------------------------------------------

    def employee_placements(
        self, employee_id: UUID, min_position: int | None = None, timeout: float = WAIT_TIMEOUT
    ) -> Report:
        """Every stretch an employee served, with decree and round."""
        with self.read.snapshot("placements", min_position, timeout) as (snap, stamp):
            doc = snap.get("employee", employee_id)
        if doc is None:
            raise NotFound(f"no employee {employee_id} in the placement history")
        return _report(
            "placements-employee",
            f"Placement history of {doc['name']} ({doc['nip']})",
            stamp,
            {"employee_id": str(employee_id)},
            _section(
                "placements",
                doc["placements"],
                ["position_id", "title", "unit", "agency", "since", "until", "decree_number", "round_id"],
            ),
        )

    def position_holders(
        self, position_id: UUID, min_position: int | None = None, timeout: float = WAIT_TIMEOUT
    ) -> Report:
        """Who held a position when."""
        with self.read.snapshot("placements", min_position, timeout) as (snap, stamp):
            doc = snap.get("position", position_id)
        if doc is None:
            raise NotFound(f"no position {position_id} in the placement history")
        return _report(
            "placements-position",
            f"Holders of {doc['title']} ({doc['unit']})",
            stamp,
            {"position_id": str(position_id)},
            _section(
                "holders", doc["holders"], ["employee_id", "nip", "name", "since", "until", "decree_number", "left_by"]
            ),
        )

    # -- 2. staffing -------------------------------------------------------------

    def staffing(
        self,
        agency: str | None = None,
        unit: str | None = None,
        min_position: int | None = None,
        timeout: float = WAIT_TIMEOUT,
    ) -> Report:
        """Formasi versus holders per position, per unit and per agency, and the spread to even out."""
        with self.read.snapshot("staffing", min_position, timeout) as (snap, stamp):
            units, _ = snap.select("unit", equals={"agency": agency, "unit": unit}, order_by=("agency", "unit"))
        # One pass over the positions with plain integer sums: this report covers whole agencies
        # (hundreds of units, thousands of positions), so it is built without per-row helpers.
        positions, per_unit = [], []
        per_agency: dict[str, list[int]] = {}
        by_type: dict[tuple[str, str], tuple[list[tuple[str, int]], list[tuple[str, int]]]] = {}
        for u in units:
            agency_name, unit_name = u["agency"], u["unit"]
            count = formasi = holders = vacancies = surplus = 0
            for position_id, p in sorted(u["positions"].items(), key=_by_title):
                if p["abolished"]:
                    continue
                seats, held = p["formasi"], p["holders"]
                free = seats - held
                vacant, over = (free, 0) if free > 0 else (0, -free)
                positions.append(
                    {
                        "agency": agency_name,
                        "unit": unit_name,
                        "position_id": position_id,
                        "title": p["title"],
                        "position_type": p["position_type"],
                        "formasi": seats,
                        "holders": held,
                        "vacancies": vacant,
                        "surplus": over,
                    }
                )
                count += 1
                formasi += seats
                holders += held
                vacancies += vacant
                surplus += over
                if free:
                    sides = by_type.setdefault((agency_name, p["position_type"]), ([], []))
                    sides[0 if free > 0 else 1].append((unit_name, abs(free)))
            per_unit.append(
                {
                    "agency": agency_name,
                    "unit": unit_name,
                    "positions": count,
                    "formasi": formasi,
                    "holders": holders,
                    "vacancies": vacancies,
                    "surplus": surplus,
                    "fill_rate": _share(holders, formasi),
                }
            )
            sums = per_agency.setdefault(agency_name, [0, 0, 0, 0, 0])
            for index, value in enumerate((count, formasi, holders, vacancies, surplus)):
                sums[index] += value
        agencies = [
            {
                "agency": a,
                "positions": n,
                "formasi": f,
                "holders": h,
                "vacancies": v,
                "surplus": s,
                "fill_rate": _share(h, f),
            }
            for a, (n, f, h, v, s) in sorted(per_agency.items())
        ]
        spread = [
            {
                "agency": a,
                "position_type": t,
                "units_with_surplus": ", ".join(f"{n} (+{k})" for n, k in over),
                "units_with_vacancies": ", ".join(f"{n} ({k})" for n, k in vacant),
                "movable": min(sum(k for _, k in over), sum(k for _, k in vacant)),
            }
            for (a, t), (vacant, over) in sorted(by_type.items())
            if over and vacant
        ]
        cols = ["agency", "unit", "positions", "formasi", "holders", "vacancies", "surplus", "fill_rate"]
        return _report(
            "staffing",
            "Staffing: formasi versus holders",
            stamp,
            {"agency": agency, "unit": unit},
            _table(
                "positions",
                positions,
                [
                    "agency",
                    "unit",
                    "position_id",
                    "title",
                    "position_type",
                    "formasi",
                    "holders",
                    "vacancies",
                    "surplus",
                ],
            ),
            _table("units", per_unit, cols),
            _table("agencies", agencies, [c for c in cols if c != "unit"]),
            _table(
                "spread", spread, ["agency", "position_type", "units_with_surplus", "units_with_vacancies", "movable"]
            ),
        )

    # -- 3. round board ----------------------------------------------------------

    def round_board(self, round_id: UUID, min_position: int | None = None, timeout: float = WAIT_TIMEOUT) -> Report:
        """Every proposal of a round with JPM, each rule's result, consents, status and decision; its
        objections (how many, how many wait, each one's state) and the decisions reopened on objection."""
        with self.read.snapshot("round_board", min_position, timeout) as (snap, stamp):
            doc = snap.get("round", round_id)
        if doc is None:
            raise NotFound(f"no round {round_id}")
        rows = []
        for p in doc["proposals"].values():
            decision = p["decision"] or {}
            row = {k: p[k] for k in (*_BOARD_FIELDS, "status")}
            row.update({f"rule_{o['rule']}": ("pass" if o["passed"] else "FAIL") for o in p["eligibility"]})
            row.update(
                proposed_by=p["proposed_by"]["user"],
                consents=", ".join(f"{party}: {c['letter_number']}" for party, c in sorted(p["consents"].items())),
                technical_review=(p["technical_review"] or {}).get("reference"),
                recommended=(p["recommendation"] or {}).get("recommended"),
                decided_by=(decision.get("decided_by") or {}).get("user"),
                decision_reason=decision.get("reason"),
                overrides=", ".join(o["rule"] for o in decision.get("overrides", ())),
                decree_number=(p["decree"] or {}).get("number"),
                executed_on=p["executed_on"],
            )
            states = [o["state"] for o in (p.get("objections") or {}).values()]
            row.update(
                objections=len(states),
                objections_pending=states.count("pending"),
                objection_states=", ".join(states) or None,
                earlier_decisions=", ".join(
                    "approved" if d["approved"] else "rejected" for d in p.get("earlier_decisions") or ()
                )
                or None,
            )
            rows.append(row)
        columns = [
            *_BOARD_FIELDS,
            *(f"rule_{c}" for c in RULE_CODES),
            "proposed_by",
            "consents",
            "technical_review",
            "recommended",
            "status",
            "decided_by",
            "decision_reason",
            "overrides",
            "decree_number",
            "executed_on",
            "objections",
            "objections_pending",
            "objection_states",
            "earlier_decisions",
        ]
        head = {
            k: doc[k]
            for k in (
                "round_id",
                "agency",
                "kind",
                "title",
                "status",
                "planned_effective_on",
                "announced_on",
                "closed_on",
            )
        }
        head.update(
            objections=sum(r["objections"] for r in rows), objections_pending=sum(r["objections_pending"] for r in rows)
        )
        return _report(
            "round-board",
            f"Round board: {doc['title']}",
            stamp,
            {"round_id": str(round_id)},
            _section("round", [head]),
            _section("proposals", rows, columns),
        )

    # -- 4. transparency (public) ------------------------------------------------

    def transparency(
        self,
        round_id: UUID | None = None,
        agency: str | None = None,
        min_position: int | None = None,
        timeout: float = WAIT_TIMEOUT,
    ) -> Report:
        """Announced rounds with the counts of their proposals (proposed, approved, rejected,
        withdrawn, overrides...), the approved transfers with personal data minimised (masked NIP,
        name, from and to, decree and TMT: rejected or withdrawn candidates are counted, never named),
        and per round only the counts of objections filed, upheld, dismissed and reversed."""
        from projections.views.transparency import OBJECTION_COUNTS, PROPOSAL_COUNTS, PUBLIC_FIELDS

        with self.read.snapshot("transparency", min_position, timeout) as (snap, stamp):
            rounds, _ = snap.select("round", equals={"agency": agency, "announced": 1}, order_by=("agency", "key"))
            entries, _ = snap.select(
                "entry",
                equals={"agency": agency, "round_id": str(round_id) if round_id else None},
                order_by=("round_id", "key"),
            )
        rounds = [r for r in rounds if round_id is None or r["round_id"] == str(round_id)]
        objections = [
            {
                "round_id": r["round_id"],
                "round_title": r["round_title"],
                "agency": r["agency"],
                **{n: (r.get("objections") or {}).get(n, 0) for n in OBJECTION_COUNTS},
            }
            for r in rounds
        ]
        rounds = [
            {
                **{k: r[k] for k in ("round_id", "round_title", "agency", "kind", "announced_on")},
                **{n: (r.get("counts") or {}).get(n, 0) for n in PROPOSAL_COUNTS},
            }
            for r in rounds
        ]
        entries.sort(key=lambda e: (e["round_id"], e["unit"] or "", e["position"] or "", e["name"] or ""))
        return _report(
            "transparency",
            "Announced transfers (public)",
            stamp,
            {"round_id": str(round_id) if round_id else None, "agency": agency},
            _section("rounds", rounds, ["round_id", "round_title", "agency", "kind", "announced_on", *PROPOSAL_COUNTS]),
            _section("decisions", entries, list(PUBLIC_FIELDS)),
            _section("objections", objections, ["round_id", "round_title", "agency", *OBJECTION_COUNTS]),
        )

    # -- 5. accountability (internal) --------------------------------------------

    def accountability(
        self,
        round_id: UUID | None = None,
        agency: str | None = None,
        min_position: int | None = None,
        timeout: float = WAIT_TIMEOUT,
    ) -> Report:
        """Decisions with who, when, on which grounds (and those an upheld objection reopened);
        overrides; approvals below the JPM threshold; every objection with its grounds, text and
        answer; decisions reversed on objection."""
        with self.read.snapshot("accountability", min_position, timeout) as (snap, stamp):
            docs, _ = snap.select(
                "proposal",
                equals={"agency": agency, "round_id": str(round_id) if round_id else None},
                order_by=("round_id", "key"),
            )
        decided = sorted((d for d in docs if d["decided_at"]), key=lambda d: d["decided_at"])
        taken = sorted(
            [(d, {**d, **e}, e["reopened_by_objection"]) for d in docs for e in d.get("earlier_decisions") or ()]
            + [(d, d, None) for d in decided],
            key=lambda item: item[1]["decided_at"] or "",
        )
        decisions = [_decision_row(d, decision, superseded) for d, decision, superseded in taken]
        overrides = [
            {
                "proposal_id": d["proposal_id"],
                "name": d["name"],
                "moment": "decision",
                "rule": o["rule"],
                "justification": o["justification"],
                "authorised_by": o["authorised_by"]["user"],
                "decided_by": decision["decided_by"]["user"],
                "decided_at": decision["decided_at"],
                "superseded_by_objection": superseded,
            }
            for d, decision, superseded in taken
            for o in decision["overrides"]
        ]
        overrides += [
            {
                "proposal_id": d["proposal_id"],
                "name": d["name"],
                "moment": "decree",
                "rule": o["rule"],
                "justification": o["justification"],
                "authorised_by": o["authorised_by"]["user"],
                "decided_by": d["decree_signed_by"]["user"],
                "decided_at": d["decreed_at"],
                "superseded_by_objection": None,
            }
            for d in decided
            for o in d.get("decree_overrides") or ()
        ]
        objections = sorted(
            (_objection_row(d, o) for d in docs for o in (d.get("objections") or {}).values()),
            key=lambda row: (row["filed_at"] or "", row["objection_id"]),
        )
        reversed_ = [row for d in docs for row in _reversals(d)]
        hours = sorted(d["hours_to_decision"] for d in decided if d["hours_to_decision"] is not None)
        summary = [
            {
                "proposals": len(docs),
                "decisions": len(decided),
                "approved": sum(1 for d in decided if d["approved"]),
                "overrides": len(overrides),
                "approved_below_jpm_threshold": sum(1 for d in decisions if d["below_jpm_threshold"]),
                "decided_by_proposer": sum(1 for d in decisions if d["decided_by_proposer"]),
                "from_plan": sum(1 for d in docs if d.get("plan_id")),
                "followed_plan": sum(1 for d in decided if _plan_outcome(d) == "followed"),
                "departed_from_plan": sum(1 for d in decided if _plan_outcome(d) == "departed"),
                "median_hours_to_decision": hours[len(hours) // 2] if hours else None,
                "max_hours_to_decision": hours[-1] if hours else None,
                "objections": len(objections),
                "objections_upheld": sum(1 for o in objections if o["answer"] == "upheld"),
                "objections_dismissed": sum(1 for o in objections if o["answer"] == "dismissed"),
                "objections_pending": sum(1 for o in objections if o["answer"] == "pending"),
                "decisions_superseded": sum(1 for _, _, superseded in taken if superseded),
                "reopened_awaiting_decision": sum(1 for d in docs if d["status"] == "reopened"),
                "reversed_on_objection": len(reversed_),
            }
        ]
        return _report(
            "accountability",
            "Accountability of decisions (internal)",
            stamp,
            {"round_id": str(round_id) if round_id else None, "agency": agency},
            _section("summary", summary),
            _table("decisions", decisions, DECISION_COLUMNS),
            _section(
                "overrides",
                overrides,
                [
                    "proposal_id",
                    "name",
                    "moment",
                    "rule",
                    "justification",
                    "authorised_by",
                    "decided_by",
                    "decided_at",
                    "superseded_by_objection",
                ],
            ),
            _table("below_jpm_threshold", [d for d in decisions if d["below_jpm_threshold"]], DECISION_COLUMNS),
            _table("decided_by_proposer", [d for d in decisions if d["decided_by_proposer"]], DECISION_COLUMNS),
            _table("objections", objections, OBJECTION_COLUMNS),
            _table("reversed_on_objection", reversed_, REVERSAL_COLUMNS),
        )

    # -- 6. post-transfer evaluation ---------------------------------------------

    def evaluation(
        self,
        today: date,
        round_id: UUID | None = None,
        agency: str | None = None,
        unit: str | None = None,
        min_position: int | None = None,
        timeout: float = WAIT_TIMEOUT,
    ) -> Report:
        """Before versus after per transfer; drops flagged; evaluations due by `today` and missing."""
        with self.read.snapshot("evaluation", min_position, timeout) as (snap, stamp):
            docs, _ = snap.select(
                "transfer",
                equals={"agency": agency, "unit": unit, "executed": 1, "round_id": str(round_id) if round_id else None},
                order_by=("round_id", "unit", "key"),
            )
        transfers, overdue = [], []
        groups: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)  # by round title and unit
        for d in docs:
            latest = d["evaluations"][-1] if d["evaluations"] else {}
            transfers.append(
                {
                    "round_title": d["round_title"],
                    "proposal_id": d["proposal_id"],
                    "name": d["name"],
                    "nip": d["nip"],
                    "from": f"{d['from_title']} ({d['from_unit']})",
                    "unit": d["unit"],
                    "to": d["to_title"],
                    "executed_on": d["executed_on"],
                    "evaluations": len(d["evaluations"]),
                    "performance_before": latest.get("performance_before"),
                    "performance_after": latest.get("performance_after"),
                    "dropped": d["dropped"],
                    "corrective_action": "; ".join(
                        e["corrective_action"] for e in d["evaluations"] if e["corrective_action"]
                    )
                    or None,
                }
            )
            done = {e["months_after"] for e in d["evaluations"]}
            executed_on = date.fromisoformat(d["executed_on"])
            for months in self.policy.evaluation_months:
                due = add_months(executed_on, months)
                if due < today and not any(m >= months for m in done):
                    overdue.append(
                        {
                            "proposal_id": d["proposal_id"],
                            "name": d["name"],
                            "unit": d["unit"],
                            "round_title": d["round_title"],
                            "months_after": months,
                            "due_on": due.isoformat(),
                            "days_overdue": (today - due).days,
                        }
                    )
            group = groups[(d["round_title"], d["unit"])]
            group.update(transfers=1, evaluated=int(bool(d["evaluations"])), dropped=int(d["dropped"]))
        per_group = [{"round_title": r, "unit": u, **c} for (r, u), c in sorted(groups.items())]
        return _report(
            "evaluation",
            "Post-transfer evaluation",
            stamp,
            {
                "today": today.isoformat(),
                "round_id": str(round_id) if round_id else None,
                "agency": agency,
                "unit": unit,
                "evaluation_months": list(self.policy.evaluation_months),
            },
            _section(
                "transfers",
                transfers,
                [
                    "round_title",
                    "proposal_id",
                    "name",
                    "nip",
                    "from",
                    "unit",
                    "to",
                    "executed_on",
                    "evaluations",
                    "performance_before",
                    "performance_after",
                    "dropped",
                    "corrective_action",
                ],
            ),
            _section(
                "flagged",
                [t for t in transfers if t["dropped"]],
                ["proposal_id", "name", "unit", "performance_before", "performance_after", "corrective_action"],
            ),
            _section(
                "overdue",
                overdue,
                ["proposal_id", "name", "unit", "round_title", "months_after", "due_on", "days_overdue"],
            ),
            _section("per_round_and_unit", per_group, ["round_title", "unit", "transfers", "evaluated", "dropped"]),
        )

    # -- 7. talent map and development needs --------------------------------------

    def talent(
        self,
        year: int,
        agency: str | None = None,
        unit: str | None = None,
        min_position: int | None = None,
        timeout: float = WAIT_TIMEOUT,
    ) -> Report:
        """9-box per employee and counts per box; gaps against the current and target standard; JP."""
        with self.read.snapshot("talent", min_position, timeout) as (snap, stamp):
            docs, _ = snap.select(
                "employee",
                equals={"agency": agency, "unit": unit, "status": "active"},
                order_by=("agency", "unit", "key"),
            )
            seats = {}
            for d in docs:
                for pid in (d["position_id"], d["target_position_id"]):
                    if pid and pid not in seats:
                        seats[pid] = snap.get("seat", pid) or {}
        follow_up = {box.box: box.follow_up for box in TALENT_MAP.values()}
        people, needs = [], []
        counts: Counter[int | None] = Counter()  # employees by box (None: not yet placed in one)
        entitlement = self.policy.development_jp_per_year
        for d in sorted(docs, key=lambda d: (d["agency"] or "", d["unit"] or "", d["name"])):
            counts[d["box"]] += 1
            people.append(
                {
                    "name": d["name"],
                    "nip": d["nip"],
                    "agency": d["agency"],
                    "unit": d["unit"],
                    "position": d["title"],
                    "performance": d["performance"],
                    "potential": d["potential"],
                    "box": d["box"],
                    "follow_up": follow_up.get(d["box"]),
                }
            )
            scores = (d["assessment"] or {}).get("scores", {})
            current = competency_gaps(scores, seats.get(d["position_id"] or "", {}).get("standard", {}))
            target_seat = seats.get(d["target_position_id"] or "", {})
            target = competency_gaps(scores, target_seat.get("standard", {})) if target_seat else {}
            done = sum(
                p["jp_hours_done"]
                for p in d["plans"].values()
                if p["completed_on"] and p["completed_on"].startswith(str(year))
            )
            planned = [p["title"] for p in d["plans"].values() if not p["completed_on"]]
            gaps = sorted(set(current) | set(target))
            if gaps or done < entitlement:
                needs.append(
                    {
                        "name": d["name"],
                        "nip": d["nip"],
                        "unit": d["unit"],
                        "gaps_current": ", ".join(f"{k} -{v}" for k, v in current.items()),
                        "target_position": target_seat.get("title"),
                        "gaps_target": ", ".join(f"{k} -{v}" for k, v in target.items()),
                        "recommended": "; ".join(
                            [f"training or mentoring in {g}" for g in gaps]
                            + ([follow_up[d["box"]]] if d["box"] else [])
                        ),
                        "planned": "; ".join(planned),
                        "jp_done": done,
                        "jp_entitlement": entitlement,
                        "jp_missing": max(entitlement - done, 0),
                    }
                )
        boxes = [
            {"box": box, "employees": counts.get(box, 0), "follow_up": follow_up[box]} for box in range(9, 0, -1)
        ] + [{"box": None, "employees": counts.get(None, 0), "follow_up": "no rating or assessment yet"}]
        return _report(
            "talent",
            "Talent map (9-box) and development needs",
            stamp,
            {"year": year, "agency": agency, "unit": unit},
            _section("boxes", boxes, ["box", "employees", "follow_up"]),
            _section(
                "employees",
                people,
                ["name", "nip", "agency", "unit", "position", "performance", "potential", "box", "follow_up"],
            ),
            _section(
                "development_needs",
                needs,
                [
                    "name",
                    "nip",
                    "unit",
                    "gaps_current",
                    "target_position",
                    "gaps_target",
                    "recommended",
                    "planned",
                    "jp_done",
                    "jp_entitlement",
                    "jp_missing",
                ],
            ),
        )

    # -- 8. merit indicators ---------------------------------------------------------

    def merit(
        self,
        round_id: UUID | None = None,
        agency: str | None = None,
        min_position: int | None = None,
        timeout: float = WAIT_TIMEOUT,
    ) -> Report:
        """Per round: shares of documented reasons, decrees after announcement, evaluated transfers,
        decisions within the rules and objections answered; objections upheld, decisions reversed on
        objection and the median days to answer one. Addressed to BKN (supervision of the merit
        system) and KemenPANRB (its policy); each indicator under the merit-system aspect it evidences."""
        with self.read.snapshot("merit", min_position, timeout) as (snap, stamp):
            docs, _ = snap.select("round", equals={"agency": agency}, order_by=("agency", "key"))
        rows = []
        for d in docs:
            if round_id is not None and d["round_id"] != str(round_id):
                continue
            ps = list(d["proposals"].values())
            decided = [p for p in ps if p["decided"]]
            decreed = [p for p in ps if p["decreed"]]
            executed = [p for p in ps if p["executed"]]
            objections = list((d.get("objections") or {}).values())
            answered = [o for o in objections if o["answered_on"]]
            days = [(date.fromisoformat(o["answered_on"]) - date.fromisoformat(o["filed_on"])).days for o in answered]
            rows.append(
                {
                    "round_id": d["round_id"],
                    "title": d["title"],
                    "agency": d["agency"],
                    "proposals": len(ps),
                    "decisions": len(decided),
                    "documented_reason": _share(
                        sum(
                            p["reason_documented"] and (not p["decided"] or p["decision_reason_documented"]) for p in ps
                        ),
                        len(ps),
                    ),
                    "announced_before_decree": _share(
                        sum(p["decree_after_announcement"] for p in decreed), len(decreed)
                    ),
                    "transfers_evaluated": _share(sum(p["evaluated"] for p in executed), len(executed)),
                    "decisions_within_rules": _share(sum(p["within_rules"] for p in decided), len(decided)),
                    "objections_filed": len(objections),
                    "objections_answered": _share(len(answered), len(objections)),
                    "objections_upheld": sum(1 for o in answered if o["upheld"]),
                    "decisions_reversed_on_objection": sum(p.get("reversed", 0) for p in ps),
                    "median_days_to_answer": median(days) if days else None,
                }
            )
        indicators = [
            {
                "round_id": r["round_id"],
                "title": r["title"],
                "aspect": aspect,
                "indicator": name,
                "value": r[name],
                "evidence": evidence,
            }
            for r in rows
            for name, (aspect, evidence) in MERIT_INDICATORS.items()
        ]
        aspects = [
            {
                "aspect": aspect,
                "indicators": ", ".join(n for n, (a, _) in MERIT_INDICATORS.items() if a == aspect) or None,
            }
            for aspect in MERIT_ASPECTS
        ]
        return _report(
            "merit",
            "Merit indicators per round (for BKN and KemenPANRB)",
            stamp,
            {"round_id": str(round_id) if round_id else None, "agency": agency},
            _section(
                "rounds",
                rows,
                [
                    "round_id",
                    "title",
                    "agency",
                    "proposals",
                    "decisions",
                    "documented_reason",
                    "announced_before_decree",
                    "transfers_evaluated",
                    "decisions_within_rules",
                    "objections_filed",
                    "objections_answered",
                    "objections_upheld",
                    "decisions_reversed_on_objection",
                    "median_days_to_answer",
                ],
            ),
            _section("indicators", indicators, ["round_id", "title", "aspect", "indicator", "value", "evidence"]),
            _section("aspects", aspects, ["aspect", "indicators"]),
            _section("addressed_to", MERIT_SUPERVISION, ["institution", "role"]),
        )


MERIT_ASPECTS = (
    "needs planning",
    "procurement",
    "career development",
    "promotion and transfer",
    "performance management",
    "pay, reward and discipline",
    "protection and services",
    "integrated information system",
)
"""The eight aspects the merit system is assessed on (DOMAIN.md, "Institutions")."""

MERIT_INDICATORS: dict[str, tuple[str, str]] = {
    "documented_reason": ("promotion and transfer", "every proposal and decision states its reason"),
    "decisions_within_rules": ("promotion and transfer", "approvals passed every rule without an override"),
    "announced_before_decree": ("promotion and transfer", "the decided list was announced before the decree"),
    "objections_answered": ("promotion and transfer", "objections the committee answered"),
    "objections_upheld": ("promotion and transfer", "objections upheld (the decision reopened)"),
    "decisions_reversed_on_objection": (
        "promotion and transfer",
        "decisions taken again after an objection that differ from the first",
    ),
    "median_days_to_answer": ("promotion and transfer", "days from filing an objection to its answer"),
    "transfers_evaluated": ("performance management", "executed transfers evaluated afterwards"),
}
"""Each indicator of the merit report: the merit-system aspect it gives evidence for, and what it counts."""

MERIT_SUPERVISION = [
    {
        "institution": "BKN (Badan Kepegawaian Negara)",
        "role": "supervises the merit system (since KASN was dissolved in 2024)",
    },
    {"institution": "KemenPANRB", "role": "sets merit-system policy"},
]
"""To whom merit reports are addressed now that KASN is dissolved (DOMAIN.md, "Institutions")."""


def _plan_outcome(doc: dict[str, Any]) -> str | None:
    """For a decided proposal adopted from a mutation plan: did the decision follow the plan?"""
    if not doc.get("plan_id") or doc.get("approved") is None:
        return None
    return "followed" if doc["approved"] else "departed"


DECISION_COLUMNS = [
    "round_title",
    "proposal_id",
    "name",
    "nip",
    "target",
    "approved",
    "decided_by",
    "decided_at",
    "recorded_by",
    "reason",
    "failed_rules",
    "proposed_by",
    "proposed_at",
    "hours_to_decision",
    "jpm_at_decision",
    "below_jpm_threshold",
    "decided_by_proposer",
    "plan_id",
    "plan",
    "superseded_by_objection",
    "reverses_earlier_decision",
]
"""Every decision taken: those standing, and those an upheld objection reopened (`superseded_by_objection`
names it); `reverses_earlier_decision` tells whether a decision taken again differs from the one reopened."""

_BOARD_FIELDS = (
    "proposal_id",
    "name",
    "nip",
    "from_title",
    "from_unit",
    "target_title",
    "target_unit",
    "reason",
    "jpm",
    "jpm_category",
)
"""The round board's proposal fields copied as they are, in the order of its columns."""

OBJECTION_COLUMNS = [
    "round_title",
    "proposal_id",
    "name",
    "nip",
    "target",
    "objection_id",
    "grounds",
    "text",
    "filed_by",
    "on_behalf_of",
    "letter_reference",
    "filed_on",
    "filed_at",
    "plan_explanation",
    "decision_contested",
    "answer",
    "reasons",
    "answered_by",
    "answered_on",
    "answered_at",
    "days_to_answer",
    "human_review_by",
    "human_review_grounds",
    "decision_after",
    "reversed",
]

REVERSAL_COLUMNS = [
    "round_title",
    "proposal_id",
    "name",
    "nip",
    "target",
    "objection_id",
    "decision_before",
    "decided_before_by",
    "decided_before_at",
    "reason_before",
    "decision_after",
    "decided_after_by",
    "decided_after_at",
    "reason_after",
]


def _verdict(approved: bool | None) -> str | None:
    return None if approved is None else "approved" if approved else "rejected"


def _target(doc: dict[str, Any]) -> str:
    return f"{doc['target_title']} ({doc['target_unit']})"


def _decision_row(doc: dict[str, Any], decision: dict[str, Any], superseded: str | None) -> dict[str, Any]:
    """One decision of a proposal (`decision` holds the decision's fields over the proposal's)."""
    earlier = doc.get("earlier_decisions") or []
    replaced = next(
        (
            e
            for e in reversed(earlier)
            if e["decided_at"] and decision["decided_at"] and e["decided_at"] < decision["decided_at"]
        ),
        None,
    )
    return {
        "round_title": doc["round_title"],
        "proposal_id": doc["proposal_id"],
        "name": doc["name"],
        "nip": doc["nip"],
        "target": _target(doc),
        "approved": decision["approved"],
        "decided_by": decision["decided_by"]["user"],
        "decided_at": decision["decided_at"],
        "recorded_by": decision["decided_actor"],
        "reason": decision["reason"],
        "failed_rules": ", ".join(o["rule"] for o in decision["failed_rules"]),
        "proposed_by": doc["proposed_by"]["user"],
        "proposed_at": doc["proposed_at"],
        "hours_to_decision": decision["hours_to_decision"],
        "jpm_at_decision": decision["jpm_at_decision"],
        "below_jpm_threshold": decision["below_jpm_threshold"],
        "decided_by_proposer": decision["decided_by_proposer"],
        "plan_id": doc.get("plan_id"),
        "plan": _plan_outcome(decision),
        "superseded_by_objection": superseded,
        "reverses_earlier_decision": None if replaced is None else replaced["approved"] != decision["approved"],
    }


def _decisions_in_order(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The proposal's decisions, oldest first: those reopened, then the standing one (if any)."""
    return list(doc.get("earlier_decisions") or ()) + ([doc] if doc["decided_at"] else [])


def _objection_row(doc: dict[str, Any], objection: dict[str, Any]) -> dict[str, Any]:
    answer = objection["answer"] or {}
    review = answer.get("human_review") or {}
    decisions = _decisions_in_order(doc)
    reopened = next(
        (i for i, d in enumerate(decisions) if d.get("reopened_by_objection") == objection["objection_id"]), None
    )
    after = decisions[reopened + 1] if reopened is not None and reopened + 1 < len(decisions) else None
    days = None
    if answer:
        days = (date.fromisoformat(answer["answered_on"]) - date.fromisoformat(objection["filed_on"])).days
    return {
        "round_title": doc["round_title"],
        "proposal_id": doc["proposal_id"],
        "name": doc["name"],
        "nip": doc["nip"],
        "target": _target(doc),
        "objection_id": objection["objection_id"],
        "grounds": objection["grounds"],
        "text": objection["text"],
        "filed_by": objection["filed_by"]["user"],
        "on_behalf_of": doc["name"] if objection["letter_reference"] else None,
        "letter_reference": objection["letter_reference"],
        "filed_on": objection["filed_on"],
        "filed_at": objection["filed_at"],
        "plan_explanation": objection["plan_explanation"],
        "decision_contested": _verdict(objection["decision_contested"]),
        "answer": ("upheld" if answer["upheld"] else "dismissed") if answer else "pending",
        "reasons": answer.get("reasons"),
        "answered_by": (answer.get("answered_by") or {}).get("user"),
        "answered_on": answer.get("answered_on"),
        "answered_at": answer.get("answered_at"),
        "days_to_answer": days,
        "human_review_by": review.get("reviewer"),
        "human_review_grounds": review.get("grounds"),
        "decision_after": _verdict(after["approved"]) if after else ("reopened" if reopened is not None else None),
        "reversed": bool(after and reopened is not None and after["approved"] != decisions[reopened]["approved"]),
    }


def _reversals(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Each decision taken again after an upheld objection that differs from the one reopened."""
    decisions, rows = _decisions_in_order(doc), []
    for before, after in pairwise(decisions):
        if before["approved"] != after["approved"]:
            rows.append(
                {
                    "round_title": doc["round_title"],
                    "proposal_id": doc["proposal_id"],
                    "name": doc["name"],
                    "nip": doc["nip"],
                    "target": _target(doc),
                    "objection_id": before["reopened_by_objection"],
                    "decision_before": _verdict(before["approved"]),
                    "decided_before_by": before["decided_by"]["user"],
                    "decided_before_at": before["decided_at"],
                    "reason_before": before["reason"],
                    "decision_after": _verdict(after["approved"]),
                    "decided_after_by": after["decided_by"]["user"],
                    "decided_after_at": after["decided_at"],
                    "reason_after": after["reason"],
                }
            )
    return rows
