"""The accountability report shows where decisions followed or departed from a mutation plan."""

from __future__ import annotations

from domain.plan_options import PlanOptions
from tests import scenario as sc
from tests.projections.conftest import Views


def test_decisions_on_adopted_proposals_are_marked_followed_or_departed(app, views: Views) -> None:
    demanding = {"integritas": 3, "kerjasama": 3, "keuangan_daerah": 5}
    origin = sc.position(app, "Pengelola Keuangan", unit="Dinas Pendidikan", formasi=2, standard=demanding)
    for n in (1, 2):  # two single-seat targets for the plan
        sc.position(app, f"Analis Keuangan {n}", unit="BPKAD", formasi=1)
    movers = [sc.employee(app, n, origin) for n in (1, 2)]
    round_id = sc.mutation_round(app)
    plan_id = app.compute_plan(sc.COMMITTEE, round_id, PlanOptions()).plan_id
    assert {mv.employee_id for mv in app.get_plan(plan_id).result.moves} == set(movers)
    app.adopt_plan(sc.COMMITTEE, plan_id)
    proposals = {p.employee_id: p for p in app.get_round(round_id).proposals.values()}
    assert all(p.plan is not None and p.plan.plan_id == plan_id for p in proposals.values())
    for employee_id, approve in zip(movers, (True, False), strict=False):
        proposal_id = proposals[employee_id].proposal_id
        app.recommend(sc.COMMITTEE, round_id, proposal_id, True, "as planned")
        app.decide(sc.PPK, round_id, proposal_id, approve, "decision on the plan's recommendation")

    views.catch_up()
    report = views.reports.accountability(round_id=round_id)

    summary = report.section("summary").rows[0]
    assert (summary["from_plan"], summary["followed_plan"], summary["departed_from_plan"]) == (2, 1, 1)
    outcome = {row["proposal_id"]: (row["plan_id"], row["plan"]) for row in report.section("decisions").rows}
    assert outcome == {
        str(proposals[movers[0]].proposal_id): (str(plan_id), "followed"),
        str(proposals[movers[1]].proposal_id): (str(plan_id), "departed"),
    }
