"""The read models, one module per view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projections.base import DocumentProjection
from projections.store import Doc


class MissingRow(LookupError):
    """A row a view's earlier event makes is not there: events applied out of order, or a bug."""


def row(projection: DocumentProjection, table: str, key: Any, create: Callable[[], Doc] | None = None) -> Doc:
    """The row of `table` under `key`, to change in this batch (`DocumentProjection.edit`): one an
    earlier event made (the round of a proposal, the position a holder joins), or `create` makes.
    Its absence is reported as `MissingRow`."""
    doc = projection.edit(table, key, create)
    if doc is None:
        raise MissingRow(f"{projection.name}: no {table} row {key} to change")
    return doc


def known(projection: DocumentProjection, table: str, key: Any) -> Doc:
    """The row of `table` under `key` as of this batch, for reading only; as `row`, one an earlier
    event made, its absence reported as `MissingRow`."""
    doc = projection.get(table, key)
    if doc is None:
        raise MissingRow(f"{projection.name}: no {table} row {key}")
    return doc
