"""Fixtures of the projection tests: views over the `settings` store (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from application.service import MutasiApplication
from application.settings import Settings
from projections.catalogue import VIEWS
from projections.queries import ReadModels
from projections.reports import Reports
from projections.runner import ProjectionRunner
from projections.store import DocumentView
from tests.api.conftest import reporting_api  # noqa: F401 (the service with its read side)
from tests.projections.flow import Flow, walk


@dataclass
class Views:
    """A runner and the read side on one store."""

    runner: ProjectionRunner
    read: ReadModels
    reports: Reports

    def catch_up(self) -> int:
        """Apply every event recorded so far."""
        return self.runner.catch_up()


@pytest.fixture
def views(settings: Settings) -> Iterator[Views]:
    """A runner (batches of 7 events, so batches cut through the flow) and the read models."""
    runner = ProjectionRunner(settings, batch_size=7)
    read = ReadModels(settings)
    try:
        yield Views(runner, read, Reports(read))
    finally:
        runner.close()
        read.close()


@pytest.fixture
def flow(app: MutasiApplication) -> Flow:
    """The whole round flow recorded in the store."""
    return walk(app)


def dump(read: ReadModels, names: Any = None) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Every row of every table of the live version of each view (by table, ordered by key)."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for name in names or VIEWS:
        view: DocumentView = read.view(name)
        with view.reading() as snap:
            out[name] = {table: snap.select(table)[0] for table in view.tables}
    return out
