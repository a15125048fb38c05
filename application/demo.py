"""One mutation round walked end to end on the sample register, narrated line by line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from application.context import Actor
from application.sample import AGENCY, SampleRegister
from application.service import MutasiApplication
from domain.competency import JobPersonMatch
from domain.eligibility import FreezeWindow
from domain.employee import Employee
from domain.position import Position
from domain.proposal import EvaluationFindings
from domain.vocabulary import Expectation, Predikat, TransferKind

COMMITTEE = Actor("ketua-tpk")
PPK = Actor("walikota-pariaman")
EVALUATOR = Actor("kepala-bkpsdm")


def _best_candidates(app, mutation_round, employees, positions, operator, vacancies):
    chosen: list[tuple[Employee, Position]] = []
    for target in vacancies:
        ranked = []
        for employee in employees:
            if employee.position_id in (None, target.id) or employee in (c for c, _ in chosen):
                continue
            report = mutation_round.eligibility(
                employee, positions[employee.position_id], target, operator.official, app.policy
            )
            if report.passed:
                scores = employee.latest_assessment.scores if employee.latest_assessment else {}
                jpm = JobPersonMatch.of(scores, target.standard, app.policy).jpm
                ranked.append((jpm, employee.nip, employee))
        if ranked:
            chosen.append((max(ranked, key=lambda r: (r[0], r[1]))[2], target))
    return chosen


def walk_round(
    app: MutasiApplication, later: MutasiApplication, register: SampleRegister, operator: Actor
) -> Iterator[str]:
    """Open, propose, review, decide, announce, decree, execute, evaluate (on `later`) and close."""
    today = app.today()
    freeze = FreezeWindow(today + timedelta(days=300), today + timedelta(days=500), "Pilkada serentak")
    round_id = app.open_round(
        operator, AGENCY, TransferKind.WITHIN_AGENCY, f"Mutasi {today:%B %Y}",
        today - timedelta(days=30), today + timedelta(days=60), today, (freeze,),
    ).aggregate_id
    yield f"1. round opened: {round_id} (effective {today}, freeze window {freeze.starts_on} to {freeze.ends_on})"
    positions = {p: app.get_position(p) for ids in register.positions.values() for p in ids}
    employees = [app.get_employee(e) for e in register.employees]
    vacancies = sorted(
        (p for p in positions.values() if p.free_seats > 0 and not p.position_type.is_senior_executive),
        key=lambda p: (-p.free_seats, p.unit, p.title),
    )[:3]
    yield "2. needs analysis: " + "; ".join(f"{p.title} has {p.free_seats} free seats" for p in vacancies)
    mutation_round = app.get_round(round_id)
    moves = _best_candidates(app, mutation_round, employees, positions, operator, vacancies)
    proposals = []
    for employee, target in moves:
        recorded = app.propose(operator, round_id, employee.id, target.id,
                               f"best competency match for the vacancy in {target.unit}")
        proposal = app.get_round(round_id).proposals[recorded.proposal_id]
        yield (f"3. proposed {employee.name} for {target.title}: JPM {proposal.jpm} "
               f"({proposal.jpm_category.value})")
        for outcome in proposal.eligibility:
            yield f"     {'pass' if outcome.passed else 'FAIL'} {outcome.rule}: {outcome.explanation}"
        proposals.append(recorded.proposal_id)
    if not proposals:
        yield "   no eligible candidate for any vacancy; closing the round"
        app.close_round(PPK, round_id, today)
        return
    for proposal_id in proposals:
        app.recommend(COMMITTEE, round_id, proposal_id, True, "meets the standard; recommended")
        app.decide(PPK, round_id, proposal_id, True, "approved on the committee's recommendation")
    yield f"4. committee recommended and the PPK approved {len(proposals)} proposals"
    app.announce(PPK, round_id, today)
    yield "5. approved list announced"
    for number, proposal_id in enumerate(proposals, start=1):
        app.issue_decree(PPK, round_id, proposal_id, f"821.2/{number:03d}/BKPSDM/{today.year}", today, today)
        app.execute_transfer(operator, round_id, proposal_id)
    yield f"6. {len(proposals)} decrees issued and transfers executed (TMT {today})"
    for proposal_id in proposals:
        later.evaluate_transfer(EVALUATOR, round_id, proposal_id, EvaluationFindings(
            3, later.today(), Predikat.BAIK, Expectation.AS_EXPECTED, Expectation.AS_EXPECTED,
            "settled in; service maintained",
        ))
    yield f"7. three months later ({later.today()}): every transfer evaluated"
    later.close_round(PPK, round_id, later.today())
    final = later.get_round(round_id)
    yield f"8. round closed at version {final.version}: " + ", ".join(
        f"{p.status.value}" for p in final.proposals.values()
    )
