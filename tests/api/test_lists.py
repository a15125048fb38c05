"""Employee search and the position list are answered from the read models, with read-your-writes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.http.roles import Role
from application.settings import Settings
from projections.runner import BackgroundProjections
from tests.api.support import Api, employee, position
from tests.scenario import nip


@pytest.fixture
def projections_running(settings: Settings) -> Iterator[None]:
    """On SQLite the service runs the projections itself; on PostgreSQL they are a process of their own."""
    if settings.store == "sqlite":
        yield
        return
    background = BackgroundProjections(settings)
    background.start()
    try:
        yield
    finally:
        background.stop()


def test_employee_search_by_unit_rank_type_and_nip_prefix(projections_running, api: Api) -> None:
    budget, tax = position(api, "Analis Anggaran", formasi=3), position(api, "Analis Pajak", unit="Bapenda")
    for seq in (1, 2):
        employee(api, seq, budget)
    last = api.ok(Role.OPERATOR, "POST", "/employees", {"nip": nip(3), "name": "Pegawai 3", "rank": "III/a"})
    api.ok(
        Role.OPERATOR,
        "POST",
        f"/employees/{last['id']}/placement",
        {"position_id": tax, "effective_on": "2021-05-03", "decree_number": "SK-3/PLACE"},
    )
    position_of_last_write = api.ok(
        Role.OPERATOR,
        "POST",
        f"/employees/{last['id']}/rank-changes",
        {"rank": "III/b", "effective_on": "2025-04-01", "reference": "SK-KP/3"},
    )["position"]

    def search(**filters) -> dict:
        return api.ok(Role.AUDITOR, "POST", "/employees/search", {"min_position": position_of_last_write, **filters})

    everyone = search()
    assert everyone["total"] == 3 and everyone["stamp"]["position"] >= position_of_last_write
    assert [e["nip"] for e in everyone["items"]] == sorted(nip(s) for s in (1, 2, 3))
    assert [e["name"] for e in search(unit="Bapenda")["items"]] == ["Pegawai 3"]
    assert search(rank="III/b", unit="BPKAD")["total"] == 2
    assert search(position_type="fungsional_ahli_pertama")["total"] == 3
    assert search(nip_prefix=nip(2))["total"] == 1 and search(nip_prefix=nip(2)[:8])["total"] == 3
    page = search(limit=2, offset=2)
    assert (page["total"], len(page["items"]), page["offset"]) == (3, 1, 2)
    assert "birth" not in str(page) and "scores" not in str(page)


def test_position_list_with_vacancy_filters(projections_running, api: Api) -> None:
    full, open_seat = position(api, "Analis Anggaran", formasi=1), position(api, "Analis Pajak", formasi=2)
    employee(api, 1, full)
    written = api.ok(Role.OPERATOR, "POST", f"/positions/{open_seat}/formasi", {"formasi": 3, "reason": "ABK 2026"})[
        "position"
    ]
    query = f"min_position={written}"
    listed = api.ok(Role.COMMITTEE, "GET", f"/positions?{query}")
    assert [(p["title"], p["free_seats"]) for p in listed["items"]] == [("Analis Anggaran", 0), ("Analis Pajak", 3)]
    assert [p["title"] for p in api.ok(Role.COMMITTEE, "GET", f"/positions?vacant=true&{query}")["items"]] == [
        "Analis Pajak"
    ]
    assert api.ok(Role.COMMITTEE, "GET", f"/positions?vacant=false&{query}")["total"] == 1
    assert api.ok(Role.COMMITTEE, "GET", f"/positions?surplus=true&{query}")["total"] == 0


def test_lists_refuse_the_public_and_bad_filters(sqlite_api: Api) -> None:
    assert sqlite_api.call(Role.PUBLIC, "GET", "/positions").status_code == 401
    assert sqlite_api.call(Role.AUDITOR, "POST", "/employees/search", {"nip_prefix": "19x"}).status_code == 422
    assert sqlite_api.call(Role.AUDITOR, "GET", "/positions?limit=0").status_code == 422
