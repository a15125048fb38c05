"""`MutasiApplication`: the one `Application` subclass, with a method per use case."""

from __future__ import annotations

from application.bulk import BulkUseCases
from application.employees import EmployeeUseCases
from application.objections import ObjectionUseCases
from application.planning import PlanningUseCases
from application.positions import PositionUseCases
from application.rounds import RoundUseCases


class MutasiApplication(
    EmployeeUseCases,
    PositionUseCases,
    RoundUseCases,
    ObjectionUseCases,
    PlanningUseCases,
    BulkUseCases,
):
    """Every use case of Mutasi over one event store.

    Build it with a `Settings` object (SQLite by default). Commands take the acting `Actor` first and
    return a `Recorded`; queries return aggregates, now, at a version or as recorded at a moment.
    """
