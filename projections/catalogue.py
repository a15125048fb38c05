"""The views there are, by name (the order in which a runner applies a batch)."""

from __future__ import annotations

from projections.base import DocumentProjection
from projections.store import ViewsUnavailable
from projections.views.accountability import AccountabilityProjection
from projections.views.evaluation import EvaluationProjection
from projections.views.merit import MeritProjection
from projections.views.placements import PlacementsProjection
from projections.views.register import RegisterProjection
from projections.views.rounds import RoundBoardProjection
from projections.views.staffing import StaffingProjection
from projections.views.talent import TalentProjection
from projections.views.transparency import TransparencyProjection

VIEWS: dict[str, type[DocumentProjection]] = {
    cls.name: cls
    for cls in (
        RegisterProjection,
        PlacementsProjection,
        StaffingProjection,
        RoundBoardProjection,
        TransparencyProjection,
        AccountabilityProjection,
        EvaluationProjection,
        TalentProjection,
        MeritProjection,
    )
}


def projection_class(name: str) -> type[DocumentProjection]:
    """The projection of a view, or `ViewsUnavailable` naming the views there are."""
    try:
        return VIEWS[name]
    except KeyError:
        raise ViewsUnavailable(f"no view {name!r}; the views are: {', '.join(VIEWS)}") from None
