"""One conformance suite per view, run on SQLite and PostgreSQL (the `settings` fixture)."""

from __future__ import annotations

from datetime import date

import pytest

from projections.queries import NotYetUpToDate
from projections.store import ViewsUnavailable
from tests import scenario as sc
from tests.projections.conftest import Views
from tests.projections.flow import Flow


def test_a_view_never_built_is_unavailable_not_empty(views: Views) -> None:
    with pytest.raises(ViewsUnavailable):
        views.read.employees()


def test_register_lists_and_searches_employees_and_positions(views: Views, flow: Flow) -> None:
    assert views.catch_up() == flow.position
    page = views.read.employees(unit="Bappeda")
    assert page.total == 2 and {e.employee_id for e in page.items} == {flow.employees[0], flow.employees[4]}
    assert page.stamp.position == flow.position and page.stamp.as_of is not None
    assert views.read.employees(nip_prefix="19850115201003").total == 5
    assert views.read.employees(nip_prefix="1999").total == 0
    assert views.read.employees(rank="III/b", limit=2, offset=4).items[0].nip == sc.nip(5)
    assert views.read.employees(position_type="fungsional_ahli_pertama").total == 5
    vacant = views.read.positions(vacant=True)
    assert [p.title for p in vacant.items] == ["Analis Keuangan", "Analis Anggaran"]
    assert views.read.positions(vacant=False).items[0].title == "Analis Aset"
    full = views.read.positions(unit="BPKAD").items[0]
    assert (full.formasi, len(full.holders), full.free_seats) == (5, 3, 2)


def test_read_your_writes_waits_for_the_position_or_says_not_yet(views: Views, app, flow: Flow) -> None:
    views.catch_up()
    later = app.change_rank(sc.OPERATOR, flow.employees[3], "III/c", date(2026, 4, 1), "SK-pangkat")
    with pytest.raises(NotYetUpToDate) as refused:
        views.read.employees(min_position=later.position, timeout=0.05)
    assert (refused.value.position, refused.value.wanted) == (flow.position, later.position)
    views.catch_up()
    page = views.read.employees(rank="III/c", min_position=later.position)
    assert [e.employee_id for e in page.items] == [flow.employees[3]]


def test_placement_history_per_employee_and_per_position(views: Views, flow: Flow) -> None:
    views.catch_up()
    moved = views.reports.employee_placements(flow.employees[0]).section("placements").rows
    assert [(r["title"], r["since"], r["until"]) for r in moved] == [
        ("Analis Keuangan", "2020-01-02", "2026-03-01"),
        ("Analis Anggaran", "2026-03-01", None),
    ]
    assert moved[1]["round_id"] == str(flow.round_id) and moved[1]["decree_number"] == "821.2/001/2026"
    origin = views.reports.position_holders(flow.positions[0]).section("holders").rows
    assert len(origin) == 5
    left = [r for r in origin if r["until"]]
    assert {r["employee_id"] for r in left} == {str(flow.employees[0]), str(flow.employees[4])}


def test_staffing_per_position_unit_agency_and_spread(views: Views, app, flow: Flow) -> None:
    views.catch_up()
    report = views.reports.staffing()
    units = {r["unit"]: r for r in report.section("units").rows}
    assert (units["BPKAD"]["formasi"], units["BPKAD"]["holders"], units["BPKAD"]["vacancies"]) == (5, 3, 2)
    assert (units["Bappeda"]["holders"], units["Bappeda"]["vacancies"]) == (2, 1)
    assert report.section("agencies").rows[0]["holders"] == 5
    assert report.section("spread").rows == []
    sc.position(app, "Analis Sosial", unit="Dinas Sosial", formasi=2)
    app.revise_formasi(sc.OPERATOR, flow.positions[0], 1, "ABK 2026: fewer analysts needed")
    views.catch_up()
    report = views.reports.staffing(agency=sc.AGENCY)
    assert {r["unit"]: r["surplus"] for r in report.section("units").rows}["BPKAD"] == 2
    [spread] = report.section("spread").rows
    assert spread["units_with_surplus"] == "BPKAD (+2)" and spread["movable"] == 2
    assert spread["units_with_vacancies"] == "Bappeda (1), Dinas Sosial (2)"
    assert [p.title for p in views.read.positions(surplus=True).items] == ["Analis Keuangan"]


def test_round_board_shows_every_proposal_rule_by_rule(views: Views, flow: Flow) -> None:
    views.catch_up()
    board = views.reports.round_board(flow.round_id)
    rows = {r["proposal_id"]: r for r in board.section("proposals").rows}
    assert rows[str(flow.approved)]["status"] == "executed"
    assert rows[str(flow.rejected)]["status"] == "rejected"
    assert rows[str(flow.withdrawn)]["status"] == "withdrawn"
    overridden = rows[str(flow.overridden)]
    assert overridden["rule_competency_fit"] == "FAIL" and overridden["overrides"] == "competency_fit"
    assert overridden["jpm_category"] == "KMS" and overridden["decree_number"] == "821.2/002/2026"
    assert board.section("round").rows[0]["status"] == "announced"


def test_transparency_shows_only_announced_rounds_minimised(views: Views, app, flow: Flow) -> None:
    unannounced = sc.mutation_round(app)
    extra = sc.employee(app, 9, flow.positions[0])
    sc.approved(app, unannounced, extra, flow.positions[1])
    views.catch_up()
    report = views.reports.transparency()
    assert [r["round_id"] for r in report.section("rounds").rows] == [str(flow.round_id)]
    entries = {r["proposal_id"]: r for r in report.section("decisions").rows}
    assert set(entries) == {str(flow.approved), str(flow.overridden)}  # the rejected: counted, never named
    approved = entries[str(flow.approved)]
    assert approved["nip_masked"] == "*" * 14 + sc.nip(1)[14:]
    assert (approved["decision"], approved["decree_number"], approved["jpm_category"]) == (
        "approved",
        "821.2/001/2026",
        "MS",
    )
    [counts] = report.section("rounds").rows
    assert (counts["proposals"], counts["approved"], counts["rejected"], counts["withdrawn"]) == (4, 2, 1, 1)


def test_accountability_names_who_decided_and_every_override(views: Views, flow: Flow) -> None:
    views.catch_up()
    report = views.reports.accountability()
    summary = report.section("summary").rows[0]
    assert (summary["proposals"], summary["decisions"], summary["approved"]) == (4, 3, 2)
    assert summary["decided_by_proposer"] == 0 and report.section("decided_by_proposer").rows == []
    [override] = report.section("overrides").rows
    assert (override["rule"], override["authorised_by"]) == ("competency_fit", sc.COMMITTEE.user)
    assert override["justification"] == "no other candidate; mentoring planned"
    [below] = report.section("below_jpm_threshold").rows
    assert below["proposal_id"] == str(flow.overridden)
    decisions = report.section("decisions").rows
    assert {d["decided_by"] for d in decisions} == {sc.PPK.user}
    assert all(d["decided_at"] >= d["proposed_at"] and d["hours_to_decision"] >= 0 for d in decisions)


def test_evaluation_flags_drops_and_overdue_evaluations(views: Views, flow: Flow) -> None:
    views.catch_up()
    before = views.reports.evaluation(date(2026, 8, 31))
    assert before.section("overdue").rows == []
    [flagged] = before.section("flagged").rows
    assert flagged["proposal_id"] == str(flow.overridden)
    assert (flagged["performance_before"], flagged["performance_after"]) == ("Baik", "Butuh Perbaikan")
    assert flagged["corrective_action"] == "mentoring by the head of the asset desk"
    later = views.reports.evaluation(date(2026, 9, 2))
    assert {(r["proposal_id"], r["months_after"]) for r in later.section("overdue").rows} == {
        (str(flow.approved), 6),
        (str(flow.overridden), 6),
    }
    assert later.section("per_round_and_unit").rows == [
        {"round_title": "Mutasi Tahap I 2026", "unit": "Bappeda", "transfers": 2, "evaluated": 2, "dropped": 1}
    ]


def test_talent_map_and_development_needs(views: Views, app, flow: Flow) -> None:
    views.catch_up()
    report = views.reports.talent(2026)
    boxes = {r["box"]: r["employees"] for r in report.section("boxes").rows}
    assert boxes[8] == 5 and sum(boxes.values()) == 5
    needs = {r["nip"]: r for r in report.section("development_needs").rows}
    weak = needs[sc.nip(5)]
    assert weak["gaps_current"] == "integritas -1, kerjasama -1, keuangan_daerah -2"
    assert (weak["jp_done"], weak["jp_missing"]) == (16, 4)
    assert needs[sc.nip(1)]["jp_missing"] == 20
    target = sc.position(
        app, "Kepala Bidang Anggaran", unit="Bappeda", standard={"integritas": 4, "kerjasama": 4, "keuangan_daerah": 5}
    )
    new_round = sc.mutation_round(app)
    app.propose(sc.OPERATOR, new_round, flow.employees[1], target, "promotion candidate")
    views.catch_up()
    second = {r["nip"]: r for r in views.reports.talent(2026).section("development_needs").rows}[sc.nip(2)]
    assert second["target_position"] == "Kepala Bidang Anggaran"
    assert second["gaps_target"] == "kerjasama -1, keuangan_daerah -1"


def test_merit_indicators_per_round(views: Views, flow: Flow) -> None:
    views.catch_up()
    [row] = views.reports.merit().section("rounds").rows
    assert (row["proposals"], row["decisions"]) == (4, 3)
    assert row["documented_reason"] == 1.0
    assert row["announced_before_decree"] == 1.0
    assert row["transfers_evaluated"] == 1.0
    assert row["decisions_within_rules"] == round(2 / 3, 4)


def test_a_nul_character_in_a_filter_is_dropped_instead_of_failing_on_postgres(views: Views, flow: Flow) -> None:
    views.catch_up()
    assert views.read.employees(agency="Pemerintah\x00Kota").total == 0
    assert views.read.positions(unit="BPKAD\x00").total == 1
