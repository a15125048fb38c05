"""The store: explicit initialisation, clear errors when it is missing, schema evolution of events."""

from __future__ import annotations

import threading

import psycopg
import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from application.bootstrap import initialise_store, open_application
from application.errors import StoreNotReady
from application.persistence.chain import canonical_json
from application.persistence.connections import postgres_conninfo
from application.persistence.mapper import EventMetadata
from application.settings import Settings
from tests import scenario as s
from tests.conftest import postgres_settings, require_postgres


class Gadget(Aggregate):
    """A test aggregate whose Registered event is at class version 2 (v1 had no `colour`)."""

    def __init__(self, name: str, colour: str) -> None:
        self.name, self.colour = name, colour

    class Registered(Aggregate.Created):
        name: str
        colour: str
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["colour"] = "unpainted"


def test_an_uninitialised_store_is_reported_clearly(tmp_path):
    settings = Settings(_env_file=None, store="sqlite", sqlite_path=tmp_path / "missing.sqlite3")
    with pytest.raises(StoreNotReady, match="not initialised"):
        open_application(settings)


def test_opening_the_application_creates_no_tables(tmp_path):
    settings = Settings(_env_file=None, store="sqlite", sqlite_path=tmp_path / "fresh.sqlite3")
    with pytest.raises(StoreNotReady):
        open_application(settings)
    initialise_store(settings)
    open_application(settings).close()


@pytest.mark.postgres
def test_several_processes_may_initialise_the_store_at_once():
    settings = postgres_settings("test_concurrent_init")
    errors: list[BaseException] = []

    def init():
        try:
            initialise_store(settings)
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    require_postgres(settings)
    try:
        threads = [threading.Thread(target=init) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        app = open_application(settings)
        s.position(app, "Analis")
        app.close()
    finally:
        with psycopg.connect(postgres_conninfo(settings), autocommit=True) as conn:
            conn.execute("DROP SCHEMA IF EXISTS test_concurrent_init CASCADE")


def test_old_events_are_upcast_to_the_current_class_version(app):
    gadget = Gadget(name="lamp", colour="green")
    [created] = gadget.collect_events()
    state = {
        "name": "lamp",
        "originator_topic": get_topic(Gadget),
        "timestamp": created.timestamp.isoformat(),
        "__meta__": {"actor": "x", "correlation_id": "c", "recorded_at": created.timestamp.isoformat()},
    }
    old = StoredEvent(created.originator_id, 1, get_topic(Gadget.Registered), canonical_json(state))
    decoded = app.mapper.to_domain_event(old)
    assert (decoded.name, decoded.colour) == ("lamp", "unpainted")
    assert decoded.metadata.actor == "x"


def test_current_events_store_their_class_version(app):
    gadget = Gadget(name="lamp", colour="green")
    [created] = gadget.collect_events()
    stored = app.mapper.to_stored_event(created, EventMetadata.now("tester", "c-1"))
    assert b'"class_version":2' in stored.state
    assert app.mapper.to_domain_event(stored).colour == "green"


def test_events_of_one_save_share_their_decoded_metadata_and_others_do_not(app):
    first, second = (Gadget(name=name, colour="green").collect_events()[0] for name in ("lamp", "desk"))
    saved, later = EventMetadata.now("tester", "c-1"), EventMetadata.now("other", "c-2")
    one, two = (app.mapper.to_stored_event(event, saved) for event in (first, second))
    three = app.mapper.to_stored_event(first, later)
    decoded = [app.mapper.to_domain_event(stored) for stored in (one, two, three, one)]
    assert decoded[0].metadata == saved and decoded[1].metadata is decoded[0].metadata
    assert decoded[2].metadata == later and decoded[3].metadata == saved
    assert decoded[3].metadata is not decoded[0].metadata  # only the previous event's is kept
