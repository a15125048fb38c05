"""What every view's projection shares: a batch of changed rows, and JSON-ready values."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from pydantic_core import to_jsonable_python

from application.persistence.handlers import registered_handlers
from domain.mutation_round import MutationRound
from projections.directory import Directory
from projections.store import Doc, DocumentView, Table


def plain(value: Any) -> Any:
    """A value as JSON-ready data (dates, UUIDs, decimals and enums as text)."""
    return to_jsonable_python(value)


def recorded_at(domain_event: Any) -> str | None:
    """When the event was recorded (from its metadata), ISO text."""
    meta = getattr(domain_event, "metadata", None)
    return meta.recorded_at.isoformat() if meta is not None else None


def actor_of(domain_event: Any) -> str | None:
    """The acting user stored with the event."""
    meta = getattr(domain_event, "metadata", None)
    return meta.actor if meta is not None else None


def event_ids(domain_event: Any) -> list[tuple[str, UUID]]:
    """Every id an event carries, with its name: its own fields and those of the values it holds one
    level down (a proposal's `proposal_id`, `employee_id`, `target_position_id`, an objection's
    `proposal_id`...). The keys of the rows a view's handler reads or writes are among them (the views
    key their rows by aggregate, proposal, employee or position id)."""
    ids = []
    for name, value in vars(domain_event).items():
        if type(value) is UUID:
            ids.append((name, value))
        elif name != "metadata" and hasattr(value, "__dict__") and not isinstance(value, type):
            ids.extend((inner, v) for inner, v in vars(value).items() if type(v) is UUID)
    return ids


class DocumentProjection(Projection[DocumentView]):
    """A projection into a `DocumentView`. `process_event` edits rows of the current batch;
    the runner commits the batch with its tracking position in one transaction.
    """

    tables: ClassVar[tuple[Table, ...]] = ()
    partitioned_otherwise: ClassVar[frozenset[type] | None] = frozenset()
    """The event classes whose `partition_key` is not their aggregate (None: every class), so that a
    partitioned runner need not decode another partition's events of the other classes."""
    cost: ClassVar[float] = 1.0  # relative work per event stream, to share views among rebuild workers
    _handlers: ClassVar[dict[type, Callable[..., None]]]

    def __init__(self, view: DocumentView, directory: Directory | None = None) -> None:
        super().__init__(view)
        self._changes: dict[tuple[str, str], Doc | None] = {}
        self._follow: set[str] = set()  # keys a view reads ahead in a second step (see `prefetch`)
        self.directory = directory  # names, NIPs, titles, units: set by the runner

    def person(self, employee_id: Any) -> Doc:
        """Name and NIP of an employee (from the runner's directory)."""
        return self._directory().person(employee_id)

    def seat(self, position_id: Any) -> Doc:
        """Title, unit, agency and type of a position (from the runner's directory)."""
        return self._directory().seat(position_id)

    def round(self, round_id: Any) -> Doc:
        """Title and agency of a round (from the runner's directory)."""
        return self._directory().round(round_id)

    def partition_key(self, domain_event: Any) -> Any:
        """What decides which partition of a partitioned runner applies this event to this view
        (`projections.partitions`): every row an event touches must belong to the partition of its
        key, and every row it reads too. The default, the event's aggregate, suits a view whose rows
        each follow one aggregate; a view whose rows gather several says what gathers them (and names
        the event classes concerned in `partitioned_otherwise`)."""
        return domain_event.originator_id

    def _directory(self) -> Directory:
        if self.directory is None:
            raise RuntimeError("this projection looks facts up in a directory: run it with a ProjectionRunner")
        return self.directory

    @classmethod
    def handlers(cls) -> dict[type, Callable[..., None]]:
        """`process_event`'s registered function for each event class, resolved once: calling it
        directly spares the per-call cost of `singledispatchmethod` (a third of a rebuild's time)."""
        if "_handlers" not in cls.__dict__:
            cls._handlers = registered_handlers(cls.__dict__["process_event"])
        return cls._handlers

    # -- the batch ---------------------------------------------------------------

    def keys_of(self, domain_event: Any, ids: list[tuple[str, UUID]]) -> dict[str, Iterable[str]] | None:
        """The rows (keys by table) a handler may touch for this event, to read ahead with the rest of
        the batch (`ids`: `event_ids(domain_event)`). None, the default: every id the event carries, in
        every table (a key that is in none costs nothing more than its place in the one query per
        table). A view whose keys are made otherwise says so here; a key it leaves out is read when
        needed, one by one."""
        return None

    def prefetch(self, keys: dict[str, set[str]]) -> None:
        """Read ahead the rows of the batch about to be applied (`keys` by table)."""
        self.view.prefetch(keys)

    def get(self, table: str, key: Any) -> Doc | None:
        """A row as of this batch, for reading only."""
        key = str(key)
        if (table, key) in self._changes:
            return self._changes[(table, key)]
        return self.view.load(table, key)

    def edit(self, table: str, key: Any, create: Callable[[], Doc] | None = None) -> Doc | None:
        """A row to change in this batch (created with `create` when missing)."""
        key = str(key)
        if (table, key) in self._changes:
            doc = self._changes[(table, key)]
        else:
            doc = self.view.take(table, key)
        if doc is None and create is not None:
            doc = create()
        if doc is not None:
            self._changes[(table, key)] = doc
        return doc

    def put(self, table: str, key: Any, doc: Doc) -> None:
        """Replace a row in this batch."""
        self._changes[(table, str(key))] = doc

    def delete(self, table: str, key: Any) -> None:
        """Remove a row in this batch."""
        self._changes[(table, str(key))] = None

    def flush(self, tracking: Tracking, recorded: str | None, cursor: Any) -> None:
        """Write this batch's rows with the position reached in the caller's transaction (`cursor`);
        the caller then calls `committed`, or `discard` when the transaction failed."""
        self.view.write(cursor, self._changes, tracking, recorded)

    def committed(self) -> None:
        """The caller's transaction holding this batch committed."""
        changes, self._changes = self._changes, {}
        self.view.committed(changes)

    def discard(self) -> None:
        """Forget the changes of a failed batch (and what the view remembers, which may be stale)."""
        self._changes = {}
        self.view.forget()


# -- the talent view keeps each position's standard, which a later event may revise ---------

SEAT = Table("seat")


def remember_seat(projection: DocumentProjection, e: Any) -> None:
    """Keep a position's title, unit, agency, type and standard from `Position.Established`."""
    projection.put(
        "seat",
        e.originator_id,
        plain(
            {
                "title": e.title,
                "unit": e.unit,
                "agency": e.agency,
                "position_type": e.position_type,
                "standard": e.standard,
            }
        ),
    )


def remembers_round_titles(process_event: Any) -> None:
    """Register on a view's `process_event` the handler that keeps each round's title and agency."""
    process_event.register(MutationRound.Opened)(
        lambda self, e, tracking: self.put("round", e.originator_id, {"title": e.title, "agency": e.agency})
    )
