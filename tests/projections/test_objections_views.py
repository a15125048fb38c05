"""Objections (sanggah) in the views and reports, on SQLite and PostgreSQL: the accountability report
lists every objection and every decision reversed on objection, the public report only counts them,
the merit report measures them under its aspect, the round board shows their state."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import pytest

from application.context import Actor
from application.service import MutasiApplication
from application.settings import Settings
from domain.objection import HumanReview, ObjectionGrounds
from domain.plan_options import PlanOptions
from projections.admin import rebuild
from projections.catalogue import VIEWS
from projections.export import render
from projections.reports import MERIT_ASPECTS
from projections.views.transparency import PUBLIC_FIELDS
from tests import scenario as sc
from tests.projections.conftest import Views, dump

MEMBER = Actor("anggota-tpk", nip="197203031998031003", agencies=sc.AGENCIES)
"""A committee member who took no part in the contested acts (the chair recommended them)."""
LETTER = "Surat 800/12/BKPSDM/2026"
TEXTS = {
    "reversed": "Anak saya bersekolah di kecamatan lama; pindah tugas memutus terapi rutinnya",
    "restored": "Nilai SKP 2025 saya tercatat salah: predikat Baik, bukan Butuh Perbaikan",
    "dismissed": "Saya merasa lebih cocok di Bappeda daripada rekan yang dipilih",
    "plan": "Rekomendasi otomatis menempatkan saya tanpa wawancara",
}
REASONS = {
    "reversed": "keadaan keluarga terbukti dengan surat dokter",
    "restored": "data SKP dikoreksi oleh BKPSDM",
    "dismissed": "penilaian kompetensi sudah sesuai standar jabatan",
    "plan": "ditinjau langsung: penempatan sesuai kebutuhan dan kompetensi",
}
REVIEW = HumanReview("Drs. Rahmat (anggota TPK)", "read the file and met the employee on 16 February")


@dataclass
class Contest:
    """A round whose decisions were contested: ids of proposals and objections, by their story."""

    round_id: UUID
    proposals: dict[str, UUID]
    objections: dict[str, UUID]
    employees: dict[str, UUID]


def contested_round(app: MutasiApplication) -> Contest:
    """A plan-made proposal (approved; objection dismissed after a person reviewed it), a plan-less one
    approved then reversed to rejected, one rejected then reversed to approved, one rejected and the
    objection dismissed, and one approved nobody contested. Announced on 10 February; objections on the
    11th and 12th, answered on the 16th (Monday), decided again on the 17th; the reopened ones wait."""
    demanding = {"integritas": 3, "kerjasama": 3, "keuangan_daerah": 5}
    plan_origin = sc.position(app, "Pengelola Keuangan", unit="Dinas Pendidikan", formasi=2, standard=demanding)
    plan_targets = [sc.position(app, f"Analis Keuangan {n}", unit="BPKAD", formasi=1) for n in (1, 2)]
    planned = sc.employee(app, 1, plan_origin)
    sc.employee(app, 2, plan_origin)
    round_id = sc.mutation_round(app)
    plan_id = app.compute_plan(sc.COMMITTEE, round_id, PlanOptions()).plan_id
    app.adopt_plan(sc.COMMITTEE, plan_id, [planned])
    [plan_made] = app.get_round(round_id).proposals
    app.recommend(sc.COMMITTEE, round_id, plan_made, True, "as planned")
    app.decide(sc.PPK, round_id, plan_made, True, "the plan's recommendation")
    assert plan_targets

    origin = sc.position(app, "Pengadministrasi Keuangan", formasi=6)
    target = sc.position(app, "Analis Anggaran", unit="Bappeda", formasi=2)
    people = {
        story: sc.employee(app, seq, origin)
        for seq, story in ((3, "reversed"), (4, "dismissed"), (5, "restored"), (6, "uncontested"))
    }
    people["plan"] = planned
    proposals = {"plan": plan_made}
    for story, approve in (("reversed", True), ("dismissed", False), ("restored", False), ("uncontested", True)):
        proposals[story] = app.propose(sc.OPERATOR, round_id, people[story], target, f"candidate: {story}").proposal_id
        app.recommend(sc.COMMITTEE, round_id, proposals[story], approve, "the committee's view")
        app.decide(sc.PPK, round_id, proposals[story], approve, f"first decision: {story}")
    app.announce(sc.PPK, round_id, sc.DECIDED_ON)

    sc.advance(app, date(2026, 2, 11))
    objections = {
        "reversed": app.file_objection(
            sc.OPERATOR,
            round_id,
            proposals["reversed"],
            ObjectionGrounds.PERSONAL_CIRCUMSTANCES,
            TEXTS["reversed"],
            letter_reference=LETTER,
        ).objection_id,
        "plan": app.file_objection(
            Actor("pegawai-1", nip=sc.nip(1)),
            round_id,
            plan_made,
            ObjectionGrounds.AUTOMATED_RECOMMENDATION,
            TEXTS["plan"],
        ).objection_id,
    }
    sc.advance(app, date(2026, 2, 12))
    for story, grounds in (("restored", ObjectionGrounds.DATA_WRONG), ("dismissed", ObjectionGrounds.RULE_MISJUDGED)):
        seq = 5 if story == "restored" else 4
        objections[story] = app.file_objection(
            Actor(f"pegawai-{seq}", nip=sc.nip(seq)), round_id, proposals[story], grounds, TEXTS[story]
        ).objection_id
    sc.advance(app, date(2026, 2, 16))
    for story, upheld in (("reversed", True), ("restored", True), ("dismissed", False), ("plan", False)):
        app.answer_objection(
            MEMBER,
            round_id,
            proposals[story],
            objections[story],
            upheld,
            REASONS[story],
            REVIEW if story == "plan" else None,
        )
    return Contest(round_id, proposals, objections, people)


def decide_again(app: MutasiApplication, contest: Contest) -> int:
    """The PPK decides the reopened proposals again on 17 February, reversing both; the decrees of the
    approved ones follow on 20 February. Returns the last position."""
    sc.advance(app, date(2026, 2, 17))
    app.decide(sc.PPK, contest.round_id, contest.proposals["reversed"], False, "reversed: family circumstances")
    app.decide(sc.PPK, contest.round_id, contest.proposals["restored"], True, "reversed: SKP corrected")
    sc.advance(app, sc.SIGNED_ON)
    last = 0
    for number, story in enumerate(("plan", "restored", "uncontested"), start=1):
        last = app.issue_decree(
            sc.PPK, contest.round_id, contest.proposals[story], f"821.2/{number:03d}/2026", sc.SIGNED_ON, sc.TMT
        ).position
    return last


@pytest.fixture
def contest(app) -> Contest:
    return contested_round(app)


def _by(rows: list[dict], key: str = "proposal_id") -> dict[str, dict]:
    return {row[key]: row for row in rows}


def test_while_reopened_the_boards_show_it_and_the_public_entry_stays_as_announced(
    views: Views, app, contest: Contest
) -> None:
    views.catch_up()
    p = {story: str(pid) for story, pid in contest.proposals.items()}
    board = views.reports.round_board(contest.round_id)
    rows = _by(board.section("proposals").rows)
    assert (rows[p["reversed"]]["status"], rows[p["restored"]]["status"]) == ("reopened", "reopened")
    assert (rows[p["reversed"]]["decided_by"], rows[p["reversed"]]["earlier_decisions"]) == (None, "approved")
    assert rows[p["restored"]]["earlier_decisions"] == "rejected"
    assert (rows[p["dismissed"]]["status"], rows[p["dismissed"]]["objection_states"]) == ("rejected", "dismissed")
    assert (rows[p["uncontested"]]["objections"], rows[p["uncontested"]]["objection_states"]) == (0, None)
    assert rows[p["plan"]]["objections"] == 1 and rows[p["plan"]]["objections_pending"] == 0
    head = board.section("round").rows[0]
    assert (head["status"], head["objections"], head["objections_pending"]) == ("announced", 4, 0)

    public = _by(views.reports.transparency().section("decisions").rows)
    assert public[p["reversed"]]["decision"] == "approved" and p["restored"] not in public  # rejected: unnamed
    [counts] = views.reports.transparency().section("objections").rows
    assert {k: counts[k] for k in ("filed", "upheld", "dismissed", "reversed")} == {
        "filed": 4,
        "upheld": 2,
        "dismissed": 2,
        "reversed": 0,
    }

    accountability = views.reports.accountability(round_id=contest.round_id)
    summary = accountability.section("summary").rows[0]
    assert (summary["decisions"], summary["decisions_superseded"], summary["reopened_awaiting_decision"]) == (3, 2, 2)
    objections = _by(accountability.section("objections").rows, "objection_id")
    assert objections[str(contest.objections["reversed"])]["decision_after"] == "reopened"

    merit = views.reports.merit(round_id=contest.round_id).section("rounds").rows[0]
    assert (merit["decisions"], merit["objections_upheld"], merit["decisions_reversed_on_objection"]) == (3, 2, 0)

    talent = {r["nip"]: r for r in views.reports.talent(2026).section("development_needs").rows}
    assert talent[sc.nip(5)]["target_position"] == "Analis Anggaran"  # pending again: the target is back


def test_accountability_lists_every_objection_its_answer_and_the_reversed_decisions(
    views: Views, app, contest: Contest
) -> None:
    decide_again(app, contest)
    views.catch_up()
    report = views.reports.accountability(round_id=contest.round_id)
    p = {story: str(pid) for story, pid in contest.proposals.items()}
    o = {story: str(oid) for story, oid in contest.objections.items()}

    summary = report.section("summary").rows[0]
    assert {
        k: summary[k]
        for k in (
            "proposals",
            "decisions",
            "objections",
            "objections_upheld",
            "objections_dismissed",
            "objections_pending",
            "decisions_superseded",
            "reopened_awaiting_decision",
            "reversed_on_objection",
        )
    } == {
        "proposals": 5,
        "decisions": 5,
        "objections": 4,
        "objections_upheld": 2,
        "objections_dismissed": 2,
        "objections_pending": 0,
        "decisions_superseded": 2,
        "reopened_awaiting_decision": 0,
        "reversed_on_objection": 2,
    }

    rows = _by(report.section("objections").rows, "objection_id")
    reversed_ = rows[o["reversed"]]
    assert (reversed_["grounds"], reversed_["text"]) == ("personal_circumstances", TEXTS["reversed"])
    assert (reversed_["filed_by"], reversed_["on_behalf_of"], reversed_["letter_reference"]) == (
        sc.OPERATOR.user,
        "Pegawai 3",
        LETTER,
    )
    assert (reversed_["filed_on"], reversed_["decision_contested"]) == ("2026-02-11", "approved")
    assert (reversed_["answer"], reversed_["reasons"], reversed_["answered_by"], reversed_["answered_on"]) == (
        "upheld",
        REASONS["reversed"],
        MEMBER.user,
        "2026-02-16",
    )
    assert (reversed_["days_to_answer"], reversed_["decision_after"], reversed_["reversed"]) == (5, "rejected", True)
    assert reversed_["human_review_by"] is None
    restored = rows[o["restored"]]
    assert (restored["filed_by"], restored["on_behalf_of"], restored["decision_contested"]) == (
        "pegawai-5",
        None,
        "rejected",
    )
    assert (restored["decision_after"], restored["reversed"], restored["days_to_answer"]) == ("approved", True, 4)
    dismissed = rows[o["dismissed"]]
    assert (dismissed["answer"], dismissed["decision_after"], dismissed["reversed"]) == ("dismissed", None, False)
    plan = rows[o["plan"]]
    assert (plan["grounds"], plan["answer"]) == ("automated_recommendation_contested", "dismissed")
    assert (plan["human_review_by"], plan["human_review_grounds"]) == (REVIEW.reviewer, REVIEW.grounds)
    assert plan["plan_explanation"]  # why the plan placed the employee there, attached to the objection

    reversals = _by(report.section("reversed_on_objection").rows)
    assert set(reversals) == {p["reversed"], p["restored"]}
    first = reversals[p["reversed"]]
    assert (first["objection_id"], first["decision_before"], first["decision_after"]) == (
        o["reversed"],
        "approved",
        "rejected",
    )
    assert (first["reason_before"], first["reason_after"]) == (
        "first decision: reversed",
        "reversed: family circumstances",
    )
    assert first["decided_before_at"] < first["decided_after_at"]
    assert (reversals[p["restored"]]["decision_before"], reversals[p["restored"]]["decision_after"]) == (
        "rejected",
        "approved",
    )

    decisions = [d for d in report.section("decisions").rows if d["proposal_id"] == p["reversed"]]
    assert [(d["approved"], d["superseded_by_objection"], d["reverses_earlier_decision"]) for d in decisions] == [
        (True, o["reversed"], None),
        (False, None, True),
    ]


def test_the_public_report_counts_objections_and_never_names_the_objector(views: Views, app, contest: Contest) -> None:
    decide_again(app, contest)
    views.catch_up()
    report = views.reports.transparency()
    [counts] = report.section("objections").rows
    assert counts == {
        "round_id": str(contest.round_id),
        "round_title": "Mutasi Tahap I 2026",
        "agency": sc.AGENCY,
        "filed": 4,
        "upheld": 2,
        "dismissed": 2,
        "reversed": 2,
    }
    entries = _by(report.section("decisions").rows)
    p = {story: str(pid) for story, pid in contest.proposals.items()}
    assert p["reversed"] not in entries and entries[p["restored"]]["decision"] == "approved"  # rejected: unnamed
    assert all(set(row) == set(PUBLIC_FIELDS) for row in entries.values())  # nothing marks the contested

    published = [
        render(report, "json").decode(),
        render(report, "csv").decode(),
        json.dumps(dump(views.read, ["transparency"])),
    ]
    secrets = [
        *TEXTS.values(),
        *REASONS.values(),
        LETTER,
        REVIEW.reviewer,
        REVIEW.grounds,
        MEMBER.user,
        "pegawai-1",
        "pegawai-4",
        "pegawai-5",
        *map(str, contest.objections.values()),
    ]
    secrets += [sc.nip(seq) for seq in range(1, 7)]
    for text in published:
        for secret in secrets:
            assert secret not in text, secret
        for grounds in ObjectionGrounds:
            assert grounds.value not in text
    for objector in ("Pegawai 3", "Pegawai 4", "Pegawai 5", "Pegawai 1"):  # only as a published decision
        assert objector not in json.dumps(report.section("objections").model_dump())


def test_merit_counts_upheld_objections_and_days_to_answer_under_their_aspect(
    views: Views, app, contest: Contest
) -> None:
    decide_again(app, contest)
    views.catch_up()
    report = views.reports.merit(round_id=contest.round_id)
    [row] = report.section("rounds").rows
    assert (row["proposals"], row["decisions"], row["objections_filed"], row["objections_answered"]) == (5, 5, 4, 1.0)
    assert (row["objections_upheld"], row["decisions_reversed_on_objection"]) == (2, 2)
    assert row["median_days_to_answer"] == 4.5  # 5, 5, 4, 4 days
    assert row["announced_before_decree"] == 1.0

    indicators = {r["indicator"]: r for r in report.section("indicators").rows}
    assert indicators["objections_upheld"]["aspect"] == "promotion and transfer"
    assert indicators["median_days_to_answer"]["value"] == 4.5
    assert indicators["transfers_evaluated"]["aspect"] == "performance management"
    for name in ("documented_reason", "decisions_within_rules", "announced_before_decree", "objections_answered"):
        assert indicators[name]["aspect"] == "promotion and transfer"
    aspects = {r["aspect"]: r["indicators"] for r in report.section("aspects").rows}
    assert list(aspects) == list(MERIT_ASPECTS) and len(aspects) == 8
    assert aspects["performance management"] == "transfers_evaluated" and aspects["procurement"] is None
    addressed = " ".join(f"{r['institution']} {r['role']}" for r in report.section("addressed_to").rows)
    assert "BKN" in addressed and "KemenPANRB" in addressed and "KASN was dissolved" in addressed
    assert "BKN" in report.title and "KemenPANRB" in report.title


def test_rebuilt_views_equal_the_live_ones_with_objections(
    settings: Settings, views: Views, app, contest: Contest
) -> None:
    views.catch_up()
    last = decide_again(app, contest)
    views.catch_up()
    live = dump(views.read)
    result = rebuild(settings, batch_size=3, grace=0)
    assert all(position == last for _, _, position in result.values())
    assert dump(views.read) == live
    assert set(result) == set(VIEWS)
