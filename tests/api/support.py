"""Driving the REST API in tests: a TestClient on a store, tokens per role, and HTTP scenario builders."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from api.http.app import create_app
from api.http.roles import Role
from api.http.security import ApiSettings, mint_token
from application.bootstrap import open_application
from application.service import MutasiApplication
from application.settings import Settings
from domain.official import NATIONAL
from domain.vocabulary import Office
from tests.scenario import GOOD_SCORES, STANDARD, nip

SECRET = "test-secret-for-the-rest-api-0123456789abcdef"
API_SETTINGS = ApiSettings(_env_file=None, jwt_secret=SECRET)
AGENCY = "Pemerintah Kota Pariaman"
OTHER_AGENCY = "Pemerintah Kabupaten Padang Pariaman"
USERS = {
    Role.OPERATOR: ("operator-bkpsdm", None),
    Role.ASSESSOR: ("asesor-upt", None),
    Role.COMMITTEE: ("ketua-tpk", "197001011995031001"),
    Role.PPK: ("walikota", None),
    Role.AUDITOR: ("inspektorat", None),
    Role.EMPLOYEE: ("pegawai-1", "198501152010031001"),
}
"""Each role's default user (and NIP); every one serves AGENCY, the auditor is national (BKN); the
employee is employee 1 of the scenarios (`nip(1)`), acting for themselves (no agency)."""


def bearer(
    role: Role,
    user: str | None = None,
    nip_claim: str | None = None,
    agencies: tuple[str, ...] | None = None,
    office: Office | None = None,
) -> dict[str, str]:
    """Authorization header for a user acting in `role` (the role's default user if none given) for
    `agencies` (default: AGENCY; the auditor: every agency)."""
    if role is Role.PUBLIC:
        return {}
    default_user, default_nip = USERS[role]
    if agencies is None:
        agencies = (NATIONAL,) if role is Role.AUDITOR else () if role is Role.EMPLOYEE else (AGENCY,)
    token = mint_token(SECRET, role, user or default_user, nip_claim or default_nip, agencies=agencies, office=office)
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Api:
    """A TestClient on the REST API, with the application behind it for checks on the store."""

    client: TestClient
    app: MutasiApplication
    headers: dict[Role, dict[str, str]] = field(default_factory=dict)

    def call(self, role: Role, method: str, path: str, json: Any = None, **headers: str) -> Response:
        """Send a request as `role` with extra headers (underscores in names become dashes)."""
        sent = {**bearer(role), **{k.replace("_", "-"): v for k, v in headers.items()}}
        return self.client.request(method, path, json=json, headers=sent)

    def ok(self, role: Role, method: str, path: str, json: Any = None, **headers: str) -> dict[str, Any]:
        """Like `call`, but the request must succeed; returns the JSON body."""
        response = self.call(role, method, path, json, **headers)
        assert response.status_code < 300, (response.status_code, response.text)
        return response.json()


@contextmanager
def running_api(settings: Settings, clock=None) -> Iterator[Api]:
    """The REST API on `settings`' store (application with `clock`), started and stopped."""
    application = open_application(settings, clock=clock) if clock else open_application(settings)
    try:
        with TestClient(create_app(settings, application, API_SETTINGS)) as client:
            yield Api(client, application)
    finally:
        application.close()


# -- scenario builders over HTTP (the same register as tests/scenario.py) ---------------------------


def position(api: Api, title: str, formasi: int = 2, unit: str = "BPKAD") -> str:
    """Establish a position as the operator; returns its id."""
    return api.ok(
        Role.OPERATOR,
        "POST",
        "/positions",
        {
            "agency": AGENCY,
            "unit": unit,
            "title": title,
            "position_type": "fungsional_ahli_pertama",
            "rank_min": "III/a",
            "rank_max": "III/d",
            "formasi": formasi,
            "standard": STANDARD,
        },
    )["id"]


def employee(api: Api, seq: int, position_id: str) -> str:
    """Register, place, assess and rate an employee who passes every rule; returns the id."""
    employee_id = api.ok(
        Role.OPERATOR, "POST", "/employees", {"nip": nip(seq), "name": f"Pegawai {seq}", "rank": "III/b"}
    )["id"]
    api.ok(
        Role.OPERATOR,
        "POST",
        f"/employees/{employee_id}/placement",
        {"position_id": position_id, "effective_on": "2020-01-02", "decree_number": f"SK-{seq}/PLACE"},
    )
    api.ok(
        Role.ASSESSOR,
        "POST",
        f"/employees/{employee_id}/assessments",
        {
            "scores": GOOD_SCORES,
            "potential": "high",
            "assessor": "UPT Penilaian Kompetensi",
            "method": "assessment centre",
            "assessed_on": "2025-06-01",
        },
    )
    for year, results in ((2024, "above"), (2025, "as_expected")):
        api.ok(
            Role.OPERATOR,
            "POST",
            f"/employees/{employee_id}/ratings",
            {"year": year, "results": results, "behaviour": "as_expected"},
        )
    return employee_id


def open_round(api: Api, effective_on: date = date(2026, 3, 1)) -> str:
    """Open a within-agency round; returns its id."""
    return api.ok(
        Role.OPERATOR,
        "POST",
        "/rounds",
        {
            "agency": AGENCY,
            "kind": "within_agency",
            "title": "Mutasi Tahap I 2026",
            "period_starts_on": "2026-01-01",
            "period_ends_on": "2026-06-30",
            "planned_effective_on": effective_on.isoformat(),
        },
    )["id"]


def recommended_proposal(api: Api, round_id: str, employee_id: str, target_id: str) -> str:
    """Propose a move and have the committee recommend it; returns the proposal id."""
    proposal_id = api.ok(
        Role.OPERATOR,
        "POST",
        f"/rounds/{round_id}/proposals",
        {
            "employee_id": employee_id,
            "target_position_id": target_id,
            "reason": "fills a vacancy",
        },
    )["proposal_id"]
    api.ok(
        Role.COMMITTEE,
        "POST",
        f"/rounds/{round_id}/proposals/{proposal_id}/recommendation",
        {"recommended": True, "notes": "fits the standard"},
    )
    return proposal_id
