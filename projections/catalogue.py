"""The views there are, by name (the order in which a runner applies a batch)."""

from __future__ import annotations

from projections.base import DocumentProjection
from projections.store import ViewsUnavailable
from projections.views.register import RegisterProjection

VIEWS: dict[str, type[DocumentProjection]] = {
    cls.name: cls for cls in (RegisterProjection,)
}


def projection_class(name: str) -> type[DocumentProjection]:
    """The projection of a view, or `ViewsUnavailable` naming the views there are."""
    try:
        return VIEWS[name]
    except KeyError:
        raise ViewsUnavailable(f"no view {name!r}; the views are: {', '.join(VIEWS)}") from None
