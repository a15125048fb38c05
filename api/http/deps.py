"""Dependencies of the routes, as `Annotated` aliases: the application, the caller, a command's context.

They are `async def` although they do no I/O: FastAPI runs a plain `def` dependency in its thread
pool, a thread hop each, which cost more than the dependency itself. And they are few: FastAPI solves
each dependency of each request anew, so what every route needs is one dependency (`guard`), and a
command route adds one more (`command_context`), whose `CommandContext` also holds the application.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from fastapi import Depends, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security.base import SecurityBase
from starlette.exceptions import HTTPException

from api.http.problems import RequestRefused
from api.http.roles import MATRIX
from api.http.schemas.common import CommandResult
from api.http.security import ANONYMOUS, BadToken, Principal, TokenVerifier
from application.context import Actor, Recorded
from application.errors import DeadlinePassed, StoreNotReady
from application.idempotency import CommandCall, KeyedRequest, calling
from application.service import MutasiApplication

BEARER = "a token from `mutasi token ROLE --user NAME`"


async def get_application(request: Request) -> MutasiApplication:
    """The one application the service was started with."""
    application: MutasiApplication = request.app.state.application  # Starlette's state is untyped
    return application


Application = Annotated[MutasiApplication, Depends(get_application)]


def authenticate(request: Request) -> Principal:
    """The caller named by the bearer token, or the anonymous public when there is none (401 for an
    Authorization header that is not `Bearer <token>`, or a token that does not verify)."""
    authorization = request.headers.get("authorization")
    scheme, _, rest = (authorization or "").partition(" ")
    token = rest.strip()
    if not (authorization and scheme and token) or scheme.lower() != "bearer":
        if authorization:
            raise HTTPException(
                401, "the Authorization header must be 'Bearer <token>'", headers={"WWW-Authenticate": "Bearer"}
            )
        return ANONYMOUS
    tokens: TokenVerifier = request.app.state.tokens
    try:
        return tokens.verify(token)
    except BadToken as error:
        raise HTTPException(
            401, f"invalid bearer token: {error}", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
        ) from None


def authorize(request: Request, principal: Principal) -> Principal:
    """Refuse the call unless the role matrix lets the caller's role use this route."""
    route = request.scope.get("route")
    roles = MATRIX.get(getattr(route, "name", ""), frozenset())
    if principal.role in roles:
        request.state.principal = principal  # for `command_context`, without solving all this again
        return principal
    if principal is ANONYMOUS:
        raise HTTPException(401, "this route needs a bearer token", headers={"WWW-Authenticate": "Bearer"})
    raise HTTPException(403, f"role {principal.role.value} may not use this route")


def _query_params(dependant: Any) -> dict[str, bool]:
    """Query parameter names of a route (with its dependencies), each: may it repeat (a list)?"""
    params = {param.alias: _is_many(param.field_info.annotation) for param in dependant.query_params}
    for sub in dependant.dependencies:
        params.update(_query_params(sub))
    return params


def _is_many(annotation: Any) -> bool:
    if get_origin(annotation) in (Union, UnionType):
        return any(_is_many(arg) for arg in get_args(annotation))
    return (get_origin(annotation) or annotation) in (list, set, tuple, frozenset)


_DECLARED_QUERY: dict[int, dict[str, bool]] = {}  # by id(route): routes live as long as the app


def _declared_query(route: object) -> dict[str, bool]:
    if id(route) not in _DECLARED_QUERY:
        dependant = getattr(route, "dependant", None)
        _DECLARED_QUERY[id(route)] = _query_params(dependant) if dependant is not None else {}
    return _DECLARED_QUERY[id(route)]


def known_query_only(request: Request) -> None:
    """Refuse query parameters the route does not declare, or repeats of a single-valued one:
    a typo must not silently widen an answer, nor a second value silently replace the first."""
    if not request.scope.get("query_string"):
        return  # nothing to refuse (most requests; parsing an empty query is not free)
    declared = _declared_query(request.scope.get("route"))
    errors = []
    for name in sorted(set(request.query_params)):
        if name not in declared:
            errors.append({"loc": ("query", name), "msg": "unknown query parameter", "type": "extra_forbidden"})
        elif not declared[name] and len(request.query_params.getlist(name)) > 1:
            errors.append({"loc": ("query", name), "msg": "given more than once", "type": "repeated_parameter"})
    if errors:
        raise RequestValidationError(errors)


class Guard(SecurityBase):
    """The guard of every resource route (`routes.common.GUARDED`, and `Caller`): who calls (the bearer
    token, or the anonymous public), whether the role matrix lets their role use the route, and
    whether the query names only parameters the route declares; in that order, as one dependency.

    One, where there were four (the bearer scheme, `authenticate`, `authorize`, the query check):
    FastAPI solves every dependency of every request anew, at a cost larger than the work of these,
    and the three it saves were a tenth of the server's instructions per command. In the OpenAPI
    document it is the `HTTPBearer` security scheme, as FastAPI's own `HTTPBearer` was; a route that
    names `Caller` too gets the principal this guard admitted (FastAPI solves a dependency once per
    request)."""

    def __init__(self) -> None:
        self.model = HTTPBearerModel(description=BEARER)
        self.scheme_name = "HTTPBearer"

    async def __call__(self, request: Request) -> Principal:
        principal = authorize(request, authenticate(request))
        known_query_only(request)
        return principal


guard = Guard()
Caller = Annotated[Principal, Depends(guard)]


async def current_actor(request: Request, principal: Caller) -> Actor:
    """The caller as the application's `Actor`, carrying the request's correlation id."""
    return actor_of(principal, request.state.correlation_id)


def actor_of(principal: Principal, correlation_id: str) -> Actor:
    """The application's `Actor` for a caller: user, NIP, agencies, office, correlation id."""
    return Actor(principal.user, principal.nip, correlation_id, principal.agencies, principal.office)


CurrentActor = Annotated[Actor, Depends(current_actor)]

IF_MATCH = r'^\s*(?:W/)?"?[0-9]{1,15}"?\s*$|^\s*\*\s*$'
IDEMPOTENCY_KEY = r"^[\x21-\x7e]{1,200}$"


class IdempotencyKeyReused(RequestRefused):
    """The Idempotency-Key was used before with another request."""

    status, code, title = 422, "idempotency-key-reused", "Idempotency key reused with another request"


def etag(version: int) -> str:
    """The strong ETag of an aggregate version."""
    return f'"{version}"'


T = TypeVar("T")
COMMAND_THREADS = 40
"""Commands running at once, each on a thread of its own (AnyIO's default for FastAPI's plain `def`
routes, which the command routes were)."""
_threads = ThreadPoolExecutor(max_workers=COMMAND_THREADS, thread_name_prefix="mutasi-command")


async def in_thread(function: Callable[[], T]) -> T:
    """`function()` on a command thread, in a copy of the caller's context (the request's correlation
    id, for the log lines written there), as FastAPI runs a plain `def` route with AnyIO's
    `to_thread.run_sync`, but without AnyIO's cancel scope, capacity limiter and the event-loop turns
    they take: half the CPU per call (about 30 µs against 70 µs, 16 callers at once, measured on the
    2-core benchmark machine), the thread's wake-up being most of what is left.

    As with AnyIO, a cancelled caller does not abandon the thread: the function runs to its end (a
    command is recorded or not, never left running unawaited), and the cancellation follows."""
    future = asyncio.get_running_loop().run_in_executor(_threads, contextvars.copy_context().run, function)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        while not future.done():
            try:
                await asyncio.wait((future,))
            except asyncio.CancelledError:
                continue
        raise


@dataclass
class CommandContext:
    """What a command route needs besides its body: actor, If-Match version, idempotency, deadline."""

    actor: Actor
    expected_version: int | None
    key: str | None
    fingerprint: str
    application: MutasiApplication
    deadline: float | None = None  # `time.monotonic()` after which the command is neither run nor saved

    def run(
        self,
        command: Callable[[Actor, int | None], Recorded],
        status_code: int = 200,
        location: Callable[[CommandResult], str] | None = None,
    ) -> Response:
        """Run `command(actor, expected_version)` once per idempotency key; answer with its result,
        and with `Location: location(result)` when given (what a 201 created, also on a replay).

        A key is looked up first: found, its recorded answer is replayed. Otherwise the command runs
        and its save records the key in the same transaction as its events (`application.idempotency`).
        When the command fails, the key is looked up again: a request with the same key that ran
        meanwhile recorded it (and made this one fail), and its answer is replayed. A command that
        could not start, or be saved, before its deadline is refused (503) and records nothing."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise DeadlinePassed(
                "the command waited past its deadline before it could start; nothing was recorded, send it again"
            )
        request = KeyedRequest(self.actor.user, self.key, self.fingerprint) if self.key is not None else None
        if request is not None and (replay := self._replay(request, status_code, location)) is not None:
            return replay
        try:
            with calling(CommandCall(request, self.deadline)):
                recorded = command(self.actor, self.expected_version)
        except Exception as error:
            if request is None:
                raise
            try:
                replay = self._replay(request, status_code, location)
            except StoreNotReady:
                raise error from None  # the store fails now: the command's own failure says more
            if replay is None:
                raise
            return replay
        return _response(status_code, recorded, replayed=False, location=location)

    async def run_in_thread(
        self,
        command: Callable[[Actor, int | None], Recorded],
        status_code: int = 200,
        location: Callable[[CommandResult], str] | None = None,
    ) -> Response:
        """`run` on a command thread (`in_thread`): what every command route answers with."""
        return await in_thread(partial(self.run, command, status_code, location))

    def _replay(
        self, request: KeyedRequest, status_code: int, location: Callable[[CommandResult], str] | None
    ) -> Response | None:
        stored = self.application.answered(request.scope, request.key)
        if stored is None:
            return None
        if stored.fingerprint != request.fingerprint:
            raise IdempotencyKeyReused(f"key {request.key!r} was used for a different request")
        return _response(status_code, stored.answer, replayed=True, location=location)


def _response(
    status_code: int, recorded: Recorded, replayed: bool, location: Callable[[CommandResult], str] | None = None
) -> Response:
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    headers["ETag"] = etag(recorded.version)
    if location is not None and status_code == 201:
        headers["Location"] = location(CommandResult.of(recorded))
    return Response(CommandResult.json_of(recorded), status_code, headers=headers, media_type="application/json")


def _fingerprint(request: Request, body: bytes, if_match: str | None) -> str:
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body.hex()
    text = "\n".join((request.method, request.url.path, if_match or "", canonical))
    return hashlib.sha256(text.encode()).hexdigest()


async def command_context(
    request: Request,
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            pattern=IF_MATCH,
            description='the version you read (its ETag, e.g. "3"): 412 if the aggregate moved since',
        ),
    ] = None,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            pattern=IDEMPOTENCY_KEY,
            description="send a retried command with the same key: it is recorded once",
        ),
    ] = None,
) -> CommandContext:
    """The context of a command: who acts, which version they expect, their idempotency key.

    The caller is the one `guard` admitted: every resource router has it among its dependencies
    (`GUARDED`), and it leaves the principal in the request's state.
    """
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise RuntimeError("a command route must sit behind the role matrix (a router with GUARDED)")
    expected = None
    if if_match is not None and if_match.strip() != "*":
        expected = int(if_match.strip().removeprefix("W/").strip('"'))
    fingerprint = ""  # only a key's replay compares requests
    if idempotency_key is not None:
        fingerprint = _fingerprint(request, await request.body(), if_match)
    actor = actor_of(principal, request.state.correlation_id)
    application: MutasiApplication = request.app.state.application
    deadline = time.monotonic() + application.settings.command_deadline
    return CommandContext(actor, expected, idempotency_key, fingerprint, application, deadline)


Command = Annotated[CommandContext, Depends(command_context)]
