"""/health: liveness (the process answers) and readiness (the event store answers)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.http.deps import Application
from api.http.problems import documented
from api.http.routes.common import GUARDED

router = APIRouter(prefix="/health", tags=["health"], dependencies=GUARDED)


class Live(BaseModel):
    """The process is up."""

    status: str = "live"


class Ready(BaseModel):
    """The event store answers; `position` is the latest notification id recorded."""

    status: str = "ready"
    position: int


@router.get("/live", name="health.live", response_model=Live, responses=documented(401, 422))
def live() -> Live:
    """Answers while the process runs."""
    return Live()


@router.get("/ready", name="health.ready", response_model=Ready, responses=documented(401, 422, 503))
def ready(app: Application) -> Ready:
    """Answers 200 when the event store answers, 503 (problem document) when it does not."""
    return Ready(position=app.check_store())
