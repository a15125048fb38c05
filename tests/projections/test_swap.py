"""A swap executed together, as the views show it (SQLite and PostgreSQL): each person in the other's
seat, both seats full throughout, and a rebuild agrees with the live views."""

from __future__ import annotations

from domain.proposal import Override
from projections.admin import rebuild
from tests import scenario as sc
from tests.projections.conftest import Views, dump


def test_a_swap_executed_together_reads_as_two_moves_and_two_full_seats(views: Views, app, settings) -> None:
    left = sc.position(app, "Analis Keuangan", formasi=1)
    right = sc.position(app, "Analis Anggaran", unit="Bappeda", formasi=1)
    first, second = sc.employee(app, 1, left), sc.employee(app, 2, right)
    round_id = sc.mutation_round(app)
    there = app.propose(sc.OPERATOR, round_id, first, right, "swap").proposal_id
    app.recommend(sc.COMMITTEE, round_id, there, True, "fits")
    app.decide(
        sc.PPK,
        round_id,
        there,
        True,
        "a swap",
        overrides=(Override("vacancy", "its holder moves to this seat", sc.PPK.official),),
    )
    back = sc.approved(app, round_id, second, left)
    sc.announce_and_decree(app, round_id, [there, back])
    sc.advance(app, sc.TMT)
    done = app.execute_transfers_together(sc.OPERATOR, round_id, [there, back])

    assert views.catch_up() == done.position
    moves = {row["employee_id"]: row for row in views.reports.position_holders(right).section("holders").rows}
    assert moves[str(first)]["until"] is None and moves[str(second)]["until"] == "2026-03-01"
    placements = views.reports.employee_placements(second).section("placements").rows
    assert [(r["title"], r["until"]) for r in placements] == [
        ("Analis Anggaran", "2026-03-01"),
        ("Analis Keuangan", None),
    ]
    seats = {p.title: (len(p.holders), p.free_seats) for p in views.read.positions().items}
    assert seats == {"Analis Keuangan": (1, 0), "Analis Anggaran": (1, 0)}

    live = dump(views.read)
    rebuild(settings, grace=0)
    assert dump(views.read) == live
