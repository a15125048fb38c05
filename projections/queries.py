"""The query interface of the read models: what the API's list, search and report endpoints call.

`ReadModels(stores)` is built once per process and closed at shutdown. Every answer carries the
position of the view it was read from (`position`, a notification id) and the recording time of the
event at that position (`as_of`). `min_position=N` waits up to `timeout` seconds for the view to
reach N and otherwise raises `NotYetUpToDate`: stale data never poses as fresh. A position beyond
the event store's head (no command answered with it) is refused at once (`PositionBeyondHead`), and
at most `settings.max_waiting_reads` reads wait at a time (each holds a worker thread); the others
are told `NotYetUpToDate` at once, so waiting reads never starve the rest.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, Field

from application.persistence.stores import Stores
from application.settings import Settings
from domain.vocabulary import PositionType, Rank
from projections.catalogue import projection_class
from projections.store import DocumentView, Snapshot, ViewDatabase, ViewsUnavailable

T = TypeVar("T")
WAIT_TIMEOUT = 2.0


class NotYetUpToDate(RuntimeError):
    """The view has not reached the position the caller asked for within the time allowed."""

    def __init__(self, view: str, position: int, wanted: int) -> None:
        super().__init__(f"view {view} is at position {position}, not yet at {wanted}; retry shortly")
        self.view, self.position, self.wanted = view, position, wanted


class PositionBeyondHead(NotYetUpToDate):
    """The position asked for is beyond the event store's latest: no event has it yet, so nothing
    can bring a view there by waiting for it."""

    def __init__(self, view: str, position: int, wanted: int, head: int) -> None:
        RuntimeError.__init__(
            self,
            f"the event store's latest position is {head}: no event is at {wanted} "
            "yet (pass the `position` a command answered with)",
        )
        self.view, self.position, self.wanted, self.head = view, position, wanted, head


class Stamp(BaseModel):
    """As of which event a read model answers: notification id and when that event was recorded."""

    view: str
    position: int = Field(description="notification id of the last event applied to the view")
    as_of: datetime | None = Field(None, description="when the event at `position` was recorded")


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total count and the view's stamp."""

    items: list[T]
    total: int
    limit: int
    offset: int
    stamp: Stamp


class EmployeeEntry(BaseModel):
    """An employee in the directory (no birth date, no scores, no sanctions)."""

    employee_id: UUID
    nip: str
    name: str
    rank: Rank
    status: str = Field(description="active or retired")
    position_id: UUID | None
    position_title: str | None
    position_type: PositionType | None
    agency: str | None
    unit: str | None
    since: str | None = Field(None, description="date of the current placement")
    retired_on: str | None = None


class PositionEntry(BaseModel):
    """A position with its formasi, holders and free seats (negative: a surplus)."""

    position_id: UUID
    agency: str
    unit: str
    title: str
    position_type: PositionType
    rank_min: Rank
    rank_max: Rank
    formasi: int
    holders: list[UUID]
    free_seats: int
    status: str = Field(description="active or abolished")
    abolished_on: str | None = None
    standard: dict[str, int]
    min_jpm: str | None = None


class ReadModels:
    """Reads the live version of each view. One per process; thread-safe; `close()` at shutdown."""

    def __init__(self, stores: Stores | Settings, head: Callable[[], int] | None = None) -> None:
        """The views of `stores` (given `Settings`, of stores of its own, closed with it). `head`
        tells the event store's latest position (without it, a far `min_position` waits out its
        timeout like any other)."""
        opened = Stores.of(stores)
        self._own_stores = opened if opened is not stores else None
        settings = self.settings = opened.settings
        self.db = ViewDatabase(opened)
        self._live: dict[str, DocumentView] = {}  # the live version last seen, checked on each read
        self._head, self._head_seen = head, 0  # the store's head only grows: asked again only beyond it
        self._waiting = threading.BoundedSemaphore(settings.max_waiting_reads) if settings.max_waiting_reads else None

    def close(self) -> None:
        """Done reading (closes the stores only when they are its own)."""
        if self._own_stores is not None:
            self._own_stores.close()

    def view(self, name: str) -> DocumentView:
        """The live version of a view (`ViewsUnavailable` if it was never built)."""
        cls = projection_class(name)
        version = self.db.live_versions().get(name)
        if version is None:
            raise ViewsUnavailable(f"view {name} has not been built yet: run `mutasi projections run`")
        return DocumentView(self.db, name, version, cls.tables)

    def ping(self) -> None:
        """Raise unless the views' database answers (a trivial query through the pool)."""
        self.db.fetchall("SELECT 1")

    def position(self, name: str) -> int:
        """The position of a view now."""
        return self.view(name).position

    def wait_for(self, name: str, position: int, timeout: float = WAIT_TIMEOUT) -> int:
        """Wait until view `name` reached `position`; `NotYetUpToDate` after `timeout` seconds, or at
        once when as many reads wait already as allowed; `PositionBeyondHead` at once when the store
        has not reached `position` itself."""
        reached = self._position_or_zero(name)
        if reached >= position:
            return reached
        if self._head is not None and position > self._head_seen:
            self._head_seen = max(self._head_seen, self._head())
            if position > self._head_seen:
                raise PositionBeyondHead(name, reached, position, self._head_seen)
        if self._waiting is None or not self._waiting.acquire(blocking=False):
            raise NotYetUpToDate(name, reached, position)
        try:
            return self._wait(name, position, timeout)
        finally:
            self._waiting.release()

    def _position_or_zero(self, name: str) -> int:
        try:
            return self.view(name).position
        except ViewsUnavailable:  # not built yet: position 0 until the runner creates it
            return 0

    def _wait(self, name: str, position: int, timeout: float) -> int:
        deadline, pause = time.monotonic() + timeout, 0.01
        while True:
            try:
                reached = self.view(name).position
            except ViewsUnavailable:  # not built yet: position 0 until the runner creates it
                reached = 0
            if reached >= position:
                return reached
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise NotYetUpToDate(name, reached, position)
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, 0.2)

    @contextmanager
    def snapshot(
        self, name: str, min_position: int | None = None, timeout: float = WAIT_TIMEOUT
    ) -> Iterator[tuple[Snapshot, Stamp]]:
        """A consistent read of a view with its stamp, once it reached `min_position`."""
        if min_position:
            self.wait_for(name, min_position, timeout)
        for _ in range(3):
            view = self._live.get(name) or self.view(name)
            with view.reading() as snap:
                # The version is checked inside the read's own transaction, so a report costs no
                # separate look-up of the registry; after a rebuild swapped versions, read again.
                if self._is_live(snap, view):
                    self._live[name] = view
                    if min_position and snap.position < min_position:  # a rebuild swapped meanwhile
                        raise NotYetUpToDate(name, snap.position, min_position)
                    yield snap, Stamp(view=name, position=snap.position, as_of=snap.recorded_at)
                    return
            self._live.pop(name, None)
        raise NotYetUpToDate(name, 0, min_position or 0)

    def _is_live(self, snap: Snapshot, view: DocumentView) -> bool:
        snap.cursor.execute(
            self.db.sql(f"SELECT live FROM {self.db.table('view_registry')} WHERE view = %s"), [view.view]
        )
        row = snap.cursor.fetchone()
        return row is not None and int(row["live"]) == view.version

    # -- the register ------------------------------------------------------------

    def employees(
        self,
        *,
        agency: str | None = None,
        unit: str | None = None,
        rank: Rank | None = None,
        position_type: PositionType | None = None,
        nip_prefix: str | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
        min_position: int | None = None,
        timeout: float = WAIT_TIMEOUT,
    ) -> Page[EmployeeEntry]:
        """Search the directory by agency, unit, rank, position type, NIP prefix; ordered by NIP."""
        with self.snapshot("register", min_position, timeout) as (snap, stamp):
            docs, total = snap.select(
                "employee",
                equals={
                    "agency": agency,
                    "unit": unit,
                    "rank": _value(rank),
                    "position_type": _value(position_type),
                    "status": status,
                },
                prefixes={"nip": nip_prefix or ""},
                order_by=("nip",),
                limit=limit,
                offset=offset,
            )
        return Page[EmployeeEntry](
            items=[EmployeeEntry.model_validate(d) for d in docs], total=total, limit=limit, offset=offset, stamp=stamp
        )

    def employee(self, employee_id: UUID, min_position: int | None = None) -> EmployeeEntry | None:
        """One directory entry by employee id."""
        with self.snapshot("register", min_position) as (snap, _):
            doc = snap.get("employee", employee_id)
        return EmployeeEntry.model_validate(doc) if doc else None

    def positions(
        self,
        *,
        agency: str | None = None,
        unit: str | None = None,
        position_type: PositionType | None = None,
        vacant: bool | None = None,
        surplus: bool | None = None,
        include_abolished: bool = False,
        limit: int = 50,
        offset: int = 0,
        min_position: int | None = None,
        timeout: float = WAIT_TIMEOUT,
    ) -> Page[PositionEntry]:
        """List positions; `vacant=True` only those with a free seat, `surplus=True` over-staffed ones."""
        compare: list[tuple[str, str, object]] = []
        if vacant is not None:
            compare.append(("free_seats", ">" if vacant else "<=", 0))
        if surplus is not None:
            compare.append(("free_seats", "<" if surplus else ">=", 0))
        with self.snapshot("register", min_position, timeout) as (snap, stamp):
            docs, total = snap.select(
                "position",
                equals={
                    "agency": agency,
                    "unit": unit,
                    "position_type": _value(position_type),
                    "status": None if include_abolished else "active",
                },
                compare=compare,
                order_by=("agency", "unit", "title"),
                limit=limit,
                offset=offset,
            )
        return Page[PositionEntry](
            items=[PositionEntry.model_validate(d) for d in docs], total=total, limit=limit, offset=offset, stamp=stamp
        )


def _value(value: object) -> object:
    return getattr(value, "value", value)
