"""The read side of one service: the read models the report and list routes read and, in the
embedded SQLite mode, the projections running in a thread of the service (with PostgreSQL they run
as their own process: `mutasi projections run`). Opened and closed by the app's lifespan."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from application.persistence.stores import Stores
from projections.queries import ReadModels
from projections.runner import BackgroundProjections


@dataclass
class ReadSide:
    """What the service holds of the read side: the read models and, embedded, the runner thread."""

    read_models: ReadModels | None
    background: BackgroundProjections | None


@contextmanager
def open_read_side(
    stores: Stores,
    embedded: bool | None = None,
    head: Callable[[], int] | None = None,
) -> Iterator[ReadSide]:
    """Open the read models; run the projections in-process when `embedded` (default: SQLite store).
    `head` tells the store's latest position (a `min_position` beyond it is refused at once)."""
    if stores.kind == "memory":
        yield ReadSide(None, None)
        return
    embedded = stores.kind == "sqlite" if embedded is None else embedded
    read_models = ReadModels(stores, head=head)
    background = BackgroundProjections(stores) if embedded else None
    if background is not None:
        background.start()
    try:
        yield ReadSide(read_models, background)
    finally:
        if background is not None:
            background.stop()
        read_models.close()
