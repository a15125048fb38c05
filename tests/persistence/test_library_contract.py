"""The contract between `application/persistence/` and the libraries under it: every private name,
attribute, hook, signature and behaviour of `eventsourcing` and `psycopg_pool` that our persistence
package relies on, each pinned here, so that an upgrade that changes one fails with a message saying
what changed and which of our modules depends on it.

What is pinned, by library:

- versions: the installed ones are within what pyproject.toml pins (eventsourcing, psycopg, psycopg-pool);
- signatures (`inspect.signature` parameter names and kinds) of what we call or override: `PINS`;
- eventsourcing's application: the construction hooks and their order, `save(**kwargs)` reaching
  `EventStore.put` (with `tracking=None`), `Repository.get(projector_func=...)`, `retry`, the error
  classes, the factories reading our environment and our recorder topic;
- the stores: SQLite's and memory's private insert hooks (`_insert_events`, `_assert_uniqueness`,
  `_update_table`) inside one transaction or lock; PostgreSQL's datastore (schema, lock timeout,
  originator id type, autocommit dict-row connections, error translation), the events table's name,
  columns, keys and NOTIFY channel, `sql_create_statements`, the EXCLUSIVE table lock; the tracking
  recorders' private `_insert_tracking` / `_max_tracking_id` in a caller's transaction, and their
  upsert that refuses a position that does not advance;
- psycopg_pool: the private methods `pools.py` overrides or calls, who calls whom, the idle deque's
  order, `AttemptWithBackoff`.
"""

from __future__ import annotations

import dataclasses
import inspect
import threading
import time
import tomllib
from collections import deque
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, requires, version
from pathlib import Path
from typing import Any, NamedTuple
from uuid import UUID

import psycopg
import psycopg_pool
import pytest
from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent, Repository
from eventsourcing.domain import Aggregate, CanMutateProtocol, event
from eventsourcing.persistence import (
    AggregateRecorder,
    DatabaseError,
    DataError,
    EventStore,
    InfrastructureFactory,
    IntegrityError,
    InterfaceError,
    Mapper,
    Notification,
    OperationalError,
    PersistenceError,
    ProgrammingError,
    Recording,
    StoredEvent,
    Tracking,
)
from eventsourcing.popo import POPOAggregateRecorder, POPOApplicationRecorder
from eventsourcing.postgres import ConnectionPool as LibraryPool
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresTrackingRecorder,
)
from eventsourcing.sqlite import (
    SQLiteAggregateRecorder,
    SQLiteApplicationRecorder,
    SQLiteDatastore,
    SQLiteRecorder,
    SQLiteTrackingRecorder,
)
from eventsourcing.utils import Environment, get_topic, resolve_topic, retry
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from psycopg import sql
from psycopg.pq import TransactionStatus
from psycopg_pool.base import AttemptWithBackoff

from application.base import _project
from application.persistence.connections import APPLICATION_NAME, postgres_conninfo, store_env
from application.persistence.event_store import MetadataEventStore, save_aggregates
from application.persistence.group_commit import GroupCommitRecorder
from application.persistence.keys import TABLE as KEYS_TABLE
from application.persistence.keys import KeyedPOPORecorder, KeyedSQLiteRecorder
from application.persistence.pools import PoolExhausted
from application.persistence.tracking import VIEW_TRACKING_TABLE, ViewTracking
from application.service import MutasiApplication
from application.settings import Settings
from domain.vocabulary import Rank
from tests import scenario
from tests.conftest import postgres_settings, require_postgres
from tests.persistence.support import (
    application,
    postgres_datastore,
    postgres_schema,
    sqlite_datastore,
    store_settings,
    stored,
)

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
PINNED_BY_PYPROJECT = ("eventsourcing", "psycopg", "psycopg-pool")  # whose internals application/persistence uses
POPO_ENV = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


# -- versions ----------------------------------------------------------------------------------------


def _pyproject_requirements() -> dict[str, Requirement]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    return {canonicalize_name(r.name): r for r in map(Requirement, project["dependencies"])}


def _extra_requirements(distribution: str, extra: str) -> list[Requirement]:
    """What `distribution[extra]` adds to its requirements."""
    added = []
    for text in requires(distribution) or []:
        requirement = Requirement(text)
        if requirement.marker is not None and "extra" in str(requirement.marker):
            if requirement.marker.evaluate({"extra": extra}):
                added.append(requirement)
    return added


def _outside(requirement: Requirement, via: str, seen: set[tuple[str, str]]) -> list[str]:
    """Where the installed distributions fall outside `requirement` (and the extras it names)."""
    name = canonicalize_name(requirement.name)
    try:
        installed = version(name)
    except PackageNotFoundError:
        return [f"{requirement} ({via}) is not installed"]
    problems = []
    if not requirement.specifier.contains(installed, prereleases=True):
        problems.append(f"{name} {installed} is installed, but {via} requires {requirement}")
    for extra in sorted(requirement.extras):
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        for added in _extra_requirements(name, extra):
            problems += _outside(added, f"{name}[{extra}]", seen)
    return problems


@pytest.mark.parametrize("distribution", PINNED_BY_PYPROJECT)
def test_installed_versions_are_within_what_pyproject_pins(distribution: str) -> None:
    requirement = _pyproject_requirements()[distribution]
    problems = _outside(requirement, "pyproject.toml", set())
    assert not problems, (
        "this suite, and application/persistence/ which uses the libraries' private names, were written for "
        f"{requirement}; run against another version: {'; '.join(problems)}. Check each pin below, then the pin."
    )


# -- signatures --------------------------------------------------------------------------------------


def shape(function: Callable[..., Any]) -> str:
    """The parameters of `function` as its callers see them: names in order, "*" before keyword-only
    ones, "*name" and "**" for the variadic ones (annotations and defaults left out)."""
    parts: list[str] = []
    star = False
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            parts.append(f"*{parameter.name}")
            star = True
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            parts.append("**")
        else:
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY and not star:
                parts.append("*")
                star = True
            parts.append(parameter.name)
    return ", ".join(parts)


class Pin(NamedTuple):
    owner: Any
    name: str
    shape: str
    users: str


PINS = [
    # eventsourcing.persistence
    Pin(AggregateRecorder, "insert_events", "self, stored_events, **", "event_store (put), group_commit, keys"),
    Pin(AggregateRecorder, "select_events", "self, originator_id, *, gt, lte, desc, limit", "base, group_commit"),
    Pin(EventStore, "__init__", "self, mapper, recorder", "base.construct_event_store (MetadataEventStore)"),
    Pin(EventStore, "put", "self, domain_events, **", "event_store (MetadataEventStore.put overrides it)"),
    Pin(EventStore, "get", "self, originator_id, *, gt, lte, desc, limit", "base (events.get)"),
    Pin(Mapper, "__init__", "self, transcoder, compressor, cipher", "mapper (PydanticMapper(transcoder=None))"),
    Pin(Mapper, "to_stored_event", "self, domain_event", "mapper (overrides it, adds metadata)"),
    Pin(Mapper, "to_domain_event", "self, stored_event", "mapper (overrides it)"),
    Pin(InfrastructureFactory, "construct", "env", "stores (InfrastructureFactory.construct(Environment(...)))"),
    Pin(Environment, "__init__", "self, name, env", "stores"),
    # eventsourcing.application
    Pin(Application, "__init__", "self, env", "base (super().__init__(env=...))"),
    Pin(Application, "_record", "self, processing_event", "event_store.save_aggregates (save's first step)"),
    Pin(Application, "_take_snapshots", "self, processing_event", "event_store.save_aggregates"),
    Pin(Application, "_notify", "self, recordings", "event_store.save_aggregates"),
    Pin(Application, "notify", "self, new_events", "event_store.save_aggregates (the deprecated hook)"),
    Pin(ProcessingEvent, "__init__", "self, tracking", "event_store.save_aggregates (ProcessingEvent())"),
    Pin(Application, "construct_factory", "self, env", "base (overrides it)"),
    Pin(Application, "construct_mapper", "self", "base (overrides it)"),
    Pin(Application, "construct_recorder", "self", "base (overrides it)"),
    Pin(Application, "construct_event_store", "self", "base (overrides it)"),
    Pin(Application, "save", "self, *objs, **", "base._recorded (save(..., metadata=, idempotency=))"),
    Pin(
        Repository,
        "get",
        "self, aggregate_id, *, version, projector_func, fastforward_skipping, deepcopy_from_cache",
        "base._load (repository.get(id, version=, projector_func=_project))",
    ),
    Pin(CanMutateProtocol, "mutate", "self, aggregate", "base._project (event.mutate(aggregate))"),
    # eventsourcing.utils
    Pin(retry, "__call__", "exc, max_attempts, wait, stall", "group_commit (@retry((InterfaceError, ...), ...))"),
    # eventsourcing.postgres
    Pin(PostgresDatastore, "transaction", "self, *, commit", "group_commit, event_log"),
    Pin(PostgresDatastore, "get_connection", "self", "group_commit, event_log"),
    Pin(PostgresApplicationRecorder, "__init__", "self, datastore, *, events_table_name", "group_commit"),
    Pin(PostgresApplicationRecorder, "insert_events", "self, stored_events, **", "group_commit (overrides it)"),
    Pin(
        PostgresAggregateRecorder,
        "select_events",
        "self, originator_id, *, gt, lte, desc, limit",
        "group_commit (overrides it)",
    ),
    Pin(PostgresTrackingRecorder, "__init__", "self, datastore, *, tracking_table_name, **", "tracking"),
    Pin(PostgresTrackingRecorder, "_insert_tracking", "self, curs, tracking", "tracking (ViewTracking.insert_in)"),
    Pin(
        PostgresTrackingRecorder,
        "_max_tracking_id",
        "self, application_name, curs",
        "tracking (ViewTracking.max_tracking_id_in)",
    ),
    Pin(PostgresTrackingRecorder, "max_tracking_id", "self, application_name", "tracking"),
    Pin(PostgresTrackingRecorder, "create_table", "self", "tracking"),
    # eventsourcing.sqlite
    Pin(SQLiteDatastore, "transaction", "self, *, commit", "keys (select_key), event_log"),
    Pin(SQLiteRecorder, "construct_create_table_statements", "self", "keys (KeyedSQLiteRecorder adds its table)"),
    Pin(SQLiteAggregateRecorder, "insert_events", "self, stored_events, **", "keys (KeyedSQLiteRecorder)"),
    Pin(SQLiteApplicationRecorder, "_insert_events", "self, c, stored_events, **", "keys (overrides it)"),
    Pin(SQLiteTrackingRecorder, "__init__", "self, datastore, **", "tracking"),
    Pin(SQLiteTrackingRecorder, "_insert_tracking", "self, c, tracking", "tracking (ViewTracking.insert_in)"),
    Pin(SQLiteTrackingRecorder, "_max_tracking_id", "self, application_name, c", "tracking"),
    # eventsourcing.popo
    Pin(POPOApplicationRecorder, "insert_events", "self, stored_events, **", "keys (KeyedPOPORecorder)"),
    Pin(POPOAggregateRecorder, "_insert_events", "self, stored_events, **", "keys (calls the two hooks below)"),
    Pin(POPOAggregateRecorder, "_assert_uniqueness", "self, stored_events, **", "keys (overrides it)"),
    Pin(POPOAggregateRecorder, "_update_table", "self, stored_events, **", "keys (overrides it)"),
    # psycopg_pool
    Pin(psycopg_pool.ConnectionPool, "getconn", "self, timeout", "pools (overrides it)"),
    Pin(psycopg_pool.ConnectionPool, "_get_ready_connection", "self, timeout", "pools (overrides it)"),
    Pin(psycopg_pool.ConnectionPool, "_getconn_with_check_loop", "self, deadline", "pools (replaces it)"),
    Pin(psycopg_pool.ConnectionPool, "_getconn_unchecked", "self, timeout", "pools (calls it)"),
    Pin(psycopg_pool.ConnectionPool, "_check_connection", "self, conn", "pools (overrides and calls it)"),
    Pin(psycopg_pool.ConnectionPool, "_putconn", "self, conn, from_getconn", "pools (calls it)"),
    Pin(psycopg_pool.ConnectionPool, "_return_connection", "self, conn, from_getconn", "pools (overrides it)"),
    Pin(psycopg_pool.ConnectionPool, "_add_connection", "self, attempt, growing", "pools (overrides it)"),
    Pin(psycopg_pool.ConnectionPool, "check_connection", "conn", "library datastore's pre-ping, pools"),
    Pin(AttemptWithBackoff, "__init__", "self, *, timeout", "pools (_BriefBackoff)"),
    Pin(AttemptWithBackoff, "update_delay", "self, now", "pools (_BriefBackoff overrides it)"),
    Pin(AttemptWithBackoff, "time_to_give_up", "self, now", "pools"),
]


@pytest.mark.parametrize("pin", PINS, ids=lambda pin: f"{getattr(pin.owner, '__name__', pin.owner)}.{pin.name}")
def test_signature(pin: Pin) -> None:
    owner_name = f"{pin.owner.__module__}.{pin.owner.__qualname__}"
    target = pin.owner if pin.name == "__call__" else getattr(pin.owner, pin.name, None)
    assert target is not None, f"{owner_name}.{pin.name} is gone; application/persistence/{pin.users} uses it"
    assert shape(target) == pin.shape, (
        f"{owner_name}.{pin.name}({shape(target)}) changed from ({pin.shape}); application/persistence/{pin.users}"
    )


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (GroupCommitRecorder.__init__, PostgresApplicationRecorder.__init__),
        (GroupCommitRecorder.insert_events, PostgresApplicationRecorder.insert_events),
        (GroupCommitRecorder.select_events, PostgresAggregateRecorder.select_events),
        (KeyedSQLiteRecorder.insert_events, SQLiteAggregateRecorder.insert_events),
        (KeyedSQLiteRecorder._insert_events, SQLiteApplicationRecorder._insert_events),
        (KeyedPOPORecorder.insert_events, POPOApplicationRecorder.insert_events),
        (KeyedPOPORecorder._assert_uniqueness, POPOAggregateRecorder._assert_uniqueness),
        (KeyedPOPORecorder._update_table, POPOAggregateRecorder._update_table),
        (MetadataEventStore.get, EventStore.get),
    ],
    ids=lambda f: f.__qualname__,
)
def test_our_overrides_take_what_the_library_passes(ours: Callable[..., Any], theirs: Callable[..., Any]) -> None:
    """The library calls our overrides as it calls its own (`EventStore.get` passes `originator_id=`
    by keyword, `_insert_events` passes the save's keyword arguments on)."""
    assert shape(ours) == shape(theirs), (
        f"{theirs.__qualname__}({shape(theirs)}) no longer matches our {ours.__module__}.{ours.__qualname__}"
        f"({shape(ours)})"
    )


@pytest.mark.parametrize(
    ("record", "fields", "users"),
    [
        (StoredEvent, ["originator_id", "originator_version", "topic", "state"], "mapper, group_commit, event_log"),
        (Notification, ["originator_id", "originator_version", "topic", "state", "id"], "event_store"),
        (Recording, ["domain_event", "notification"], "event_store (Recording(event, Notification(...)))"),
        (Tracking, ["application_name", "notification_id"], "tracking"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_record_fields(record: type, fields: list[str], users: str) -> None:
    actual = [field.name for field in dataclasses.fields(record)]
    assert actual == fields, f"{record.__qualname__} fields are now {actual}, not {fields}; used by {users}"


def test_error_classes_keep_their_hierarchy() -> None:
    """base._store_errors tells them apart in this order, and `retry((InterfaceError, OperationalError))`
    must not repeat a refused save (IntegrityError) nor a wait for the pool (PoolExhausted)."""
    for error in (IntegrityError, DataError, OperationalError, ProgrammingError):
        assert issubclass(error, DatabaseError) and issubclass(error, PersistenceError), error
    assert issubclass(InterfaceError, PersistenceError)
    assert not issubclass(IntegrityError, (OperationalError, InterfaceError, ProgrammingError))
    assert not issubclass(PoolExhausted, (OperationalError, InterfaceError))


def test_retry_repeats_only_the_errors_it_names() -> None:
    calls = {"lost": 0, "exhausted": 0}

    @retry((InterfaceError, OperationalError), max_attempts=3, wait=0)
    def lost() -> None:
        calls["lost"] += 1
        raise OperationalError("lost")

    @retry((InterfaceError, OperationalError), max_attempts=3, wait=0)
    def exhausted() -> None:
        calls["exhausted"] += 1
        raise PoolExhausted("none")

    with pytest.raises(OperationalError):
        lost()
    with pytest.raises(PoolExhausted):
        exhausted()
    assert calls == {"lost": 3, "exhausted": 1}, f"eventsourcing.utils.retry changed: {calls} (group_commit uses it)"


# -- the application -------------------------------------------------------------------------------


class Dog(Aggregate):
    @event("Registered")
    def __init__(self, name: str) -> None:
        self.name = name
        self.tricks: list[str] = []

    @event("TrickAdded")
    def add_trick(self, trick: str) -> None:
        self.tricks.append(trick)


class SpyEventStore(EventStore[UUID]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.puts: list[tuple[list[Any], dict[str, Any], list[Recording[UUID]]]] = []

    def put(self, domain_events: Any, **kwargs: Any) -> list[Recording[UUID]]:
        recordings = super().put(domain_events, **kwargs)
        self.puts.append((list(domain_events), kwargs, recordings))
        return recordings


class SpyApplication(Application[UUID]):
    def __init__(self, env: dict[str, str]) -> None:
        self.calls: list[tuple[str, bool, bool]] = []
        super().__init__(env=env)

    def _note(self, hook: str) -> None:
        self.calls.append((hook, hasattr(self, "mapper"), hasattr(self, "recorder")))

    def construct_factory(self, env: Environment) -> Any:
        self._note("construct_factory")
        return super().construct_factory(env)

    def construct_mapper(self) -> Any:
        self._note("construct_mapper")
        return super().construct_mapper()

    def construct_recorder(self) -> Any:
        self._note("construct_recorder")
        return super().construct_recorder()

    def construct_event_store(self) -> SpyEventStore:
        self._note("construct_event_store")
        return SpyEventStore(self.mapper, self.recorder)


def test_application_calls_the_construction_hooks_in_order() -> None:
    """base.MutasiBase overrides the four hooks; construct_event_store reads self.mapper and self.recorder."""
    app = SpyApplication(POPO_ENV)
    assert app.calls == [
        ("construct_factory", False, False),
        ("construct_mapper", False, False),
        ("construct_recorder", True, False),
        ("construct_event_store", True, True),
    ], f"Application.__init__ now calls its hooks as {app.calls} (application/base.py overrides them)"
    assert isinstance(app.events, SpyEventStore), "Application.events is no longer construct_event_store()'s"


def test_save_passes_its_keyword_arguments_to_event_store_put() -> None:
    """base._recorded calls save(*aggregates, metadata=..., idempotency=...): MetadataEventStore.put takes
    `metadata`, the rest goes on to the recorder. The library adds tracking=None to every save (which is
    why keys.save_options lets a None argument pass)."""
    app = SpyApplication(POPO_ENV)
    dog = Dog("Rex")
    dog.add_trick("sit")
    metadata, key = object(), object()
    recordings = app.save(dog, metadata=metadata, idempotency=key)
    assert isinstance(app.events, SpyEventStore)
    [(events, kwargs, put_recordings)] = app.events.puts
    assert [type(e).__name__ for e in events] == ["Registered", "TrickAdded"]
    assert kwargs == {"tracking": None, "metadata": metadata, "idempotency": key}, (
        f"Application.save(x, metadata=m, idempotency=k) now calls EventStore.put with {kwargs} "
        "(application/persistence/event_store.py and keys.py rely on metadata and idempotency arriving)"
    )
    assert recordings == put_recordings, "Application.save no longer returns what EventStore.put returned (base)"


def test_save_aggregates_does_what_the_librarys_save_does() -> None:
    """event_store.save_aggregates replays Application.save's steps without its runtime Protocol checks:
    the same events reach EventStore.put with the same keyword arguments, the same recordings come back,
    and the library's save still goes through exactly those private steps."""
    ours, theirs = SpyApplication(POPO_ENV), SpyApplication(POPO_ENV)
    metadata, key = object(), object()
    for app, save in (
        (ours, lambda d: save_aggregates(ours, [d], metadata=metadata, idempotency=key)),
        (theirs, lambda d: theirs.save(d, metadata=metadata, idempotency=key)),
    ):
        dog = Dog("Rex")
        dog.add_trick("sit")
        recordings = save(dog)
        assert isinstance(app.events, SpyEventStore)
        [(events, kwargs, put_recordings)] = app.events.puts
        assert [type(e).__name__ for e in events] == ["Registered", "TrickAdded"]
        assert kwargs == {"tracking": None, "metadata": metadata, "idempotency": key}
        assert recordings == put_recordings
    steps = [
        name
        for name in ("_record", "_take_snapshots", "_notify", "notify")
        if name in Application.save.__code__.co_names
    ]
    assert steps == ["_record", "_take_snapshots", "_notify", "notify"], (
        f"Application.save now calls {steps}: application/persistence/event_store.save_aggregates replays "
        "_record, _take_snapshots, _notify and notify in that order; make it do what save does now"
    )


def test_a_processing_event_passes_its_tracking_to_event_store_put() -> None:
    """The library's other way into put: a processing event's tracking record arrives as `tracking=`
    (the argument our application recorders refuse, see test_refused_save_options)."""
    app = SpyApplication(POPO_ENV)
    processing = ProcessingEvent[UUID](Tracking("upstream", 7))
    processing.collect_events(Dog("Rex"))
    app._record(processing)
    assert isinstance(app.events, SpyEventStore)
    assert app.events.puts[0][1] == {"tracking": Tracking("upstream", 7)}


def test_repository_get_hands_projector_func_the_initial_none_and_the_events() -> None:
    """base._load passes `_project` as projector_func: called (None, events) for the aggregate's events
    up to `version`; None from it means not found."""
    app = Application[UUID](env=POPO_ENV)
    dog = Dog("Rex")
    dog.add_trick("sit")
    dog.add_trick("stay")
    app.save(dog)
    seen: list[tuple[Any, list[int]]] = []

    def projector(aggregate: Any, events: Any) -> Any:
        events = list(events)
        seen.append((aggregate, [e.originator_version for e in events]))
        return _project(aggregate, events)

    at_two = app.repository.get(dog.id, version=2, projector_func=projector)
    assert seen == [(None, [1, 2])], f"Repository.get called its projector_func as {seen} (base._load)"
    assert isinstance(at_two, Dog) and at_two.tricks == ["sit"] and at_two.version == 2
    latest = app.repository.get(dog.id, projector_func=_project)
    assert latest.tricks == ["sit", "stay"] and latest.version == 3
    with pytest.raises(AggregateNotFoundError):
        app.repository.get(dog.id, projector_func=lambda aggregate, events: None)


def test_every_library_event_can_mutate() -> None:
    """base._project calls `event.mutate(aggregate)` without the library's isinstance check."""
    dog = Dog("Rex")
    dog.add_trick("sit")
    for domain_event in dog.collect_events():
        assert isinstance(domain_event, CanMutateProtocol), f"{type(domain_event)} no longer has mutate (base._project)"


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request: pytest.FixtureRequest) -> Iterator[MutasiApplication]:
    with store_settings(request.param) as settings, application(settings) as app:
        yield app


def test_a_command_reaches_our_recorder_with_its_key_and_without_metadata(app: MutasiApplication) -> None:
    """The whole path of a save: Application.save -> MetadataEventStore.put (takes metadata) ->
    our recorder's insert_events (idempotency, and the library's tracking=None)."""
    received: list[dict[str, Any]] = []
    insert_events = app.recorder.insert_events

    def spy(stored_events: Any, **kwargs: Any) -> Any:
        received.append(kwargs)
        return insert_events(stored_events, **kwargs)

    app.recorder.insert_events = spy  # type: ignore[method-assign]
    app.register_employee(scenario.OPERATOR, scenario.nip(1), "Siti", Rank.III_A)
    assert received == [{"tracking": None, "idempotency": None}], received


# -- the factories read our environment ------------------------------------------------------------


def test_postgres_factory_reads_our_environment() -> None:
    """connections.store_env names the library's environment keys; the factory builds its datastore from
    them (no connection is made here)."""
    settings = postgres_settings("contract_schema")
    env = Environment(APPLICATION_NAME, store_env(settings))
    factory = InfrastructureFactory.construct(env)
    try:
        datastore = factory.datastore  # type: ignore[attr-defined]
        assert isinstance(datastore, PostgresDatastore)
        assert datastore.schema == "contract_schema"
        assert datastore.lock_timeout == 5
        assert datastore.pre_ping is True
        assert datastore.originator_id_type == "uuid"
        assert datastore.pool.min_size == settings.postgres_pool_size
        assert datastore.pool.max_size == settings.postgres_pool_size + settings.postgres_max_overflow
        assert datastore.pool.timeout == settings.postgres_connect_timeout
        assert isinstance(datastore.pool, psycopg_pool.ConnectionPool), "pools.warm_first subclasses its class"
        assert datastore.pool._check is not None, "POSTGRES_PRE_PING no longer sets the pool's check"
        assert factory.env_create_table() is False  # type: ignore[attr-defined]
    finally:
        factory.close()


def test_sqlite_factory_reads_our_environment_and_recorder_topic(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, store="sqlite", sqlite_path=tmp_path / "events.sqlite3")
    env = store_env(settings, create_tables=True)
    env["APPLICATION_RECORDER_TOPIC"] = get_topic(KeyedSQLiteRecorder)
    factory = InfrastructureFactory.construct(Environment(APPLICATION_NAME, env))
    try:
        assert isinstance(factory.datastore, SQLiteDatastore)  # type: ignore[attr-defined]
        assert factory.datastore.pool.lock_timeout == 10  # type: ignore[attr-defined]
        recorder = factory.application_recorder()
        assert type(recorder) is KeyedSQLiteRecorder, "APPLICATION_RECORDER_TOPIC is no longer honoured"
        assert recorder.events_table_name == "stored_events"  # event_log reads it
    finally:
        factory.close()
    assert resolve_topic(get_topic(GroupCommitRecorder)) is GroupCommitRecorder


# -- SQLite ------------------------------------------------------------------------------------------


class FailingAfterInsert(SQLiteApplicationRecorder):
    """The library's recorder, its `_insert_events` hook failing after the events were inserted (as
    KeyedSQLiteRecorder's does when the key's insert is refused)."""

    seen: list[tuple[str, dict[str, Any], Any]]

    def _insert_events(self, c: Any, stored_events: Any, **kwargs: Any) -> Any:
        ids = super()._insert_events(c, stored_events, **kwargs)
        self.seen.append(("inserted", kwargs, ids))
        raise IntegrityError("refused after the insert")


def test_sqlite_insert_hook_runs_in_the_events_transaction(tmp_path: Path) -> None:
    """keys.KeyedSQLiteRecorder writes the key in `_insert_events`, trusting the library to call it with
    the save's keyword arguments inside the transaction that inserts the events."""
    datastore = sqlite_datastore(tmp_path / "events.sqlite3")
    try:
        recorder = FailingAfterInsert(datastore)
        recorder.seen = []
        recorder.create_table()
        event = stored()
        with pytest.raises(IntegrityError):
            recorder.insert_events([event], idempotency="the key")
        assert recorder.seen == [("inserted", {"idempotency": "the key"}, [1])], recorder.seen
        assert recorder.select_events(event.originator_id) == [], "the hook's error no longer rolls the events back"
    finally:
        datastore.close()


def test_sqlite_events_table(tmp_path: Path) -> None:
    """event_log reads the table by name, its rowid as the notification id, ids as 32 hex digits; keys adds
    its table to the recorder's create statements."""
    datastore = sqlite_datastore(tmp_path / "events.sqlite3")
    try:
        recorder = KeyedSQLiteRecorder(datastore)
        recorder.create_table()
        event = stored()
        ids = recorder.insert_events([event, stored(event.originator_id, 2)])
        with datastore.transaction(commit=False) as c:
            c.execute(f"PRAGMA table_info({recorder.events_table_name})")
            columns = [row["name"] for row in c.fetchall()]
            c.execute(f"SELECT rowid, originator_id, originator_version FROM {recorder.events_table_name}")
            rows = [tuple(row) for row in c.fetchall()]
            c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = {row[0] for row in c.fetchall()}
        assert recorder.events_table_name == "stored_events"
        assert columns == ["originator_id", "originator_version", "topic", "state"], columns
        assert rows == [(1, event.originator_id.hex, 1), (2, event.originator_id.hex, 2)], rows
        assert ids == [1, 2]
        assert KEYS_TABLE in tables, "construct_create_table_statements no longer feeds create_table"
    finally:
        datastore.close()


def test_sqlite_tracking_in_a_callers_transaction(tmp_path: Path) -> None:
    datastore = sqlite_datastore(tmp_path / "views.sqlite3")
    try:
        tracking = ViewTracking(datastore)
        tracking.create_table()
        assert isinstance(tracking.recorder, SQLiteTrackingRecorder)
        with datastore.transaction(commit=True) as c:
            c.execute("CREATE TABLE rows (n INTEGER)")
        _tracking_contract(tracking, datastore, "INSERT INTO rows VALUES (?)", "SELECT count(*) AS n FROM rows")
        with datastore.transaction(commit=False) as c:
            c.execute("PRAGMA table_info(tracking)")
            columns = [row["name"] for row in c.fetchall()]
        assert columns == ["application_name", "notification_id"], f"SQLite tracking table: {columns} (forget_in)"
    finally:
        datastore.close()


def _tracking_contract(tracking: ViewTracking, datastore: Any, insert_row: str, count_rows: str) -> None:
    """A position written in the caller's transaction commits and rolls back with the caller's rows; one
    that does not advance is refused (IntegrityError) and its rows roll back; a position is read in the
    caller's snapshot; `forget_in` deletes a name's positions."""
    with datastore.transaction(commit=True) as cursor:
        cursor.execute(insert_row, [1])
        tracking.insert_in(cursor, Tracking("view-v1", 5))
        assert tracking.max_tracking_id_in(cursor, "view-v1") == 5  # its own uncommitted write
    assert tracking.max_tracking_id("view-v1") == 5
    for position in (5, 4):
        with pytest.raises(IntegrityError), datastore.transaction(commit=True) as cursor:
            cursor.execute(insert_row, [2])
            tracking.insert_in(cursor, Tracking("view-v1", position))
    with datastore.transaction(commit=False) as cursor:
        cursor.execute(count_rows)
        assert cursor.fetchone()["n"] == 1, "the rows of a batch whose position was refused were committed"
        assert tracking.max_tracking_id_in(cursor, "view-v1") == 5
    with datastore.transaction(commit=True) as cursor:
        tracking.insert_in(cursor, Tracking("view-v1", 6))
        tracking.forget_in(cursor, "view-v1")
    assert tracking.max_tracking_id("view-v1") is None


# -- memory ------------------------------------------------------------------------------------------


def held_elsewhere(lock: Any) -> bool:
    """Whether `lock` is held (by this thread): another thread cannot take it."""
    taken: list[bool] = []

    def try_it() -> None:
        taken.append(lock.acquire(blocking=False))
        if taken[0]:
            lock.release()

    thread = threading.Thread(target=try_it)
    thread.start()
    thread.join()
    return not taken[0]


class HookSpy(POPOApplicationRecorder):
    """The library's in-memory recorder, noting how its two hooks are called."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, dict[str, Any], bool]] = []
        self.refuse = False

    def _assert_uniqueness(self, stored_events: Any, **kwargs: Any) -> None:
        self.calls.append(("_assert_uniqueness", kwargs, held_elsewhere(self._database_lock)))
        super()._assert_uniqueness(stored_events, **kwargs)
        if self.refuse:
            raise IntegrityError("refused")

    def _update_table(self, stored_events: Any, **kwargs: Any) -> Any:
        self.calls.append(("_update_table", kwargs, held_elsewhere(self._database_lock)))
        return super()._update_table(stored_events, **kwargs)


def test_popo_hooks_run_under_the_lock_with_the_saves_keyword_arguments() -> None:
    """keys.KeyedPOPORecorder checks the key in `_assert_uniqueness` and writes it in `_update_table`."""
    recorder = HookSpy()
    event = stored()
    assert recorder.insert_events([event], idempotency="k") == [1]
    assert recorder.calls == [
        ("_assert_uniqueness", {"idempotency": "k"}, True),
        ("_update_table", {"idempotency": "k"}, True),
    ], f"POPOApplicationRecorder.insert_events now calls {recorder.calls} (keys.KeyedPOPORecorder)"
    recorder.refuse = True
    with pytest.raises(IntegrityError):
        recorder.insert_events([stored()])
    assert recorder.max_notification_id() == 1, "a refusal in _assert_uniqueness no longer stops the insert"
    with recorder._database_lock, recorder._database_lock:  # reentrant: keys.select_key takes it too
        pass


# -- PostgreSQL --------------------------------------------------------------------------------------


@pytest.fixture
def pg_settings() -> Iterator[Settings]:
    with postgres_schema() as settings:
        yield settings


@pytest.fixture
def pg_app(pg_settings: Settings) -> Iterator[MutasiApplication]:
    with application(pg_settings) as app:
        yield app


@pytest.mark.postgres
def test_postgres_datastore_as_we_use_it(pg_settings: Settings, pg_app: MutasiApplication) -> None:
    recorder = pg_app.recorder
    assert isinstance(recorder, GroupCommitRecorder)
    datastore = recorder.datastore
    assert datastore.schema == pg_settings.postgres_schema
    assert datastore.lock_timeout == 5  # group_commit's SET LOCAL lock_timeout
    assert datastore.originator_id_type == "uuid"  # group_commit's COPY types
    pool_class = type(datastore.pool)
    assert pool_class.__name__.startswith("WarmFirst") and pool_class.__mro__[1] is LibraryPool, (
        f"the datastore's pool is a {pool_class.__mro__}: pools.warm_first swaps the class of the library's pool"
    )
    with datastore.get_connection() as conn:
        assert conn.autocommit, "the library's connections are no longer autocommit (group_commit's BEGIN)"
        assert conn.execute("SELECT 1 AS one").fetchone() == {"one": 1}, "rows are no longer dicts (event_log)"
    table = sql.Identifier(datastore.schema, "scratch")
    with datastore.transaction(commit=True) as cursor:
        cursor.execute(sql.SQL("CREATE TABLE {} (n int)").format(table))
        cursor.execute(sql.SQL("INSERT INTO {} VALUES (1)").format(table))
    with datastore.transaction(commit=False) as cursor:
        cursor.execute(sql.SQL("INSERT INTO {} VALUES (2)").format(table))
    with datastore.transaction(commit=False) as cursor:
        cursor.execute(sql.SQL("SELECT count(*) AS n FROM {}").format(table))
        assert cursor.fetchone()["n"] == 1, "transaction(commit=False) no longer rolls back"


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("raised", "translated"),
    [
        (psycopg.errors.UniqueViolation, IntegrityError),
        (psycopg.DataError, DataError),
        (psycopg.OperationalError, OperationalError),
        (psycopg.ProgrammingError, ProgrammingError),
        (psycopg.InterfaceError, InterfaceError),
    ],
)
def test_postgres_get_connection_translates_errors(pg_app: MutasiApplication, raised: type, translated: type) -> None:
    """group_commit raises psycopg's errors inside `get_connection` (refused saves, lost connections) and
    relies on the library to translate them as the connection is given back; base._store_errors and the
    retries then see the library's classes."""
    datastore = pg_app.recorder.datastore  # type: ignore[attr-defined]
    with pytest.raises(translated) as caught, datastore.get_connection():
        raise raised("from psycopg")
    assert isinstance(caught.value.__cause__, raised)


@pytest.mark.postgres
def test_postgres_events_table(pg_settings: Settings, pg_app: MutasiApplication) -> None:
    """group_commit and event_log write and read the table themselves: its name, columns, keys, sequence."""
    recorder = pg_app.recorder
    assert isinstance(recorder, GroupCommitRecorder)
    schema = pg_settings.postgres_schema
    assert recorder.events_table_name == f"{APPLICATION_NAME.lower()}_events"
    assert recorder.channel_name == recorder.events_table_name, "the NOTIFY channel is no longer the table's name"
    with psycopg.connect(postgres_conninfo(pg_settings)) as conn:
        columns = conn.execute(
            "SELECT column_name, data_type, column_default FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            (schema, recorder.events_table_name),
        ).fetchall()
        keys = conn.execute(
            "SELECT i.indisprimary, i.indisunique, array_agg(a.attname ORDER BY k.n) FROM pg_index i "
            "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace s ON s.oid = t.relnamespace "
            "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
            "WHERE s.nspname = %s AND t.relname = %s GROUP BY i.indexrelid, i.indisprimary, i.indisunique",
            (schema, recorder.events_table_name),
        ).fetchall()
        key_table = conn.execute("SELECT to_regclass(%s)", (f'"{schema}"."{KEYS_TABLE}"',)).fetchone()
    assert [(name, kind) for name, kind, _ in columns] == [
        ("originator_id", "uuid"),
        ("originator_version", "bigint"),
        ("topic", "text"),
        ("state", "bytea"),
        ("notification_id", "bigint"),
    ], f"the events table's columns changed: {columns} (group_commit, event_log)"
    assert str(columns[4][2]).startswith("nextval("), "notification_id is no longer a serial"
    assert sorted(keys) == [(False, True, ["notification_id"]), (True, True, ["originator_id", "originator_version"])]
    assert key_table is not None and key_table[0] is not None, "sql_create_statements no longer feeds create_table"


@pytest.mark.postgres
def test_postgres_recorder_attributes_group_commit_builds_on(pg_app: MutasiApplication) -> None:
    recorder = pg_app.recorder
    assert isinstance(recorder, GroupCommitRecorder)
    assert isinstance(recorder.sql_create_statements, list)
    locks = [statement.as_string() for statement in recorder.lock_table_statements]  # type: ignore[union-attr]
    assert any("lock_timeout" in text for text in locks) and any("IN EXCLUSIVE MODE" in text for text in locks), (
        f"the library's insert now locks the table with {locks}; group_commit takes EXCLUSIVE mode like it did"
    )


@pytest.mark.postgres
def test_postgres_tracking_in_a_callers_transaction(pg_settings: Settings) -> None:
    datastore = postgres_datastore(pg_settings, pool_size=1, lock_timeout=5)
    try:
        assert datastore.single_row_tracking, "single-row tracking (the upsert ViewTracking relies on) is off"
        tracking = ViewTracking(datastore)
        tracking.create_table()
        recorder = tracking.recorder
        assert isinstance(recorder, PostgresTrackingRecorder)
        assert recorder.tracking_table_name == VIEW_TRACKING_TABLE
        rows = sql.Identifier(datastore.schema, "rows")
        with datastore.transaction(commit=True) as cursor:
            cursor.execute(sql.SQL("CREATE TABLE {} (n int)").format(rows))
        _tracking_contract(
            tracking,
            datastore,
            sql.SQL("INSERT INTO {} VALUES (%s)").format(rows).as_string(),
            sql.SQL("SELECT count(*) AS n FROM {}").format(rows).as_string(),
        )
        with datastore.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                "ORDER BY ordinal_position",
                (datastore.schema, VIEW_TRACKING_TABLE),
            )
            columns = [row["column_name"] for row in cursor.fetchall()]
        assert columns == ["application_name", "notification_id"], f"tracking table: {columns} (forget_in)"
    finally:
        datastore.close()


# -- psycopg_pool ------------------------------------------------------------------------------------


class CallSpyPool(psycopg_pool.ConnectionPool[Any]):
    """psycopg_pool's own pool, noting which private methods run, with which arguments."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.calls: list[tuple[Any, ...]] = []
        super().__init__(*args, **kwargs)

    def _getconn_with_check_loop(self, deadline: float) -> Any:
        self.calls.append(("_getconn_with_check_loop",))
        return super()._getconn_with_check_loop(deadline)

    def _getconn_unchecked(self, timeout: float) -> Any:
        self.calls.append(("_getconn_unchecked",))
        return super()._getconn_unchecked(timeout)

    def _get_ready_connection(self, timeout: float | None) -> Any:
        self.calls.append(("_get_ready_connection", held_elsewhere(self._lock)))
        return super()._get_ready_connection(timeout)

    def _check_connection(self, conn: Any) -> None:
        self.calls.append(("_check_connection",))
        super()._check_connection(conn)

    def _putconn(self, conn: Any, from_getconn: bool) -> None:
        self.calls.append(("_putconn", from_getconn))
        super()._putconn(conn, from_getconn)

    def _return_connection(self, conn: Any, from_getconn: bool) -> None:
        self.calls.append(("_return_connection", from_getconn))
        super()._return_connection(conn, from_getconn)

    def _add_connection(self, attempt: AttemptWithBackoff | None, growing: bool = False) -> None:
        self.calls.append(("_add_connection", attempt, growing))
        super()._add_connection(attempt, growing=growing)


@pytest.fixture
def pool_conninfo() -> str:
    settings = postgres_settings("public")
    require_postgres(settings)
    return postgres_conninfo(settings)


@pytest.mark.postgres
def test_psycopg_pool_private_calls_pools_overrides(pool_conninfo: str) -> None:
    """pools.py overrides `_get_ready_connection` (called under the pool's lock), replaces
    `_getconn_with_check_loop` (which calls `_getconn_unchecked` and `_check_connection`), and overrides
    `_return_connection` (reached from `putconn` through `_putconn`) and `_add_connection` (called by
    the pool's workers with an attempt, or None, and `growing=`)."""
    checked: list[Any] = []
    pool = CallSpyPool(pool_conninfo, min_size=1, max_size=1, open=False, check=checked.append, timeout=5)
    with pool:
        pool.wait(5)
        assert ("_add_connection", None, False) in pool.calls, f"the workers add connections as {pool.calls}"
        pool.calls.clear()
        conn = pool.getconn()
        assert pool.calls == [
            ("_getconn_with_check_loop",),
            ("_getconn_unchecked",),
            ("_get_ready_connection", True),
            ("_check_connection",),
        ], f"getconn now runs {pool.calls} (application/persistence/pools.py)"
        assert checked == [conn], "`_check_connection` no longer calls the pool's check"
        assert conn.pgconn.transaction_status == TransactionStatus.IDLE  # pools._return_connection reads it
        conn._given_back_at = time.monotonic()  # pools._return_connection stamps each connection
        pool.calls.clear()
        pool.putconn(conn)
        assert pool.calls == [("_putconn", False), ("_return_connection", False)], pool.calls
        assert {"timeout", "name", "reconnect_timeout"} <= set(vars(pool)), "pools reads these pool attributes"


@pytest.mark.postgres
def test_psycopg_pool_hands_out_its_idle_deque_from_the_left(pool_conninfo: str) -> None:
    """pools._get_ready_connection rotates `_pool` by one so that the connection given back last (appended
    on the right) is the one psycopg_pool takes (from the left)."""
    with psycopg_pool.ConnectionPool(pool_conninfo, min_size=2, max_size=2, timeout=5) as pool:
        pool.wait(5)
        first, second = pool.getconn(), pool.getconn()
        pool.putconn(first)
        pool.putconn(second)
        assert isinstance(pool._pool, deque), "the idle connections are no longer a deque (pools rotates it)"
        assert list(pool._pool) == [first, second], "a connection given back is no longer appended on the right"
        again = pool.getconn()
        assert again is first, "psycopg_pool no longer hands out the connection idle longest (from the left)"
        pool.putconn(again)


def test_attempt_with_backoff_as_brief_backoff_uses_it() -> None:
    class Brief(AttemptWithBackoff):
        INITIAL_DELAY = 0.05

    attempt = Brief(timeout=10.0)
    assert attempt.delay == 0.0
    attempt.update_delay(100.0)
    assert 0.04 <= attempt.delay <= 0.06, "AttemptWithBackoff no longer starts at INITIAL_DELAY (pools._BriefBackoff)"
    first = attempt.delay
    attempt.update_delay(100.1)
    assert attempt.delay == pytest.approx(first * AttemptWithBackoff.DELAY_BACKOFF)
    assert not attempt.time_to_give_up(105.0) and attempt.time_to_give_up(110.0)
    assert psycopg_pool.PoolTimeout is not None
