"""The deliberate copies of domain types stay in step with them (issue 14).

The HTTP schemas copy the domain's types on purpose: the API's contract must not change by itself when
the domain changes. The position list copies the position as the register view keeps it, and a roster
row the arguments of `Position.establish`, one per column of the file. Each copy is listed here with
what it copies, and every field that is deliberately different on one side is named with why: a field
added on either side fails until someone decides whether the other side takes it too.

Types are compared as well, where both sides declare one: a schema's nested model stands for the domain
type it copies, a list for a tuple, and a type that differs on purpose is named too.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import sys
import textwrap
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Union
from uuid import UUID

import pytest
from eventsourcing.domain import BaseAggregate
from pydantic import BaseModel

from api.http.schemas.common import OfficialOut
from api.http.schemas.employees import (
    AssessmentOut,
    DevelopmentPlanOut,
    EmployeeOut,
    EvaluationOut,
    PlacementOut,
    RatingOut,
    SanctionOut,
)
from api.http.schemas.plans import (
    AdoptionOut,
    EmptySeatOut,
    MoveOut,
    PairIn,
    PairOut,
    PlanOptionsOut,
    PlanOut,
    PlanRequest,
    PlanResultOut,
    SkippedOut,
    UnitSpreadOut,
    VerdictOut,
)
from api.http.schemas.positions import HoldingOut, PositionOut
from api.http.schemas.rounds import RuleOutcomeOut
from application.roster.rows import PositionRow
from domain.eligibility.case import RuleOutcome
from domain.employee import (
    Assessment,
    DevelopmentPlan,
    Employee,
    Placement,
    PostTransferEvaluation,
    Rating,
    Sanction,
)
from domain.official import Official
from domain.plan_options import Pair, PlanOptions
from domain.planning.plan import Adoption, MutationPlan
from domain.planning.result import (
    CandidateVerdict,
    EmptySeat,
    PlanResult,
    RecommendedMove,
    SkippedCandidate,
    UnitSpread,
)
from domain.position import Holding, Position
from projections.queries import PositionEntry

Why = Mapping[str, str]


@dataclass(frozen=True)
class Mirror:
    """A copy of a domain type and what is deliberately different, field by field, with why."""

    copy: type
    original: type | Callable[..., Any]
    """A dataclass, an aggregate (its attributes, properties, id and version), or a function (its parameters)."""
    only_in_copy: Why = field(default_factory=dict)
    only_in_original: Why = field(default_factory=dict)
    renamed: Mapping[str, str] = field(default_factory=dict)
    """copy's field -> the original's name for it"""
    retyped: Why = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.copy.__name__}-{_name(self.original)}"


_SEEN = "the view keeps what the events carried, as JSON: dates and decimals as text"

MIRRORS = [
    # -- positions: the HTTP record, the view's list entry, the roster's row ----------------------
    Mirror(PositionOut, Position, retyped={"holders": "a list of the holdings (the aggregate keys them by employee)"}),
    Mirror(HoldingOut, Holding),
    Mirror(
        PositionEntry,
        Position,
        only_in_copy={"status": "active or abolished, for the list's filter (the aggregate has abolished_on)"},
        only_in_original={"version": "a list reads the view, not a version of the aggregate"},
        renamed={"position_id": "id"},
        retyped={
            "holders": "the list names the holders' ids only (the record has since and decree)",
            "abolished_on": _SEEN,
            "min_jpm": _SEEN,
        },
    ),
    Mirror(
        PositionRow,
        Position.establish,
        only_in_original={"min_jpm": "the roster file has no column for it: positions are established without one"},
    ),
    # -- employees ------------------------------------------------------------------------------------
    Mirror(
        EmployeeOut,
        Employee,
        only_in_original={
            "agency": "who registered the employee, for application.authority; not part of the record read",
            "birth_date": "derived from the NIP, which the record shows",
            "placement": "the current one is the last of `placements` (and `position_id`)",
            "latest_assessment": "the last of `assessments`",
        },
        renamed={"open_disciplinary_cases": "open_cases", "development_plans": "development"},
        retyped={
            "ratings": "a list in year order (the aggregate keys them by year)",
            "development_plans": "a list (the aggregate keys them by plan id)",
        },
    ),
    Mirror(PlacementOut, Placement),
    Mirror(AssessmentOut, Assessment),
    Mirror(RatingOut, Rating),
    Mirror(SanctionOut, Sanction),
    Mirror(DevelopmentPlanOut, DevelopmentPlan),
    Mirror(EvaluationOut, PostTransferEvaluation),
    # -- plans ----------------------------------------------------------------------------------------
    Mirror(PlanRequest, PlanOptions),
    Mirror(PairIn, Pair),
    Mirror(PlanOut, MutationPlan, retyped={"adoptions": "a list (the aggregate keys them by employee)"}),
    Mirror(PlanOptionsOut, PlanOptions),
    Mirror(PairOut, Pair),
    Mirror(PlanResultOut, PlanResult),
    Mirror(MoveOut, RecommendedMove),
    Mirror(VerdictOut, CandidateVerdict),
    Mirror(EmptySeatOut, EmptySeat),
    Mirror(UnitSpreadOut, UnitSpread),
    Mirror(SkippedOut, SkippedCandidate),
    Mirror(AdoptionOut, Adoption),
    # -- shared ---------------------------------------------------------------------------------------
    Mirror(RuleOutcomeOut, RuleOutcome),
    Mirror(
        OfficialOut,
        Official,
        only_in_original={"is_national": "follows from `agencies`, which the record shows"},
        retyped={"office": "the office's name as text"},
    ),
]

STANDS_FOR: dict[type, object] = {m.copy: m.original for m in MIRRORS if isinstance(m.original, type)}
"""A copy nested in a copy stands for the domain type it copies."""

UNKNOWN = object()
"""The type of a field the original does not declare (an aggregate's attribute set without annotation)."""


@pytest.mark.parametrize("mirror", MIRRORS, ids=lambda m: m.id)
def test_a_copy_has_the_fields_of_what_it_copies(mirror: Mirror) -> None:
    copy, original = _fields_of_copy(mirror.copy), _fields_of_original(mirror.original)
    copied = {mirror.renamed.get(name, name) for name in copy}
    added = sorted(copied - original.keys() - {mirror.renamed.get(n, n) for n in mirror.only_in_copy})
    missing = sorted(original.keys() - copied - mirror.only_in_original.keys())
    assert not added, (
        f"{mirror.copy.__name__} has {added}, which {_name(mirror.original)} lacks: add them there, or name them "
        f"in `only_in_copy` of this mirror (tests/api/test_schema_mirrors.py) with why only the copy has them"
    )
    assert not missing, (
        f"{_name(mirror.original)} has {missing}, which its copy {mirror.copy.__name__} lacks: decide whether the "
        f"copy takes them (for an HTTP schema: the API then shows them), or name them in `only_in_original` "
        f"of this mirror (tests/api/test_schema_mirrors.py) with why the copy leaves them out"
    )
    stale = sorted(
        {n for n in mirror.only_in_copy if n not in copy or mirror.renamed.get(n, n) in original}
        | {n for n in mirror.only_in_original if n in copied or n not in original}
        | (mirror.renamed.keys() - copy.keys())
        | (mirror.retyped.keys() - copy.keys())
    )
    assert not stale, f"{mirror.id}: {stale} named as different, but no longer are: take them off the lists"


@pytest.mark.parametrize("mirror", MIRRORS, ids=lambda m: m.id)
def test_a_copy_has_the_types_of_what_it_copies(mirror: Mirror) -> None:
    copy, original = _fields_of_copy(mirror.copy), _fields_of_original(mirror.original)
    differing, alike = [], []
    for name, annotation in copy.items():
        theirs = original.get(mirror.renamed.get(name, name), UNKNOWN)
        if theirs is UNKNOWN:
            continue
        same = _normal(annotation) == _normal(theirs)
        if name in mirror.retyped:
            if same:
                alike.append(name)
        elif not same:
            differing.append(f"{name}: {_shown(annotation)} here, {_shown(theirs)} in {_name(mirror.original)}")
    assert not differing, (
        f"{mirror.copy.__name__} types differently from what it copies: {differing}; make them agree, or name "
        f"the field in `retyped` of this mirror (tests/api/test_schema_mirrors.py) with why"
    )
    assert not alike, f"{mirror.id}: {alike} named as retyped, but agree: take them off `retyped`"


def test_every_copy_is_listed_once() -> None:
    ids = [m.id for m in MIRRORS]
    assert len(ids) == len(set(ids))


# -- the fields of each side ------------------------------------------------------------------------


def _fields_of_copy(copy: type) -> dict[str, Any]:
    if issubclass(copy, BaseModel):
        return {name: info.annotation for name, info in copy.model_fields.items()}
    hints = typing.get_type_hints(copy)
    return {f.name: hints[f.name] for f in dataclasses.fields(copy) if f.init}


def _fields_of_original(original: type | Callable[..., Any]) -> dict[str, Any]:
    if not isinstance(original, type):
        hints = typing.get_type_hints(original)
        return {name: hints.get(name, UNKNOWN) for name in inspect.signature(original).parameters}
    fields: dict[str, Any] = {}
    if issubclass(original, BaseAggregate):
        fields.update(id=UUID, version=int)  # every aggregate's
        fields.update(_attributes_of_aggregate(original))
    else:
        hints = typing.get_type_hints(original)
        fields.update({f.name: hints[f.name] for f in dataclasses.fields(original)})
    for cls in original.__mro__:
        if cls.__module__.startswith("domain."):
            for name, member in vars(cls).items():
                if isinstance(member, property) and not name.startswith("_"):
                    fields.setdefault(name, typing.get_type_hints(member.fget).get("return", UNKNOWN))
    return fields


def _attributes_of_aggregate(aggregate: type) -> dict[str, Any]:
    """The public attributes its `__init__` sets: those annotated there, or set from a parameter, with
    that type; any other, of a type not known here."""
    init = aggregate.__init__
    parameters = typing.get_type_hints(init)
    module = sys.modules[aggregate.__module__]
    (function,) = ast.parse(textwrap.dedent(inspect.getsource(init))).body
    attributes: dict[str, Any] = {}
    for statement in ast.walk(function):
        if isinstance(statement, ast.AnnAssign):
            targets, annotation = [statement.target], statement.annotation
        elif isinstance(statement, ast.Assign):
            targets, annotation = statement.targets, None
        else:
            continue
        for target in targets:
            if not (isinstance(target, ast.Attribute) and ast.unparse(target.value) == "self"):
                continue
            if target.attr.startswith("_"):
                continue
            if annotation is not None:
                attributes[target.attr] = eval(ast.unparse(annotation), vars(module))  # the domain's own source
            elif isinstance(statement.value, ast.Name) and statement.value.id in parameters:
                attributes[target.attr] = parameters[statement.value.id]
            else:
                attributes[target.attr] = UNKNOWN
    return attributes


# -- types, compared as the JSON sees them ---------------------------------------------------------


def _normal(annotation: Any) -> Any:
    """A type with what does not change its data taken off: `Annotated` constraints, list or tuple,
    a schema copy or the domain type it copies."""
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Annotated:
        return _normal(arguments[0])
    if origin in (Union, types.UnionType):
        return frozenset(_normal(a) for a in arguments)
    if origin in (list, tuple):
        return ("sequence", _normal(arguments[0]))
    if origin is dict:
        return ("mapping", _normal(arguments[0]), _normal(arguments[1]))
    if origin is not None:
        return (origin, tuple(_normal(a) for a in arguments))
    return STANDS_FOR.get(annotation, annotation)


def _shown(annotation: Any) -> str:
    if typing.get_origin(annotation) is None and hasattr(annotation, "__name__"):
        return str(annotation.__name__)
    return repr(annotation).replace("typing.", "")


def _name(original: object) -> str:
    return getattr(original, "__qualname__", repr(original))
