"""Idempotency keys: a retried command is recorded once and answered the same, across restarts too."""

from __future__ import annotations

import threading
from datetime import timedelta
from uuid import UUID

from api.http.roles import Role
from application.idempotency import (
    MemoryIdempotencyStore, Outcome, PostgresIdempotencyStore, SqliteIdempotencyStore, StoredResponse,
)
from application.settings import Settings
from tests.api.support import Api, bearer, running_api
from tests.scenario import nip

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
    other = api.call(Role.OPERATOR, "POST", "/employees", {**REGISTER, "name": "Someone Else"},
                     Idempotency_Key="reg-7")
    assert other.status_code == 422
    assert other.json()["type"] == "urn:mutasi:problem:idempotency-key-reused"


def test_keys_belong_to_their_user(api: Api) -> None:
    api.ok(Role.OPERATOR, "POST", "/employees", REGISTER, Idempotency_Key="shared")
    headers = {**bearer(Role.OPERATOR, user="operator-2"), "Idempotency-Key": "shared"}
    response = api.client.post("/employees", json={**REGISTER, "nip": nip(8)}, headers=headers)
    assert response.status_code == 201


def test_a_failed_command_releases_its_key(api: Api) -> None:
    employee_id = api.ok(Role.OPERATOR, "POST", "/employees", REGISTER)["id"]
    body = {"reference": "HD-1", "closed_on": "2026-01-10", "outcome": "dismissed"}
    path = f"/employees/{employee_id}/disciplinary-cases/closure"
    assert api.call(Role.OPERATOR, "POST", path, body, Idempotency_Key="close-1").status_code == 409
    api.ok(Role.OPERATOR, "POST", f"/employees/{employee_id}/disciplinary-cases",
           {"reference": "HD-1", "opened_on": "2026-01-02"})
    assert api.call(Role.OPERATOR, "POST", path, body, Idempotency_Key="close-1").status_code == 200


def test_keys_survive_a_restart(settings: Settings, clock) -> None:
    with running_api(settings, clock) as api:
        first = api.ok(Role.OPERATOR, "POST", "/employees", REGISTER, Idempotency_Key="reg-7")
    with running_api(settings, clock) as restarted:
        again = restarted.call(Role.OPERATOR, "POST", "/employees", REGISTER, Idempotency_Key="reg-7")
        assert again.status_code == 201 and again.json() == first
        assert _events(restarted, first["id"]) == 1


def test_concurrent_retries_with_one_key_record_once(api: Api) -> None:
    employee_id = api.ok(Role.OPERATOR, "POST", "/employees", REGISTER)["id"]
    barrier, responses = threading.Barrier(6), []

    def rate() -> None:
        barrier.wait()
        responses.append(api.call(Role.OPERATOR, "POST", f"/employees/{employee_id}/ratings",
                                  {"year": 2025, "results": "above", "behaviour": "above"},
                                  Idempotency_Key="rate-2025"))

    threads = [threading.Thread(target=rate) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {200, 409} and 200 in statuses
    assert {r.json()["version"] for r in responses if r.status_code == 200} == {2}
    assert all(r.json()["type"] == "urn:mutasi:problem:idempotency-in-progress"
               for r in responses if r.status_code == 409)
    assert _events(api, employee_id) == 2


def _store(settings: Settings, abandoned_after: timedelta):
    """The key store of `settings`' kind, with its own time after which a claim counts as abandoned."""
    kind = SqliteIdempotencyStore if settings.store == "sqlite" else PostgresIdempotencyStore
    return kind(settings, abandoned_after=abandoned_after)


def test_a_claim_whose_request_never_finished_is_taken_over_once_abandoned(settings: Settings) -> None:
    """A process that died between claiming a key and answering leaves the key claimed; the same
    request may run again once the claim is old enough; another request with that key still may not."""
    for store in (_store(settings, timedelta(0)), MemoryIdempotencyStore(timedelta(0))):
        try:
            assert store.claim("siti", "k", "request-1").outcome is Outcome.CLAIMED  # ... and the process dies
            assert store.claim("siti", "k", "request-2").outcome is Outcome.MISMATCH  # another request: never
            assert store.claim("siti", "k", "request-1").outcome is Outcome.CLAIMED  # the same one: taken over
            store.complete("siti", "k", StoredResponse(201, b"{}", '"1"'))
            replay = store.claim("siti", "k", "request-1")
            assert replay.outcome is Outcome.REPLAY and replay.stored == StoredResponse(201, b"{}", '"1"')
        finally:
            store.close()


def test_a_claim_still_young_is_in_progress(settings: Settings) -> None:
    for store in (_store(settings, timedelta(minutes=5)), MemoryIdempotencyStore()):
        try:
            assert store.claim("siti", "k", "request-1").outcome is Outcome.CLAIMED
            assert store.claim("siti", "k", "request-1").outcome is Outcome.IN_PROGRESS
        finally:
            store.close()
