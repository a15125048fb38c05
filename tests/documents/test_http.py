"""The documents over HTTP: staff of the round's agency, the public announcement, 404 like an unknown id."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest

from api.http.roles import Role
from application.settings import Settings
from tests import scenario as sc
from tests.api.support import OTHER_AGENCY, Api, bearer, running_api
from tests.projections.flow import Flow, walk


@pytest.fixture
def walked(settings: Settings, clock) -> Iterator[tuple[Api, Flow]]:
    with running_api(settings, clock) as api:
        yield api, walk(api.app)


@pytest.mark.parametrize("kind", ["decree", "announcement", "evaluation"])
def test_staff_of_the_agency_get_each_document(walked: tuple[Api, Flow], kind: str) -> None:
    api, flow = walked
    answer = api.call(Role.OPERATOR, "GET", f"/rounds/{flow.round_id}/documents/{kind}.pdf")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf" and answer.content.startswith(b"%PDF-")
    assert len(answer.headers["X-Verification-Code"]) == 64 and answer.headers["X-Audit-Position"].isdigit()
    again = api.call(Role.PPK, "GET", f"/rounds/{flow.round_id}/documents/{kind}.pdf")
    assert again.content == answer.content  # the same bytes
    outsider = api.client.get(
        f"/rounds/{flow.round_id}/documents/{kind}.pdf", headers=bearer(Role.OPERATOR, agencies=(OTHER_AGENCY,))
    )
    assert outsider.status_code == 403
    assert api.call(Role.PUBLIC, "GET", f"/rounds/{flow.round_id}/documents/{kind}.pdf").status_code == 401


def test_the_public_announcement_and_unannounced_rounds(walked: tuple[Api, Flow]) -> None:
    api, flow = walked
    public = api.call(Role.PUBLIC, "GET", f"/public/rounds/{flow.round_id}/announcement.pdf")
    assert public.status_code == 200 and public.content.startswith(b"%PDF-")
    staff = api.call(Role.OPERATOR, "GET", f"/rounds/{flow.round_id}/documents/announcement.pdf")
    assert staff.content == public.content
    unannounced = sc.mutation_round(api.app)
    hidden = api.call(Role.PUBLIC, "GET", f"/public/rounds/{unannounced}/announcement.pdf")
    unknown_id = uuid4()
    unknown = api.call(Role.PUBLIC, "GET", f"/public/rounds/{unknown_id}/announcement.pdf")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["detail"].replace(str(unannounced), "X") == unknown.json()["detail"].replace(
        str(unknown_id), "X"
    )
    assert set(hidden.json()) == set(unknown.json()) and hidden.json()["type"] == unknown.json()["type"]
    refused = api.call(Role.OPERATOR, "GET", f"/rounds/{unannounced}/documents/decree.pdf")
    assert refused.status_code == 409 and refused.json()["code"] == "decree-missing"
    assert api.call(Role.OPERATOR, "GET", f"/rounds/{unannounced}/documents/announcement.pdf").status_code == 409
    assert api.call(Role.OPERATOR, "GET", f"/rounds/{flow.round_id}/documents/nope.pdf").status_code == 422
