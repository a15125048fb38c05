"""Idempotency keys: a retried command is recorded once and answered the same, across restarts too."""

from __future__ import annotations

import threading
import time
from uuid import UUID

import pytest

from api.http.roles import Role
from application.errors import AlreadyExists, DeadlinePassed
from application.idempotency import CommandCall, KeyedRequest, calling
from application.settings import Settings
from domain.employee import Employee
from domain.vocabulary import Rank
from tests.api.support import Api, bearer, running_api
from tests.scenario import OPERATOR, nip

REGISTER = {"nip": nip(7), "name": "Pegawai 7", "rank": "III/b"}


def _events(api: Api, aggregate_id: str) -> int:
    return len(list(api.app.events.get(UUID(aggregate_id))))


def test_the_same_key_and_body_records_once_and_replays_the_response(api: Api) -> None:
    first = api.call(Role.OPERATOR, "POST", "/employees", REGISTER, Idempotency_Key="reg-7")
    again = api.call(Role.OPERATOR, "POST", "/employees", REGISTER, Idempotency_Key="reg-7")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert _events(api, first.json()["id"]) == 1
    assert api.app.check_store() == first.json()["position"]


def test_the_same_key_with_another_body_is_422(api: Api) -> None:
    api.ok(Role.OPERATOR, "POST", "/employees", REGISTER, Idempotency_Key="reg-7")
    other = api.call(Role.OPERATOR, "POST", "/employees", {**REGISTER, "name": "Someone Else"}, Idempotency_Key="reg-7")
    assert other.status_code == 422
    assert other.json()["type"] == "urn:mutasi:problem:idempotency-key-reused"


def test_keys_belong_to_their_user(api: Api) -> None:
    api.ok(Role.OPERATOR, "POST", "/employees", REGISTER, Idempotency_Key="shared")
    headers = {**bearer(Role.OPERATOR, user="operator-2"), "Idempotency-Key": "shared"}
    response = api.client.post("/employees", json={**REGISTER, "nip": nip(8)}, headers=headers)
    assert response.status_code == 201


def test_a_failed_command_leaves_no_key_and_its_retry_runs(api: Api) -> None:
    employee_id = api.ok(Role.OPERATOR, "POST", "/employees", REGISTER)["id"]
    body = {"reference": "HD-1", "closed_on": "2026-01-10", "outcome": "dismissed"}
    path = f"/employees/{employee_id}/disciplinary-cases/closure"
    assert api.call(Role.OPERATOR, "POST", path, body, Idempotency_Key="close-1").status_code == 409
    api.ok(
        Role.OPERATOR,
        "POST",
        f"/employees/{employee_id}/disciplinary-cases",
        {"reference": "HD-1", "opened_on": "2026-01-02"},
    )
    assert api.call(Role.OPERATOR, "POST", path, body, Idempotency_Key="close-1").status_code == 200


def test_keys_survive_a_restart(settings: Settings, clock) -> None:
    with running_api(settings, clock) as api:
        first = api.ok(Role.OPERATOR, "POST", "/employees", REGISTER, Idempotency_Key="reg-7")
    with running_api(settings, clock) as restarted:
        again = restarted.call(Role.OPERATOR, "POST", "/employees", REGISTER, Idempotency_Key="reg-7")
        assert again.status_code == 201 and again.json() == first
        assert _events(restarted, first["id"]) == 1


def test_concurrent_retries_with_one_key_record_once_and_all_get_its_answer(api: Api) -> None:
    """No "in progress" state: every request with the key runs until one commits its key with its
    events; the others lose (on the key, the event version or the domain's own check) and replay."""
    employee_id = api.ok(Role.OPERATOR, "POST", "/employees", REGISTER)["id"]
    barrier, responses = threading.Barrier(6), []

    def rate() -> None:
        barrier.wait()
        responses.append(
            api.call(
                Role.OPERATOR,
                "POST",
                f"/employees/{employee_id}/ratings",
                {"year": 2025, "results": "above", "behaviour": "above"},
                Idempotency_Key="rate-2025",
            )
        )

    threads = [threading.Thread(target=rate) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in responses] == [200] * 6, [r.text for r in responses]
    assert len({r.text for r in responses}) == 1 and {r.json()["version"] for r in responses} == {2}
    assert sum("Idempotent-Replayed" not in r.headers for r in responses) == 1
    assert _events(api, employee_id) == 2


def test_the_key_is_stored_with_the_events_it_caused(api: Api) -> None:
    """The key's row carries what the command recorded, with the position of its last event."""
    first = api.ok(Role.OPERATOR, "POST", "/employees", REGISTER, Idempotency_Key="reg-7")
    stored = api.app.answered("operator-bkpsdm", "reg-7")
    assert stored is not None and stored.answer.position == first["position"]
    assert (str(stored.answer.aggregate_id), stored.answer.version) == (first["id"], 1)
    assert api.app.answered("operator-bkpsdm", "never-sent") is None


def test_a_key_on_the_in_memory_store_records_once(memory_app) -> None:
    request = KeyedRequest("siti", "k-1", "fingerprint-1")
    with calling(CommandCall(request)):
        first = memory_app.register_employee(OPERATOR, nip(7), "Pegawai 7", Rank.III_B)
    stored = memory_app.answered("siti", "k-1")
    assert stored is not None and stored.answer == first and stored.fingerprint == "fingerprint-1"
    with calling(CommandCall(request)), pytest.raises(AlreadyExists):  # the key refused: told as a conflict
        memory_app.register_employee(OPERATOR, nip(8), "Pegawai 8", Rank.III_B)
    assert not memory_app.exists(Employee.create_id(nip(8)))  # refused whole: not its events either


def test_a_command_past_its_deadline_records_nothing(app) -> None:
    with (
        calling(CommandCall(KeyedRequest("siti", "late", "f"), deadline=time.monotonic() - 1)),
        pytest.raises(DeadlinePassed),
    ):
        app.register_employee(OPERATOR, nip(7), "Pegawai 7", Rank.III_B)
    assert not app.exists(Employee.create_id(nip(7))) and app.answered("siti", "late") is None
