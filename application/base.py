"""The plumbing every use case shares: load with expected version, save with metadata, translate errors."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    OperationalError,
    PersistenceError,
    ProgrammingError,
    Recording,
)
from eventsourcing.utils import get_topic

from application.audit.chain import GENESIS, HashChain, chain_of
from application.context import Actor, EventMetadata, Recorded, recording_metadata
from application.errors import (
    ConcurrentChange,
    DeadlinePassed,
    NotFoundError,
    StoreNotReady,
    StoreUnavailable,
    VersionMismatch,
)
from application.group_commit import GroupCommitRecorder
from application.idempotency import (
    SAVE_KWARG,
    KeyedPOPORecorder,
    KeyedSQLiteRecorder,
    KeyRecord,
    StoredKey,
    current_call,
)
from application.mapper import PydanticMapper
from application.pools import warm_first
from application.settings import Settings
from application.store import APPLICATION_NAME, store_env
from domain.policy import RulePolicy

A = TypeVar("A", bound=Aggregate)
PING_IDLE_AFTER = 1.0  # seconds: the event store's pool pre-pings only connections idle this long


class MutasiBase(Application[UUID]):
    """Shared infrastructure of the Mutasi application (see `MutasiApplication`)."""

    name = APPLICATION_NAME
    mapper: PydanticMapper  # what `construct_mapper` makes

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        create_tables: bool = False,
        clock: Callable[[], date] = date.today,
    ) -> None:
        self.settings = settings or Settings()
        self.policy: RulePolicy = self.settings.rules.policy()
        self.today = clock
        env = store_env(self.settings, create_tables)
        if self.settings.store == "postgres":  # concurrent saves share a transaction (one lock, one flush)
            env["APPLICATION_RECORDER_TOPIC"] = get_topic(GroupCommitRecorder)
        elif self.settings.store == "sqlite":  # idempotency keys in the events' transaction
            env["APPLICATION_RECORDER_TOPIC"] = get_topic(KeyedSQLiteRecorder)
        super().__init__(env=env)
        if isinstance(self.recorder, GroupCommitRecorder):  # a lone writer keeps one server process busy;
            warm_first(
                self.recorder.datastore.pool,
                self.settings.postgres_pool_timeout,  # a bounded wait,
                ping_idle_after=PING_IDLE_AFTER,
            )  # its recorders retry a connection lost meanwhile

    def construct_recorder(self) -> ApplicationRecorder:
        """The library's recorder (its `APPLICATION_RECORDER_TOPIC`); in memory, one that keeps keys."""
        if self.settings.store == "memory":
            return KeyedPOPORecorder()
        return super().construct_recorder()

    def construct_mapper(self) -> PydanticMapper:
        """Events are stored as canonical JSON through pydantic (see `application.mapper`)."""
        return PydanticMapper(transcoder=None, chain=HashChain(self._stored_hash))

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

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's `save`, collecting our aggregates' events without its runtime Protocol checks
        (`isinstance(obj, DomainEventProtocol)`, then `CollectEventsProtocol`: ~30 µs a save on
        Python 3.11). Anything but aggregates goes the library's way."""
        if not objs or not all(isinstance(obj, Aggregate) for obj in objs):
            return super().save(*objs, **kwargs)
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for aggregate in objs:
            processing_event.events.extend(aggregate.collect_events())
            processing_event.aggregates[aggregate.id] = aggregate
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # the library's deprecated hook, called as it does
        return recordings

    def _save(self, actor: Actor, *aggregates: Aggregate, key: KeyRecord | None = None) -> int | None:
        """Save all pending events of `aggregates` atomically (with the idempotency `key`, if any);
        returns the last notification id."""
        token = recording_metadata.set(EventMetadata.now(actor))
        try:
            with self._store_errors():
                recordings = self.save(*aggregates, **({SAVE_KWARG: key} if key is not None else {}))
        except BaseException:
            self.mapper.chain.forget(aggregate.id for aggregate in aggregates)
            raise
        finally:
            recording_metadata.reset(token)
        return recordings[-1].notification.id if recordings else None

    def _recorded(self, actor: Actor, first: Aggregate, *others: Aggregate, **created: object) -> Recorded:
        """Save `first` and `others` atomically and describe what `first` became. The command's
        idempotency key (`application.idempotency.current_call`) is saved with them, with this answer;
        a command past its deadline is not saved."""
        answer = Recorded(first.id, first.version, None, **created)  # type: ignore[arg-type]
        call = current_call.get()
        if call.deadline is not None and time.monotonic() > call.deadline:
            raise DeadlinePassed(
                "the command waited past its deadline before it could be saved; nothing was recorded, send it again"
            )
        key = KeyRecord(call.key, answer) if call.key is not None else None
        return replace(answer, position=self._save(actor, first, *others, key=key))

    def answered(self, scope: str, key: str) -> StoredKey | None:
        """The idempotency key `key` of user `scope` as recorded with its command, or None."""
        recorder = self.recorder
        if not isinstance(recorder, (GroupCommitRecorder, KeyedSQLiteRecorder, KeyedPOPORecorder)):
            raise TypeError(f"{type(recorder).__name__} keeps no idempotency keys")  # never: see construct_recorder
        with self._store_errors():
            return recorder.select_key(scope, key)

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
