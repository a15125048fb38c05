"""A register with one round walked through every step the views care about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.context import Actor
from application.service import MutasiApplication
from domain.objection import ObjectionGrounds
from domain.proposal import EvaluationFindings, Override
from domain.vocabulary import DevelopmentActivity, Expectation, Predikat
from tests import scenario as sc

EVALUATOR = Actor("kepala-bkpsdm", agencies=sc.AGENCIES)
MEMBER = Actor("anggota-tpk", nip="197203031998031003", agencies=sc.AGENCIES)
"""A committee member who neither proposed, recommended nor decided: answers the objections."""


@dataclass
class Flow:
    """Ids of what the flow recorded, and the position of its last event."""

    round_id: UUID
    employees: list[UUID]
    positions: list[UUID]
    approved: UUID
    overridden: UUID
    rejected: UUID
    withdrawn: UUID
    position: int
    upheld: UUID | None = None
    """With objections: the objection to the rejection, upheld (the move then approved: reversed)."""
    dismissed: UUID | None = None
    """With objections: the objection to the approved move, dismissed."""


def walk(app: MutasiApplication, objections: bool = False) -> Flow:
    """Positions, five employees, a round with approved, overridden, rejected and withdrawn proposals,
    announced, decreed, executed and evaluated (one evaluation shows a drop); development plans.

    With `objections`: the round is announced on the decision day; employee 2 contests the rejection
    (upheld on 12 February, the move then approved: a decision reversed on objection, left without a
    decree) and the operator, with employee 1's letter, contests the approved move (dismissed)."""
    origin = sc.position(app, "Analis Keuangan", formasi=5)
    target = sc.position(app, "Analis Anggaran", unit="Bappeda", formasi=2)
    other = sc.position(app, "Analis Aset", unit="Bappeda", formasi=1)
    people = [sc.employee(app, seq, origin) for seq in range(1, 5)]
    weak = sc.employee(app, 5, origin, scores={"integritas": 2, "kerjasama": 2, "keuangan_daerah": 2})
    people.append(weak)
    round_id = sc.mutation_round(app)
    approved = sc.approved(app, round_id, people[0], target)
    proposal = app.propose(sc.OPERATOR, round_id, weak, other, "only candidate for the asset desk").proposal_id
    app.recommend(sc.COMMITTEE, round_id, proposal, True, "needs the post filled")
    app.decide(
        sc.PPK,
        round_id,
        proposal,
        True,
        "approved with an override",
        overrides=(Override("competency_fit", "no other candidate; mentoring planned", sc.COMMITTEE.official),),
    )
    rejected = app.propose(sc.OPERATOR, round_id, people[1], target, "second candidate").proposal_id
    app.recommend(sc.COMMITTEE, round_id, rejected, False, "first candidate fits better")
    app.decide(sc.PPK, round_id, rejected, False, "rejected on the committee's advice")
    withdrawn = app.propose(sc.OPERATOR, round_id, people[2], target, "third candidate").proposal_id
    app.withdraw(sc.OPERATOR, round_id, withdrawn, "candidate asked to stay")
    upheld = dismissed = None
    if objections:
        app.announce(sc.PPK, round_id, sc.DECIDED_ON)
        sc.advance(app, date(2026, 2, 11))
        upheld = app.file_objection(
            Actor("pegawai-2", nip=sc.nip(2)),
            round_id,
            rejected,
            ObjectionGrounds.DATA_WRONG,
            "my 2025 SKP was recorded wrongly",
        ).objection_id
        dismissed = app.file_objection(
            sc.OPERATOR,
            round_id,
            approved,
            ObjectionGrounds.PERSONAL_CIRCUMSTANCES,
            "a parent to care for near the current office",
            letter_reference="800/017/BPKAD/2026",
        ).objection_id
        sc.advance(app, date(2026, 2, 12))
        app.answer_objection(MEMBER, round_id, rejected, upheld, True, "the SKP was corrected")
        app.answer_objection(MEMBER, round_id, approved, dismissed, False, "the new office is in the same city")
        app.decide(sc.PPK, round_id, rejected, True, "approved after the objection: SKP corrected")
    sc.announce_and_decree(app, round_id, [approved, proposal])
    sc.advance(app, sc.TMT)
    for proposal_id in (approved, proposal):
        app.execute_transfer(sc.OPERATOR, round_id, proposal_id)
    sc.advance(app, date(2026, 6, 2))  # the evaluations, three months later
    app.evaluate_transfer(
        EVALUATOR,
        round_id,
        approved,
        EvaluationFindings(
            3, date(2026, 6, 1), Predikat.BAIK, Expectation.AS_EXPECTED, Expectation.AS_EXPECTED, "settled in"
        ),
    )
    app.evaluate_transfer(
        EVALUATOR,
        round_id,
        proposal,
        EvaluationFindings(
            3,
            date(2026, 6, 1),
            Predikat.BUTUH_PERBAIKAN,
            Expectation.BELOW,
            Expectation.AS_EXPECTED,
            "struggles with asset records",
            "mentoring by the head of the asset desk",
        ),
    )
    plan = app.plan_development(
        sc.OPERATOR,
        weak,
        DevelopmentActivity.TRAINING,
        "Diklat keuangan daerah",
        "keuangan_daerah",
        24,
        date(2026, 9, 30),
    ).plan_id
    last = app.complete_development(sc.OPERATOR, weak, plan, date(2026, 5, 20), 16)
    return Flow(
        round_id,
        people,
        [origin, target, other],
        approved,
        proposal,
        rejected,
        withdrawn,
        last.position,
        upheld,
        dismissed,
    )
