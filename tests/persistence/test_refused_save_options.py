"""None of our application recorders drops a keyword argument silently: handed a tracking record
(`tracking=Tracking(...)`, which only a process recorder writes), any keyword argument it does not
know, or an idempotency key that is not a `KeyRecord`, each refuses the save (ProgrammingError) and
records nothing: no event, no idempotency key. (`application.persistence.keys.save_options`.)

A keyword argument whose value is None is accepted: the library passes `tracking=None` on every
save (`Application._record`, pinned in test_library_contract), and None asks nothing to be recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import ApplicationRecorder, ProgrammingError, StoredEvent, Tracking

from application.persistence.group_commit import LARGE_SAVE
from application.persistence.keys import KeyRecord
from application.persistence.mapper import EventMetadata
from application.service import MutasiApplication
from domain.employee import Employee
from domain.vocabulary import Rank
from tests import scenario
from tests.persistence.support import application, our_recorder, store_settings, stored

STORES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

REFUSED: dict[str, dict[str, Any]] = {
    "tracking": {"tracking": Tracking("upstream", 1)},
    "tracking-with-a-key": {"tracking": Tracking("upstream", 1), "idempotency": KeyRecord("u", "k", "f", "{}")},
    "unknown": {"trace": "abc"},
    "unknown-falsy": {"flag": False},
    "unknown-with-a-key": {"trace": "abc", "idempotency": KeyRecord("u", "k", "f", "{}")},
    "key-not-a-KeyRecord": {"idempotency": "k"},
}
TO_THE_RECORDER = {  # the event store takes `metadata`: it must never reach a recorder, and is refused there
    **REFUSED,
    "metadata": {"metadata": EventMetadata.now("tester", "correlation")},
}
SIZES = {"none": 0, "one": 1, "copy-sized": LARGE_SAVE + 1}  # an empty save still writes its key; a large one COPYs


@pytest.fixture(params=STORES)
def recorder(request: pytest.FixtureRequest) -> Iterator[ApplicationRecorder]:
    with our_recorder(request.param) as recorder:
        yield recorder


def _events(count: int) -> list[StoredEvent]:
    originator_id = uuid4()
    return [stored(originator_id, version) for version in range(1, count + 1)]


def _nothing_recorded(recorder: Any, events: list[StoredEvent]) -> None:
    assert not recorder.max_notification_id(), "events of a refused save were recorded"
    if events:
        assert recorder.select_events(events[0].originator_id) == []
    assert recorder.select_key("u", "k") is None, "the idempotency key of a refused save was recorded"


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
@pytest.mark.parametrize("kwargs", TO_THE_RECORDER.values(), ids=TO_THE_RECORDER.keys())
def test_our_recorders_refuse_what_they_would_not_write(recorder: Any, kwargs: dict[str, Any], size: int) -> None:
    events = _events(size)
    with pytest.raises(ProgrammingError):
        recorder.insert_events(events, **kwargs)
    _nothing_recorded(recorder, events)
    assert recorder.insert_events(events) is not None  # the recorder is not left broken


def test_a_none_argument_asks_nothing_and_is_accepted(recorder: Any) -> None:
    events = _events(2)
    assert list(recorder.insert_events(events, tracking=None, idempotency=None, anything=None)) == [1, 2]


@pytest.fixture(params=STORES)
def app(request: pytest.FixtureRequest) -> Iterator[MutasiApplication]:
    with store_settings(request.param) as settings, application(settings) as app:
        yield app


@pytest.mark.parametrize("kwargs", REFUSED.values(), ids=REFUSED.keys())
def test_a_save_through_the_application_is_refused_whole(app: MutasiApplication, kwargs: dict[str, Any]) -> None:
    """The same through the library's `save` and our event store (which takes only `metadata`); the library
    itself refuses a second `tracking` (it passes its own), before anything reaches our recorder."""
    employee = Employee.register(scenario.nip(1), "Siti", Rank.III_A, scenario.AGENCY)
    metadata = EventMetadata.now("tester", "correlation")
    refused = (TypeError, ProgrammingError) if "tracking" in kwargs else ProgrammingError
    with pytest.raises(refused):
        app.save(employee, metadata=metadata, **kwargs)
    assert not app.exists(employee.id)
    _nothing_recorded(app.recorder, [])
