"""The command path's shortcuts keep its behaviour: one guard for the bearer token, the role matrix and the
query; commands on threads of their own; the answer's JSON written without building the model; the
access log's message written only when read. None of them lets one caller's identity reach another's
request."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID, uuid4

import pytest

from api.http import deps
from api.http.deps import Guard, guard, in_thread
from api.http.middleware import JsonMessage
from api.http.roles import Role
from api.http.schemas.common import CommandResult
from application.context import Recorded
from domain.vocabulary import Predikat
from tests.api.support import AGENCY, Api, bearer
from tests.scenario import nip

# -- one guard: who calls, may they, and does the query name only what the route declares -----------


def test_the_guard_is_the_http_bearer_scheme_of_every_guarded_operation(sqlite_api: Api) -> None:
    document = sqlite_api.client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"] == {
        "HTTPBearer": {"type": "http", "scheme": "bearer", "description": guard.model.description}
    }
    operations = [operation for path in document["paths"].values() for operation in path.values()]
    assert operations and all({"HTTPBearer": []} in operation["security"] for operation in operations)
    assert isinstance(guard, Guard) and guard.scheme_name == "HTTPBearer"


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        ("Basic dXNlcjpwdw==", 401),  # not a bearer token
        ("Bearer", 401),  # no token after the scheme
        ("Bearer    ", 401),
        ("", 200),  # an empty header is no header: the anonymous public
        (None, 200),
    ],
)
def test_an_authorization_header_that_is_not_a_bearer_token_is_401(
    sqlite_api: Api, authorization: str | None, status: int
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = sqlite_api.client.get("/health/live", headers=headers)
    assert response.status_code == status
    if status == 401:
        assert response.json()["detail"] == "the Authorization header must be 'Bearer <token>'"
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_the_scheme_is_case_insensitive(sqlite_api: Api) -> None:
    token = bearer(Role.OPERATOR)["Authorization"].removeprefix("Bearer ")
    body = {"nip": nip(3), "name": "Pegawai 3", "rank": "III/b"}
    response = sqlite_api.client.post("/employees", json=body, headers={"Authorization": f"bEaReR {token}"})
    assert response.status_code == 201


def test_the_role_is_checked_before_the_query(sqlite_api: Api) -> None:
    """An unknown query parameter is a 422 only for a caller the route admits: a caller without a
    token, or with the wrong role, hears 401 or 403 first (as when these were separate dependencies)."""
    path = f"/employees/{uuid4()}?vacnat=1"
    assert sqlite_api.client.get(path).status_code == 401
    assert sqlite_api.client.get(path, headers=bearer(Role.EMPLOYEE)).status_code == 403
    refused = sqlite_api.client.get(path, headers=bearer(Role.OPERATOR))
    assert refused.status_code == 422 and refused.json()["errors"][0]["loc"] == ["query", "vacnat"]
    assert sqlite_api.client.get(f"/employees/{uuid4()}?", headers=bearer(Role.OPERATOR)).status_code == 404


def test_the_guard_checks_a_request_once_however_many_of_its_parameters_name_the_caller(
    sqlite_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    authenticate = deps.authenticate
    monkeypatch.setattr(deps, "authenticate", lambda request: checked.append(request.url.path) or authenticate(request))
    created = sqlite_api.ok(Role.OPERATOR, "POST", "/employees", {"nip": nip(4), "name": "Pegawai 4", "rank": "III/b"})
    sqlite_api.ok(Role.OPERATOR, "GET", f"/employees/{created['id']}")  # the router's guard, and `CurrentActor`
    assert checked == ["/employees", f"/employees/{created['id']}"]


def test_concurrent_callers_each_record_as_themselves(api: Api) -> None:
    """Commands from two operators at once, each with its own correlation id: every event records the
    user whose token sent it and the correlation id of its request, and each answer echoes its own
    (the token memory, the guard's state, the command threads' copied contexts leak nothing across)."""
    callers = {user: bearer(Role.OPERATOR, user=user, agencies=(AGENCY,)) for user in ("operator-satu", "operator-dua")}
    sent: list[tuple[str, str, int]] = [(user, uuid4().hex, k) for k in range(24) for user in callers]

    def register(call: tuple[str, str, int]) -> tuple[str, str, str, int]:
        user, correlation_id, k = call
        response = api.client.post(
            "/employees",
            json={"nip": nip(100 + k * 2 + (user == "operator-dua")), "name": f"Pegawai {k}", "rank": "III/b"},
            headers={**callers[user], "X-Correlation-ID": correlation_id},
        )
        assert response.status_code == 201, response.text
        assert response.headers["X-Correlation-ID"] == correlation_id
        return user, correlation_id, response.json()["id"], response.status_code

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(register, sent))
    auditor = bearer(Role.AUDITOR)
    for user, correlation_id, employee_id, _ in answers:
        history = api.client.get(f"/audit/employees/{employee_id}/history", headers=auditor)
        assert history.status_code == 200, history.text
        (registered,) = history.json()["events"]
        assert (registered["actor"], registered["correlation_id"]) == (user, correlation_id)


# -- commands on threads of their own --------------------------------------------------------------

_SEEN: contextvars.ContextVar[str] = contextvars.ContextVar("seen", default="none")


def test_a_command_thread_sees_the_callers_context_and_changes_only_its_copy() -> None:
    def inside() -> tuple[str, str]:
        seen = _SEEN.get()
        _SEEN.set("changed in the thread")
        return seen, threading.current_thread().name

    async def caller(name: str) -> tuple[str, str, str]:
        _SEEN.set(name)
        seen, thread = await in_thread(inside)
        return name, seen, thread

    async def both() -> list[tuple[str, str, str]]:
        return list(await asyncio.gather(caller("first"), caller("second")))

    for name, seen, thread in asyncio.run(both()):
        assert seen == name and thread.startswith("mutasi-command")
    assert _SEEN.get() == "none"


def test_a_command_threads_error_reaches_its_caller() -> None:
    def fails() -> None:
        raise LookupError("no such employee")

    with pytest.raises(LookupError, match="no such employee"):
        asyncio.run(in_thread(fails))


def test_a_cancelled_caller_waits_until_its_command_has_finished() -> None:
    """As with AnyIO (FastAPI's threads for a plain `def` route): the thread is not abandoned, so a
    command is never left running after its request was given up; the cancellation follows it."""
    started, finished = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        time.sleep(0.3)
        finished.set()
        return "recorded"

    async def cancelled() -> None:
        task = asyncio.create_task(in_thread(slow))
        while not started.is_set():
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert finished.is_set()

    asyncio.run(cancelled())


# -- the answer and the access log --------------------------------------------------------------------


@pytest.mark.parametrize(
    "recorded",
    [
        Recorded(uuid4(), 1, None),
        Recorded(uuid4(), 7, 1187, proposal_id=uuid4()),
        Recorded(UUID(int=0), 2**40, 2**62, uuid4(), uuid4(), Predikat.SANGAT_BAIK, uuid4()),
        *(Recorded(uuid4(), 3, 12, predikat=predikat) for predikat in Predikat),
    ],
)
def test_the_answers_json_is_the_models_byte_for_byte(recorded: Recorded) -> None:
    assert CommandResult.json_of(recorded) == CommandResult.of(recorded).model_dump_json().encode()


def test_every_field_of_the_answer_is_written() -> None:
    recorded = Recorded(uuid4(), 3, 12, uuid4(), uuid4(), Predikat.BAIK, uuid4())
    assert list(json.loads(CommandResult.json_of(recorded))) == list(CommandResult.model_fields)


def test_the_access_logs_message_is_its_entry_as_json(caplog: pytest.LogCaptureFixture) -> None:
    entry = {"path": "/employees", "status": 201, "correlation_id": "trace-42"}
    with caplog.at_level(logging.INFO, logger="mutasi.http.access"):
        logging.getLogger("mutasi.http.access").info(JsonMessage(entry))
    (record,) = caplog.records
    assert json.loads(record.getMessage()) == entry and caplog.text.strip().endswith(json.dumps(entry))
