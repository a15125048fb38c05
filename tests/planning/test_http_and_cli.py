"""The plan end to end on SQLite and PostgreSQL: over REST (compute, read after a restart, adopt, roles,
idempotency, refusals) and on the command line; old Proposed events without a plan still load."""

from __future__ import annotations

import json
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from api.cli.main import main
from api.http.roles import Role
from application.bootstrap import open_application
from application.settings import Settings
from domain.plan_options import PlanOptions
from tests import scenario
from tests.api.support import Api, employee, open_round, position, recommended_proposal, running_api
from tests.scenario import COMMITTEE


def register(api: Api) -> dict[str, str]:
    """Two employees in a full position of BPKAD, and a vacant position (2 seats) in Dinas Pendidikan."""
    home = position(api, "Analis Keuangan", formasi=2)
    target = position(api, "Pengelola Keuangan Sekolah", formasi=2, unit="Dinas Pendidikan")
    return {
        "home": home,
        "target": target,
        "e1": employee(api, 1, home),
        "e2": employee(api, 2, home),
        "round": open_round(api),
    }


def test_compute_read_after_restart_and_adopt_over_rest(settings: Settings, clock) -> None:
    with running_api(settings, clock) as api:
        ids = register(api)
        ask = {"keep_in_place": False, "max_moves": 1, "shortage_weight": "10"}
        created = api.call(Role.COMMITTEE, "POST", f"/rounds/{ids['round']}/plans", ask, Idempotency_Key="p-1")
        assert created.status_code == 201, created.text
        plan_id = created.json()["plan_id"]
        replay = api.call(Role.COMMITTEE, "POST", f"/rounds/{ids['round']}/plans", ask, Idempotency_Key="p-1")
        assert replay.json() == created.json() and replay.headers["Idempotent-Replayed"] == "true"
    with running_api(settings, clock) as api:  # a restart: the plan is read back from its events
        read = api.call(Role.AUDITOR, "GET", f"/plans/{plan_id}")
        assert read.status_code == 200, read.text
        assert read.headers["ETag"] == '"1"'
        plan = read.json()
        assert plan["round_id"] == ids["round"] and plan["options"]["max_moves"] == 1
        (move,) = plan["result"]["moves"]
        assert move["to_position_id"] == ids["target"] and move["employee_id"] in (ids["e1"], ids["e2"])
        assert move["jpm"] == "100.00" and move["category"] == "MS"
        assert [o["rule"] for o in move["eligibility"]][-3:] == ["vacancy", "conflict_of_interest", "level"]
        assert all(o["passed"] for o in move["eligibility"])
        seats = {s["position_id"]: s for s in plan["result"]["empty_seats"]}
        assert set(seats) == {ids["target"], ids["home"]}  # the mover's seat is free now too
        seat = seats[ids["target"]]
        assert seat["free_seats"] == 1
        verdicts = {v["employee_id"]: v["reason"] for v in seat["candidates"]}
        stayer = ({ids["e1"], ids["e2"]} - {move["employee_id"]}).pop()
        assert verdicts[stayer].startswith("eligible, but the plan's limit of 1 moves was reached")
        assert verdicts[move["employee_id"]].startswith("recommended for another seat of this position")
        spread = {u["unit"]: u for u in plan["result"]["spread"]}
        assert (spread["Dinas Pendidikan"]["staffed_before"], spread["Dinas Pendidikan"]["staffed_after"]) == (0, 1)
        assert api.call(Role.PPK, "GET", f"/plans/{plan_id}").status_code == 200
        assert api.call(Role.ASSESSOR, "GET", f"/plans/{plan_id}").status_code == 403
        assert api.call(Role.PPK, "POST", f"/plans/{plan_id}/adopt", {}).status_code == 403

        adopted = api.call(
            Role.COMMITTEE, "POST", f"/plans/{plan_id}/adopt", {"reason": "TPK meeting 2 March 2026"}, If_Match='"1"'
        )
        assert adopted.status_code == 200, adopted.text
        assert adopted.json()["version"] == 2
        again = api.call(Role.COMMITTEE, "POST", f"/plans/{plan_id}/adopt", {})
        assert again.status_code == 409 and again.json()["code"] == "illegal-transition"
        (adoption,) = api.ok(Role.AUDITOR, "GET", f"/plans/{plan_id}")["adoptions"]
        proposal = api.app.get_round(UUID(ids["round"])).proposal(UUID(adoption["proposal_id"]))
        assert str(proposal.employee_id) == move["employee_id"]
        assert str(proposal.target_position_id) == ids["target"]
        assert str(proposal.plan.plan_id) == plan_id and proposal.plan.plan_version == 1
        assert proposal.plan.options.max_moves == 1 and not proposal.plan.options.keep_in_place
        proposal_id = adoption["proposal_id"]
        shown = {p["proposal_id"]: p for p in api.ok(Role.AUDITOR, "GET", f"/rounds/{ids['round']}")["proposals"]}
        assert shown[proposal_id]["plan"]["plan_id"] == plan_id
        assert shown[proposal_id]["plan"]["options"]["max_moves"] == 1
        api.ok(
            Role.COMMITTEE,
            "POST",
            f"/rounds/{ids['round']}/proposals/{proposal_id}/recommendation",
            {"recommended": True, "notes": "as planned"},
        )
        api.ok(
            Role.PPK,
            "POST",
            f"/rounds/{ids['round']}/proposals/{proposal_id}/decision",
            {"approve": True, "reason": "follows the plan"},
        )


def test_refusals_are_problem_documents(settings: Settings, clock) -> None:
    with running_api(settings, clock) as api:
        ids = register(api)
        missing = api.call(Role.COMMITTEE, "GET", "/plans/6f1d0d7e-8b0f-4f37-9a55-1c7a1f0f2e3b")
        assert missing.status_code == 404 and missing.json()["code"] == "plan-not-found"
        pinned = {"pinned_pairs": [{"employee_id": ids["e1"], "position_id": ids["home"]}]}
        refused = api.call(Role.OPERATOR, "POST", f"/rounds/{ids['round']}/plans", pinned)
        assert refused.status_code == 422, refused.text
        pin_to_own_seat = api.call(
            Role.OPERATOR, "POST", f"/rounds/{ids['round']}/plans", {"pinned_positions": [ids["home"]], "max_moves": 0}
        )
        assert pin_to_own_seat.status_code == 422
        assert pin_to_own_seat.json()["code"] == "plan-infeasible"
        moved = api.call(Role.OPERATOR, "POST", f"/rounds/{ids['round']}/plans", {}, If_Match='"7"')
        assert moved.status_code == 412
        assert api.call(Role.ASSESSOR, "POST", f"/rounds/{ids['round']}/plans", {}).status_code == 403
        busy = recommended_proposal(api, ids["round"], ids["e2"], ids["target"])
        plan_id = api.ok(Role.OPERATOR, "POST", f"/rounds/{ids['round']}/plans", {"keep_in_place": False})["plan_id"]
        (skipped,) = api.ok(Role.OPERATOR, "GET", f"/plans/{plan_id}")["result"]["skipped"]
        assert skipped["employee_id"] == ids["e2"] and busy in skipped["reason"]


def test_the_command_line_computes_shows_and_adopts(settings: Settings, clock, monkeypatch, capsys) -> None:
    with running_api(settings, clock) as api:
        ids = register(api)
    for name, value in scenario.cli_env(settings).items():
        monkeypatch.setenv(name, value)
    assert (
        main(
            [
                "plan",
                "compute",
                ids["round"],
                "--user",
                "ketua-tpk",
                "--agency",
                scenario.AGENCY,
                "--no-keep-in-place",
                "--max-moves",
                "2",
                "--target-unit",
                "Dinas Pendidikan",
            ]
        )
        == 0
    )
    plan_id = capsys.readouterr().out.splitlines()[0]
    assert main(["plan", "show", plan_id]) == 0
    shown = capsys.readouterr().out
    assert "2 moves" in shown and "Pengelola Keuangan Sekolah (Dinas Pendidikan)" in shown
    assert main(["plan", "show", plan_id, "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["result"]["moves"]) == 2
    assert (
        main(["plan", "adopt", plan_id, "--user", "ketua-tpk", "--agency", scenario.AGENCY, "--employee", ids["e2"]])
        == 0
    )
    employee_id, proposal_id = capsys.readouterr().out.split()
    assert employee_id == ids["e2"]
    assert (
        main(["plan", "adopt", plan_id, "--user", "ketua-tpk", "--agency", scenario.AGENCY, "--employee", ids["e2"]])
        == 2
    )
    assert "already adopted" in capsys.readouterr().err
    with open_application(settings, clock) as app:
        proposal = app.get_round(UUID(ids["round"])).proposal(UUID(proposal_id))
        assert proposal.plan.plan_id == UUID(plan_id)


def test_a_proposed_event_stored_before_plans_existed_still_loads(app) -> None:
    home = scenario.position(app, "Analis Keuangan")
    target = scenario.position(app, "Pengelola Keuangan", unit="Dinas Pendidikan")
    who = scenario.employee(app, 1, home)
    round_id = scenario.mutation_round(app)
    proposal_id = app.propose(scenario.OPERATOR, round_id, who, target, "by hand").proposal_id
    stored = app.recorder.select_events(round_id)[-1]
    state = app.mapper.stored_state(stored)
    assert state["proposal"]["plan"] is None
    del state["proposal"]["plan"]  # the shape recorded before this field existed
    old = StoredEvent(stored.originator_id, stored.originator_version, stored.topic, json.dumps(state).encode())
    event = app.mapper.to_domain_event(old)
    assert event.proposal.proposal_id == proposal_id and event.proposal.plan is None


def test_the_same_store_and_options_give_the_same_plan_twice(settings: Settings, clock) -> None:
    with running_api(settings, clock) as api:
        ids = register(api)
        asked = PlanOptions(keep_in_place=False, max_moves=1)
        first = api.app.compute_plan(COMMITTEE, UUID(ids["round"]), asked)
        second = api.app.compute_plan(COMMITTEE, UUID(ids["round"]), PlanOptions(max_moves=1, keep_in_place=False))
        assert first.plan_id != second.plan_id
        assert api.app.get_plan(first.plan_id).result == api.app.get_plan(second.plan_id).result
