"""The plumbing every use case shares: load with expected version, save with metadata, translate errors."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    ApplicationRecorder,
    InfrastructureFactory,
    IntegrityError,
    OperationalError,
    PersistenceError,
    ProgrammingError,
)
from eventsourcing.utils import Environment

from application.context import Actor, Recorded
from application.errors import (
    ConcurrentChange,
    DeadlinePassed,
    NotFoundError,
    StoreNotReady,
    StoreUnavailable,
    VersionMismatch,
)
from application.idempotency import Answered, current_call, key_record, replayed
from application.persistence.chain import GENESIS, HashChain, chain_of
from application.persistence.connections import APPLICATION_NAME
from application.persistence.event_store import MetadataEventStore, save_aggregates
from application.persistence.group_commit import GroupCommitRecorder
from application.persistence.keys import BULK_KWARG, SAVE_KWARG, KeyedPOPORecorder, KeyedSQLiteRecorder
from application.persistence.mapper import EventMetadata, PydanticMapper
from application.persistence.stores import Stores
from application.settings import Settings
from domain.policy import RulePolicy

A = TypeVar("A", bound=Aggregate)


class MutasiBase(Application[UUID]):
    """Shared infrastructure of the Mutasi application (see `MutasiApplication`)."""

    name = APPLICATION_NAME
    mapper: PydanticMapper  # what `construct_mapper` makes

    def __init__(
        self,
        stores: Stores | Settings,
        *,
        create_tables: bool = False,
        clock: Callable[[], date] = date.today,
    ) -> None:
        """The application on `stores`, shared with whoever else holds them (the service's read side,
        its audit routes); given `Settings` instead, it opens stores of its own and closes them with
        itself (a command-line run, a test). `create_tables` only with `Settings` (`db init`)."""
        if isinstance(stores, Settings):
            stores, self._own_stores = Stores(stores, create_tables=create_tables), True
        elif create_tables:
            raise ValueError("create_tables needs the application to open its own stores (pass Settings)")
        else:
            self._own_stores = False
        self.stores = stores
        self.settings = stores.settings
        self.policy: RulePolicy = self.settings.rules.policy()
        self.today = clock
        super().__init__(env=stores.event_env())

    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        """The stores' factory: every application on the same stores shares its pool."""
        return self.stores.event_factory()

    def construct_recorder(self) -> ApplicationRecorder:
        """The stores' recorder (`application.persistence.stores`): one per process, so that
        concurrent saves commit together; it keeps idempotency keys with the events."""
        return self.stores.event_recorder()

    def close(self) -> None:
        """Stop; close the stores too when they are this application's own."""
        self.closing.set()
        if self._own_stores:
            self.stores.close()

    def construct_mapper(self) -> PydanticMapper:
        """Events are stored as canonical JSON through pydantic (see `application.persistence.mapper`)."""
        return PydanticMapper(transcoder=None, chain=HashChain(self._stored_hash))

    def construct_event_store(self) -> MetadataEventStore:
        """Every save names its metadata (see `application.persistence.event_store`)."""
        return MetadataEventStore(self.mapper, self.recorder)

    def _stored_hash(self, aggregate_id: UUID, version: int) -> str | None:
        """The chain hash of one stored event (an indexed read); GENESIS for a legacy unchained one."""
        stored = self.recorder.select_events(aggregate_id, gt=version - 1, lte=version)
        if not stored:
            return None
        link = chain_of(self.mapper.stored_state(stored[0]))
        return link[1] if link else GENESIS

    # -- loading -----------------------------------------------------------------

    def _load(
        self,
        cls: type[A],
        aggregate_id: UUID,
        missing: type[NotFoundError],
        expected_version: int | None = None,
        version: int | None = None,
    ) -> A:
        with self._store_errors():
            try:
                aggregate: Aggregate = self.repository.get(aggregate_id, version=version, projector_func=_project)
            except AggregateNotFoundError:
                raise missing(f"no {noun(cls)} {aggregate_id}") from None
        if not isinstance(aggregate, cls):  # said as of an unknown id: what else it is stays unsaid
            raise missing(f"no {noun(cls)} {aggregate_id}")
        if expected_version is not None and aggregate.version != expected_version:
            raise VersionMismatch(
                f"{cls.__name__} {aggregate_id} is at version {aggregate.version}, not {expected_version}",
                expected_version,
                aggregate.version,
            )
        return aggregate

    def _read(
        self,
        cls: type[A],
        aggregate_id: UUID,
        missing: type[NotFoundError],
        version: int | None = None,
        as_of: datetime | None = None,
    ) -> A:
        """The aggregate now, at a version, or as recorded at a past moment."""
        if as_of is not None:
            version = self.version_at(aggregate_id, as_of)
            if version is None:
                raise missing(f"no {noun(cls)} {aggregate_id} was recorded yet at {as_of}")
        return self._load(cls, aggregate_id, missing, version=version)

    def exists(self, aggregate_id: UUID) -> bool:
        """True when the store holds events of this aggregate."""
        return self._exists(aggregate_id)

    def _exists(self, aggregate_id: UUID) -> bool:
        with self._store_errors():
            return next(iter(self.events.get(aggregate_id, limit=1)), None) is not None

    def version_at(self, aggregate_id: UUID, moment: datetime) -> int | None:
        """The aggregate's version as recorded at `moment` (None when it did not exist yet)."""
        version = None
        with self._store_errors():
            # the store's events are our aggregates' (`Aggregate.Event`): each has its timestamp
            for domain_event in cast("Iterator[Aggregate.Event]", self.events.get(aggregate_id)):
                if domain_event.timestamp > moment:
                    break
                version = domain_event.originator_version
        return version

    # -- saving ------------------------------------------------------------------

    def _recorded(
        self, actor: Actor, first: Aggregate, *others: Aggregate, bulk: bool = False, **created: object
    ) -> Recorded:
        """Save `first` and `others` atomically and describe what `first` became. The command's
        idempotency key (`application.idempotency.current_call`) is saved with them, with this answer;
        a command past its deadline is not saved. The one save path of every command and the import
        (`bulk`: a load of many aggregates, written in the store's fastest way)."""
        answer = Recorded(first.id, first.version, None, **created)  # type: ignore[arg-type]
        call = current_call.get()
        if call.deadline is not None and time.monotonic() > call.deadline:
            raise DeadlinePassed(
                "the command waited past its deadline before it could be saved; nothing was recorded, send it again"
            )
        key = key_record(call.key, answer) if call.key is not None else None
        aggregates = (first, *others)
        try:
            with self._store_errors():
                metadata = EventMetadata.now(actor.user, actor.correlation_id)
                options = {SAVE_KWARG: key, BULK_KWARG: True} if bulk else {SAVE_KWARG: key}
                recordings = save_aggregates(self, aggregates, metadata=metadata, **options)
        except BaseException:
            self.mapper.chain.forget(aggregate.id for aggregate in aggregates)  # nothing of theirs was stored
            raise
        return replace(answer, position=recordings[-1].notification.id if recordings else None)

    def answered(self, scope: str, key: str) -> Answered | None:
        """What the command sent with idempotency key `key` by user `scope` answered, or None."""
        recorder = self.recorder
        if not isinstance(recorder, (GroupCommitRecorder, KeyedSQLiteRecorder, KeyedPOPORecorder)):
            raise TypeError(f"{type(recorder).__name__} keeps no idempotency keys")  # never: see construct_recorder
        with self._store_errors():
            stored = recorder.select_key(scope, key)
        return None if stored is None else replayed(stored)

    @contextmanager
    def _store_errors(self) -> Iterator[None]:
        try:
            yield
        except IntegrityError as error:
            raise ConcurrentChange(
                "another change to the same record was saved first; nothing was saved, read it again and retry"
            ) from error
        except ProgrammingError as error:
            raise StoreNotReady(f"event store not initialised ({error})") from error
        except OperationalError as error:
            if "no such table" in str(error):  # SQLite says so of a store never initialised
                raise StoreNotReady(f"event store not initialised ({error})") from error
            raise StoreUnavailable(f"event store unavailable ({error})") from error
        except PersistenceError as error:  # a lost connection, a restart, no connection in time (PoolExhausted)
            raise StoreUnavailable(f"event store unavailable ({error})") from error

    def check_store(self) -> int:
        """Raise `StoreNotReady` unless the store answers; returns the latest notification id."""
        with self._store_errors():
            return self.recorder.max_notification_id() or 0


_NOUNS = {"MutationRound": "round", "MutationPlan": "plan", "Aggregate": "record"}


def noun(cls: type) -> str:
    """What a not-found message calls an aggregate class, in the domain's words ("round", not the class)."""
    return _NOUNS.get(cls.__name__, cls.__name__.lower())


def _project(aggregate: Aggregate | None, domain_events: Iterable[Any]) -> Aggregate | None:
    """The library's `project_aggregate` without its per-event `assert isinstance(event,
    CanMutateProtocol)` (a runtime Protocol check, ~15 µs an event on Python 3.11): the events
    are the library's own, and each has `mutate`."""
    for domain_event in domain_events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate
