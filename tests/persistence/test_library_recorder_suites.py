"""The eventsourcing library's own recorder test cases (`eventsourcing.tests.persistence`), run against
OUR recorders: the application recorder each store saves through (`GroupCommitRecorder` on
PostgreSQL, `KeyedSQLiteRecorder` on SQLite, `KeyedPOPORecorder` in memory) and the views' tracking
recorder (`ViewTracking`), so that whatever the library promises of its recorders, ours keep.

Each class names the library case it runs and implements its `create_recorder` hook; the store is
fresh for every test (a new PostgreSQL schema, a new SQLite file, a new memory recorder). Where our
recorder deliberately differs from what a library case expects, that case is skipped with the
reason. (`eventsourcing.tests.postgres_utils`, the library's own PostgreSQL set-up, does not import
in 9.5.6: it needs the library repository's `examples` package. `tests.persistence.support` makes
the schemas instead.)
"""

from __future__ import annotations

import tempfile
import threading
import unittest
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any, ClassVar
from unittest import mock
from uuid import UUID

import pytest
from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    ProcessRecorder,
    StoredEvent,
    Tracking,
    TrackingRecorder,
)
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresFactory,
    PostgresProcessRecorder,
    PostgresTrackingRecorder,
)
from eventsourcing.sqlite import SQLiteAggregateRecorder, SQLiteFactory, SQLiteProcessRecorder, SQLiteTrackingRecorder
from eventsourcing.utils import Environment

from application.persistence import group_commit
from application.persistence.group_commit import LARGE_SAVE, GroupCommitRecorder
from application.persistence.keys import KeyedPOPORecorder, KeyedSQLiteRecorder
from application.persistence.tracking import ViewTracking
from tests.persistence.support import (
    application,
    library_test_cases,
    our_recorder,
    postgres_datastore,
    postgres_schema,
    sqlite_datastore,
    store_settings,
)

library = library_test_cases()  # its cases by module: pytest would collect (abstract) bare names

NO_CIPHER = (
    "needs eventsourcing.cipher.AESCipher, i.e. pycryptodome (the library's `crypto` extra), which Mutasi does "
    "not install: our PydanticMapper is built by MutasiBase.construct_mapper without the factory's cipher"
)
NOT_A_PROCESS_RECORDER = (
    "our application recorders are not process recorders: they write no tracking records and refuse a "
    "`tracking=` argument (application.persistence.keys.save_options) instead of dropping it; the views "
    "keep their positions in their own database (application.persistence.tracking.ViewTracking)"
)


# -- the hooks -------------------------------------------------------------------------------------


def join_threads_started_since(before: set[threading.Thread]) -> None:
    """Wait for the threads a library case started and left running before its store is closed:
    `test_concurrent_no_conflicts` sets its readers' stop flag but does not join them, and a reader
    still querying a SQLite connection that the cleanup closes crashes the interpreter (segfault).
    Daemon threads (psycopg_pool's workers) end with their pool and are not waited for."""
    for thread in set(threading.enumerate()) - before:
        if not thread.daemon and thread is not threading.current_thread():
            thread.join(timeout=30)
            assert not thread.is_alive(), f"{thread.name} still runs 30 s after its test"


class HookMixin:
    """Base of the mixins below, which go before a library case: not a TestCase itself, so that pytest
    collects only the concrete classes (each a mixin and a library case)."""

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]

    def addCleanup(self, function: Any, /, *args: Any, **kwargs: Any) -> None:
        super().addCleanup(function, *args, **kwargs)  # type: ignore[misc]


class OurApplicationRecorder(HookMixin):
    """`create_recorder()`: the application's own recorder on a fresh store of kind `store`."""

    store: ClassVar[str]
    recorder_class: ClassVar[type[ApplicationRecorder]]

    def setUp(self) -> None:
        super().setUp()
        stack = ExitStack()
        self.addCleanup(stack.close)
        self.recorder = stack.enter_context(our_recorder(self.store))
        assert type(self.recorder) is self.recorder_class, f"the application saves through {type(self.recorder)}"
        self.addCleanup(join_threads_started_since, set(threading.enumerate()))  # cleanups run last in, first out

    def create_recorder(self) -> Any:
        return self.recorder


class AggregateView(AggregateRecorder):
    """Our application recorder through the `AggregateRecorder` interface, for the library's
    `AggregateRecorderTestCase` (which the library runs on its aggregate recorders only): an aggregate
    recorder's `insert_events` returns None, an application recorder's returns the notification ids.
    This view checks there is one id per event, then returns None; everything else is our recorder's."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self.recorder = recorder

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = self.recorder.insert_events(stored_events, **kwargs)
        if ids is None or len(ids) != len(stored_events):
            raise AssertionError(f"{len(stored_events)} events were recorded with notification ids {ids!r}")
        return None

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        return self.recorder.select_events(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)


class OurAggregateView(OurApplicationRecorder):
    def create_recorder(self) -> Any:
        return AggregateView(self.recorder)


class EverySaveByCopy(HookMixin):
    """GroupCommitRecorder with `LARGE_SAVE` at 0: every save goes the COPY path that saves of more
    than LARGE_SAVE events take, so the library's cases hold that path to the same contract."""

    def setUp(self) -> None:
        patcher = mock.patch.object(group_commit, "LARGE_SAVE", 0)
        patcher.start()
        self.addCleanup(patcher.stop)
        super().setUp()


class InTransaction(TrackingRecorder):
    """`ViewTracking` as the views use it: each position written (`insert_in`) and read
    (`max_tracking_id_in`) inside a transaction of the views' datastore, through the library
    recorder's private `_insert_tracking` and `_max_tracking_id`."""

    def __init__(self, tracking: ViewTracking, datastore: Any) -> None:
        self.tracking = tracking
        self.datastore = datastore

    def insert_tracking(self, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            self.tracking.insert_in(cursor, tracking)

    def max_tracking_id(self, application_name: str) -> int | None:
        with self.datastore.transaction(commit=False) as cursor:
            return self.tracking.max_tracking_id_in(cursor, application_name)


class OurViewTracking(HookMixin):
    """`create_recorder()`: the recorder of `ViewTracking` on a fresh views' database of kind `store`;
    with `in_transaction`, ViewTracking's own in-transaction methods (`InTransaction`)."""

    store: ClassVar[str]
    in_transaction: ClassVar[bool] = False

    def setUp(self) -> None:
        super().setUp()
        stack = ExitStack()
        self.addCleanup(stack.close)
        if self.store == "postgres":
            settings = stack.enter_context(postgres_schema())
            datastore: Any = postgres_datastore(settings, pool_size=2, lock_timeout=5, pre_ping=True)
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="mutasi-views-"))
            datastore = sqlite_datastore(Path(folder) / "views.sqlite3")
        stack.callback(datastore.close)
        self.tracking = ViewTracking(datastore)
        self.tracking.create_table()
        self.datastore = datastore

    def create_recorder(self) -> TrackingRecorder:
        if self.in_transaction:
            return InTransaction(self.tracking, self.datastore)
        return self.tracking.recorder


class OurFactory(HookMixin):
    """The library's infrastructure factory as the application configures it: `self.env` is the
    environment the application on a fresh store of kind `store` was built with (its recorder topic,
    its database, its pool), so the factory must make our application recorder class."""

    store: ClassVar[str]
    env: Environment

    def setUp(self) -> None:
        stack = ExitStack()
        self.addCleanup(stack.close)
        settings = stack.enter_context(store_settings(self.store))
        with application(settings) as app:
            self.env = Environment(app.env.name, dict(app.env))
        super().setUp()

    @unittest.skip(NO_CIPHER)
    def test_mapper_with_cipher(self) -> None:
        pass

    @unittest.skip(NO_CIPHER)
    def test_mapper_with_cipher_and_compressor(self) -> None:
        pass

    @unittest.skip(NO_CIPHER)
    def test_mapper_with_wrong_cipher_key(self) -> None:
        pass


class SQLiteTrackingRecorderSubclass(SQLiteTrackingRecorder):
    pass


class PostgresTrackingRecorderSubclass(PostgresTrackingRecorder):
    pass


# -- in memory: KeyedPOPORecorder ------------------------------------------------------------------


class InMemory:
    store = "memory"
    recorder_class = KeyedPOPORecorder


class TestKeyedPOPORecorderAsAggregateRecorder(InMemory, OurAggregateView, library.AggregateRecorderTestCase):
    pass


class TestKeyedPOPORecorder(InMemory, OurApplicationRecorder, library.ApplicationRecorderTestCase):
    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()  # the library runs it on its own POPO recorder


class TestKeyedPOPORecorderNonInterleaving(
    InMemory, OurApplicationRecorder, library.NonInterleavingNotificationIDsBaseCase
):
    pass


@unittest.skip(NOT_A_PROCESS_RECORDER)
class TestKeyedPOPORecorderAsProcessRecorder(InMemory, OurApplicationRecorder, library.ProcessRecorderTestCase):
    pass


# -- SQLite: KeyedSQLiteRecorder and the views' SQLiteTrackingRecorder -------------------------------
# (no `optional_test_insert_subscribe`: the library's SQLite recorder has no subscriptions, and its
# own suite asserts that `subscribe` raises NotImplementedError)


class OnSQLite:
    store = "sqlite"
    recorder_class = KeyedSQLiteRecorder


class TestKeyedSQLiteRecorderAsAggregateRecorder(OnSQLite, OurAggregateView, library.AggregateRecorderTestCase):
    pass


class TestKeyedSQLiteRecorder(OnSQLite, OurApplicationRecorder, library.ApplicationRecorderTestCase):
    pass


class TestKeyedSQLiteRecorderNonInterleaving(
    OnSQLite, OurApplicationRecorder, library.NonInterleavingNotificationIDsBaseCase
):
    pass


@unittest.skip(NOT_A_PROCESS_RECORDER)
class TestKeyedSQLiteRecorderAsProcessRecorder(OnSQLite, OurApplicationRecorder, library.ProcessRecorderTestCase):
    pass


class TestSQLiteFactoryWithOurEnvironment(OurFactory, library.InfrastructureFactoryTestCase[SQLiteFactory]):
    store = "sqlite"

    def expected_factory_class(self) -> type[SQLiteFactory]:
        return SQLiteFactory

    def expected_aggregate_recorder_class(self) -> type[AggregateRecorder]:
        return SQLiteAggregateRecorder

    def expected_application_recorder_class(self) -> type[ApplicationRecorder]:
        return KeyedSQLiteRecorder

    def expected_tracking_recorder_class(self) -> type[TrackingRecorder]:
        return SQLiteTrackingRecorder

    def tracking_recorder_subclass(self) -> type[TrackingRecorder]:
        return SQLiteTrackingRecorderSubclass

    def expected_process_recorder_class(self) -> type[ProcessRecorder]:
        return SQLiteProcessRecorder


class TestViewTrackingOnSQLite(OurViewTracking, library.TrackingRecorderTestCase):
    store = "sqlite"


class TestViewTrackingInTransactionOnSQLite(OurViewTracking, library.TrackingRecorderTestCase):
    store = "sqlite"
    in_transaction = True


# -- PostgreSQL: GroupCommitRecorder and the views' PostgresTrackingRecorder ------------------------


class OnPostgres:
    store = "postgres"
    recorder_class = GroupCommitRecorder


@pytest.mark.postgres
class TestGroupCommitRecorderAsAggregateRecorder(OnPostgres, OurAggregateView, library.AggregateRecorderTestCase):
    pass


@pytest.mark.postgres
class TestGroupCommitRecorder(OnPostgres, OurApplicationRecorder, library.ApplicationRecorderTestCase):
    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()  # our NOTIFY reaches the library's LISTEN (its channel_name)


@pytest.mark.postgres
class TestGroupCommitRecorderNonInterleaving(
    OnPostgres, OurApplicationRecorder, library.NonInterleavingNotificationIDsBaseCase
):
    """Two saves of 1000 events each, racing: grouped saves (at most LARGE_SAVE events each)."""

    insert_num = min(1000, LARGE_SAVE)


@pytest.mark.postgres
class TestGroupCommitRecorderNonInterleavingByCopy(
    OnPostgres, OurApplicationRecorder, library.NonInterleavingNotificationIDsBaseCase
):
    """Two saves of LARGE_SAVE + 1 events each, racing: both go the COPY path."""

    insert_num = LARGE_SAVE + 1


@pytest.mark.postgres
class TestGroupCommitRecorderEverySaveByCopyAsAggregateRecorder(
    EverySaveByCopy, OnPostgres, OurAggregateView, library.AggregateRecorderTestCase
):
    pass


@pytest.mark.postgres
class TestGroupCommitRecorderEverySaveByCopy(
    EverySaveByCopy, OnPostgres, OurApplicationRecorder, library.ApplicationRecorderTestCase
):
    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()


@pytest.mark.postgres
@unittest.skip(NOT_A_PROCESS_RECORDER)
class TestGroupCommitRecorderAsProcessRecorder(OnPostgres, OurApplicationRecorder, library.ProcessRecorderTestCase):
    pass


@pytest.mark.postgres
class TestPostgresFactoryWithOurEnvironment(OurFactory, library.InfrastructureFactoryTestCase[PostgresFactory]):
    store = "postgres"

    def expected_factory_class(self) -> type[PostgresFactory]:
        return PostgresFactory

    def expected_aggregate_recorder_class(self) -> type[AggregateRecorder]:
        return PostgresAggregateRecorder

    def expected_application_recorder_class(self) -> type[ApplicationRecorder]:
        return GroupCommitRecorder

    def expected_tracking_recorder_class(self) -> type[TrackingRecorder]:
        return PostgresTrackingRecorder

    def tracking_recorder_subclass(self) -> type[TrackingRecorder]:
        return PostgresTrackingRecorderSubclass

    def expected_process_recorder_class(self) -> type[ProcessRecorder]:
        return PostgresProcessRecorder


@pytest.mark.postgres
class TestViewTrackingOnPostgres(OurViewTracking, library.TrackingRecorderTestCase):
    store = "postgres"


@pytest.mark.postgres
class TestViewTrackingInTransactionOnPostgres(OurViewTracking, library.TrackingRecorderTestCase):
    store = "postgres"
    in_transaction = True
