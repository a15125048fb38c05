"""/health: liveness (the process answers) and readiness (each store answers, within a bound).

Both run on the event loop, not in the worker threads: `/health/live` touches nothing and answers
while every worker waits for the database. `/health/ready` runs each dependency's check in a thread of
its own and waits at most `settings.ready_timeout`; a check still running (a database that does not
answer) is awaited by the next probe rather than started again, so probes never pile up threads.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.http.problems import documented, problem_response, status_of
from api.http.routes.common import GUARDED

router = APIRouter(prefix="/health", tags=["health"], dependencies=GUARDED)


class Live(BaseModel):
    """The process is up."""

    status: str = "live"


class Dependency(BaseModel):
    """One dependency as the probe found it."""

    status: Literal["up", "down", "absent"] = Field(description="absent: this service has none")
    detail: str = ""
    ms: float = Field(description="how long the check took (up to the bound)")


class Ready(BaseModel):
    """Every store answers; `position` is the latest notification id recorded."""

    status: str = "ready"
    position: int
    checks: dict[str, Dependency]


@router.get("/live", name="health.live", summary="Liveness", response_model=Live, responses=documented(401, 422))
async def live() -> Live:
    """Answers while the process runs (on the event loop; no database, no worker thread)."""
    return Live()


@router.get(
    "/ready", name="health.ready", summary="Readiness", response_model=Ready, responses=documented(401, 422, 503)
)
async def ready(request: Request) -> Ready | JSONResponse:
    """200 when the event store and the views' store answer within the bound; otherwise 503 (a
    problem document) naming each dependency's state in `checks`."""
    probes = _probes(request)
    bound = request.app.state.application.settings.ready_timeout
    checks = dict(zip(probes, await asyncio.gather(*(probe.run(bound) for probe in probes.values())), strict=False))
    found = {name: check for name, (check, _) in checks.items()}
    if any(check.status == "down" for check in found.values()):
        failed = next(error for check, error in checks.values() if check.status == "down")
        code, title = "store-unavailable", "Store unavailable"  # a timeout, or a raw error of the views' store
        if isinstance(failed, Exception) and status_of(failed)[0] == 503:  # the application's own
            code, title = getattr(failed, "code", code), status_of(failed)[1]
        detail = "; ".join(f"{name}: {check.detail}" for name, check in found.items() if check.status == "down")
        return problem_response(
            request, 503, code, title, detail, checks={name: check.model_dump() for name, check in found.items()}
        )
    return Ready(position=checks["events"][1] or 0, checks=found)


class Probe:
    """One dependency's check, run in a daemon thread of its own, one at a time."""

    def __init__(self, check: Callable[[], int | None] | None) -> None:
        self.check = check
        self._lock = threading.Lock()
        self._running: Future[int | None] | None = None

    async def run(self, bound: float) -> tuple[Dependency, object]:
        """The dependency's state and, when up, the check's value (when down: its error)."""
        if self.check is None:
            return Dependency(status="absent", ms=0.0), None
        started = time.perf_counter()
        future = asyncio.wrap_future(self._start())
        future.add_done_callback(_retrieve)  # a late failure, after the bound, is not an unhandled error
        done, _ = await asyncio.wait({future}, timeout=bound)  # never cancels the check itself
        ms = round((time.perf_counter() - started) * 1000, 1)
        if not done:
            return Dependency(status="down", detail=f"no answer within {bound:g} s", ms=ms), TimeoutError(
                f"no answer within {bound:g} s"
            )
        error = future.exception()
        if error is not None:
            return Dependency(status="down", detail=" ".join(str(error).split())[:300], ms=ms), error
        return Dependency(status="up", ms=ms), future.result()

    def _start(self) -> Future[int | None]:
        with self._lock:
            if self._running is None or self._running.done():
                future: Future[int | None] = Future()
                threading.Thread(target=self._run, args=(future,), daemon=True, name="health-probe").start()
                self._running = future
            return self._running

    def _run(self, future: Future[int | None]) -> None:
        try:
            future.set_result(self.check())  # type: ignore[misc]
        except BaseException as error:  # noqa: BLE001 - reported by the probe
            future.set_exception(error)


def _retrieve(future: asyncio.Future[int | None]) -> None:
    if not future.cancelled():
        future.exception()


def _probes(request: Request) -> dict[str, Probe]:
    state = request.app.state
    probes = getattr(state, "health_probes", None)
    if probes is None:
        side = getattr(state, "read_side", None)
        views = side.read_models if side is not None else None
        probes = state.health_probes = {
            "events": Probe(state.application.check_store),
            "views": Probe(views.ping if views is not None else None),
        }
    return probes
