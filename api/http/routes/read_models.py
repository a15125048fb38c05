"""/projections: where each read model stands, and the read models' refusals as problems (the read
side itself is opened by the app's lifespan: `projections.read_side`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from api.http.problems import RequestRefused, documented
from api.http.routes.common import GUARDED
from projections.admin import ViewStatus, view_status
from projections.queries import NotYetUpToDate, PositionBeyondHead, ReadModels
from projections.read_side import ReadSide
from projections.reports import NotFound
from projections.store import ViewsUnavailable

router = APIRouter(prefix="/projections", tags=["projections"], dependencies=GUARDED)


class ViewNotReady(RequestRefused):
    """The read models are not available (not built yet, or the in-memory store has none)."""

    status, code, title = 503, "views-unavailable", "Read models unavailable"


class ViewNotYetUpToDate(RequestRefused):
    """The view has not reached the position asked for (`min_position`) within the time allowed."""

    status, code, title = 503, "view-not-up-to-date", "Not yet up to date"


class MinPositionBeyondHead(RequestRefused):
    """`min_position` names a position the store has not reached: no command answered with it, so
    waiting would not help (and retrying the same request is refused the same way until others write)."""

    status, code, title = 409, "position-beyond-head", "Position not recorded yet"


class ReportSubjectNotFound(RequestRefused):
    """The employee, position or round is not in the view (yet)."""

    status, code, title = 404, "not-found", "Not found"


def get_read_models(request: Request) -> ReadModels:
    """The service's read models, or a 503 problem when there are none."""
    side: ReadSide | None = getattr(request.app.state, "read_side", None)
    if side is None or side.read_models is None:
        raise ViewNotReady("this service has no read models (the in-memory store keeps none)")
    return side.read_models


Views = Annotated[ReadModels, Depends(get_read_models)]


@contextmanager
def answering() -> Iterator[None]:
    """Translate the read side's refusals into problem documents."""
    try:
        yield
    except PositionBeyondHead as error:
        raise MinPositionBeyondHead(str(error)) from None
    except NotYetUpToDate as error:
        raise ViewNotYetUpToDate(str(error)) from None
    except ViewsUnavailable as error:
        raise ViewNotReady(str(error)) from None
    except NotFound as error:
        raise ReportSubjectNotFound(str(error)) from None


@router.get(
    "/status",
    name="projections.status",
    summary="Where each view stands",
    response_model=list[ViewStatus],
    responses=documented(401, 403, 503),
)
def status(views: Views, request: Request) -> list[ViewStatus]:
    """Per view: version, position, the store's latest position, and the lag in events and seconds."""
    with answering():
        return view_status(views.db, request.app.state.application)
