"""`mutasi plan compute | show | adopt`: the mutation plan on the configured store, in-process.

Like `mutasi db`, this acts directly on the store (whoever runs it can reach the database); `--user`
(and `--nip`, for conflicts of interest) name the acting committee member or operator in the events,
and `--agency` (as in `mutasi token`) the agencies they act for: the round's agency must be one of them.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING
from uuid import UUID

from application.settings import Settings
from domain.vocabulary import PositionType

if TYPE_CHECKING:  # imported where used: `mutasi --help` need not load the API schemas or the store
    from api.http.schemas.plans import PairIn, PlanOut
    from application.context import Actor


def _pair(text: str) -> PairIn:
    from api.http.schemas.plans import PairIn

    employee, _, position = text.partition(":")
    return PairIn(employee_id=UUID(employee), position_id=UUID(position))


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `plan` and its sub-commands."""
    parser = commands.add_parser("plan", help="compute, show and adopt mutation plans")
    actions = parser.add_subparsers(dest="plan_command", required=True, metavar="ACTION")
    compute = actions.add_parser("compute", help="compute and keep a plan for a round; prints its id")
    compute.add_argument("round_id", type=UUID)
    _actor(compute)
    add = compute.add_argument
    add("--unit", dest="units", action="append", default=[], help="pool: candidates now in this unit")
    add(
        "--position-type",
        dest="position_types",
        action="append",
        default=[],
        choices=[t.value for t in PositionType],
        help="pool: candidates now in this position type",
    )
    add(
        "--due-for-rotation",
        dest="due_for_rotation_only",
        action="store_true",
        help="pool: only those more than 5 years in their position (and volunteers)",
    )
    add("--volunteer", dest="volunteers", action="append", default=[], type=UUID, help="employee id")
    add("--target-unit", dest="target_units", action="append", default=[], help="seats: only this unit")
    add("--min-jpm", help="leave out pairs below this JPM")
    add("--shortage-weight", default="0", help="JPM points for filling a unit, times its vacancy rate")
    add(
        "--priority-unit",
        dest="priority_units",
        action="append",
        default=[],
        help="a unit counted as fully short (e.g. a remote school)",
    )
    add(
        "--no-keep-in-place",
        dest="keep_in_place",
        action="store_false",
        help="move as many candidates as seats allow, then maximise JPM",
    )
    add("--max-moves", type=int, help="at most this many moves")
    add("--pin", dest="pinned_pairs", action="append", default=[], type=_pair, help="EMPLOYEE_ID:POSITION_ID")
    add("--pin-employee", dest="pinned_employees", action="append", default=[], type=UUID)
    add("--pin-position", dest="pinned_positions", action="append", default=[], type=UUID)
    add("--exclude", dest="excluded_pairs", action="append", default=[], type=_pair, help="EMPLOYEE_ID:POSITION_ID")
    add("--exclude-employee", dest="excluded_employees", action="append", default=[], type=UUID)
    add("--exclude-position", dest="excluded_positions", action="append", default=[], type=UUID)
    add("--explain-limit", type=int, default=20, help="candidates listed per empty seat (default 20)")
    compute.set_defaults(handler=run_compute)
    show = actions.add_parser("show", help="print a plan: moves, empty seats and why, spread per unit")
    show.add_argument("plan_id", type=UUID)
    show.add_argument("--json", action="store_true", help="print the plan as JSON (as GET /plans/{id})")
    show.set_defaults(handler=run_show)
    adopt = actions.add_parser("adopt", help="turn the plan's moves into proposals of the round")
    adopt.add_argument("plan_id", type=UUID)
    _actor(adopt)
    adopt.add_argument(
        "--employee",
        dest="employee_ids",
        action="append",
        type=UUID,
        help="adopt only this employee's move (repeatable; default: every move left)",
    )
    adopt.add_argument("--reason", default="recommended by the mutation plan")
    adopt.set_defaults(handler=run_adopt)


def _actor(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", required=True, help="the acting user, recorded in every event")
    parser.add_argument("--nip", help="the user's own NIP, if a civil servant")
    parser.add_argument(
        "--agency",
        action="append",
        required=True,
        metavar="AGENCY",
        dest="agencies",
        help="an agency the user acts for (repeat for several; '*' = every agency)",
    )


def _who(args: argparse.Namespace) -> Actor:
    from application.context import Actor
    from domain.nip import Nip

    return Actor(args.user, Nip.parse(args.nip).value if args.nip else None, agencies=tuple(args.agencies))


def run_compute(args: argparse.Namespace, settings: Settings) -> int:
    """Compute and keep a plan; print its id and a summary."""
    from api.http.schemas.plans import PlanRequest
    from application.bootstrap import open_application

    request = PlanRequest(**{name: getattr(args, name) for name in PlanRequest.model_fields})
    with open_application(settings) as app:
        recorded = app.compute_plan(_who(args), args.round_id, request.options())
        plan = app.get_plan(recorded.aggregate_id)  # the aggregate recorded is the plan
    print(recorded.plan_id)
    result = plan.result
    print(
        f"{len(result.moves)} moves, total JPM {result.total_jpm} (gain {result.jpm_gain}), "
        f"{len(result.empty_seats)} positions with empty seats; solver {result.status}"
    )
    return 0


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    """Print a plan as text, or as JSON."""
    from api.http.schemas.plans import PlanOut
    from application.bootstrap import open_application

    with open_application(settings) as app:
        plan = app.get_plan(args.plan_id)
    if args.json:
        print(PlanOut.of(plan).model_dump_json(indent=2))
        return 0
    for line in describe(PlanOut.of(plan)):
        print(line)
    return 0


def describe(plan: PlanOut) -> list[str]:
    """The plan in lines of text: moves in order, empty seats with each candidate's reason, spread."""
    r = plan.result
    lines = [
        f"plan {plan.id} (version {plan.version}) for round {plan.round_id}, "
        f"computed {plan.computed_on} by {plan.computed_by.user}: {r.status}, pool {r.pool_size}, "
        f"{len(r.moves)} moves, total JPM {r.total_jpm}, gain {r.jpm_gain}"
    ]
    lines.append("moves:")
    for mv in r.moves:
        extra = " (joint)" if mv.joint else ""
        gaps = ", ".join(f"{k} -{v}" for k, v in mv.gaps.items()) or "none"
        lines.append(
            f"  {mv.order}. {mv.name} {mv.from_title} ({mv.from_unit}) -> {mv.to_title} "
            f"({mv.to_unit}): JPM {mv.jpm} {mv.category.value}{extra}; gaps: {gaps}"
        )
    lines.append("empty seats:")
    for seat in r.empty_seats:
        lines.append(f"  {seat.title} ({seat.unit}), {seat.free_seats} free: {seat.reason}")
        for verdict in seat.candidates:
            rules = ", ".join(verdict.rules)
            lines.append(f"    {verdict.name} (JPM {verdict.jpm}): {rules}: {verdict.reason}")
    lines.append("spread (formasi / before -> after):")
    for unit in r.spread:
        lines.append(
            f"  {unit.unit}: {unit.formasi} / {unit.staffed_before} -> {unit.staffed_after}"
            f" (+{unit.arriving} -{unit.leaving}, {unit.promised} promised)"
        )
    if plan.adoptions:
        lines.append("adopted:")
        lines += [f"  {a.employee_id} -> proposal {a.proposal_id}" for a in plan.adoptions]
    return lines


def run_adopt(args: argparse.Namespace, settings: Settings) -> int:
    """Adopt the plan (or the selected moves) into proposals; print the proposal ids."""
    from application.bootstrap import open_application

    with open_application(settings) as app:
        before = set(app.get_plan(args.plan_id).adoptions)
        app.adopt_plan(_who(args), args.plan_id, args.employee_ids, args.reason)
        plan = app.get_plan(args.plan_id)
    for adoption in plan.adoptions.values():
        if adoption.employee_id not in before:
            print(f"{adoption.employee_id} {adoption.proposal_id}")
    return 0
