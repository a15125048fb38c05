"""The global feed: pages in store order, and no event skipped or repeated while writers commit."""

from __future__ import annotations

import threading

from application.audit import replay
from application.bootstrap import open_application
from tests import scenario as s

WRITERS, POSITIONS_EACH = 4, 12


def test_pages_follow_the_store_order(app) -> None:
    for number in range(5):
        s.position(app, f"Analis {number}")
    first = replay.feed(app, 0, 2)
    second = replay.feed(app, first.next_after, 2)
    assert [e.position for e in first.events + second.events] == [1, 2, 3, 4]
    assert first.head == second.head == 5
    assert replay.feed(app, 5, 2).events == [] and replay.feed(app, 5, 2).next_after == 5


def test_no_event_is_skipped_or_repeated_while_writers_commit(app, settings) -> None:
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        application = open_application(settings)
        try:
            for number in range(POSITIONS_EACH):
                s.position(application, f"Analis {writer}-{number}", unit=f"Unit {writer}")
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            application.close()

    writers = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in writers:
        thread.start()
    seen: list[int] = []
    after = 0
    while any(thread.is_alive() for thread in writers) or after < (app.recorder.max_notification_id() or 0):
        page = replay.feed(app, after, 3)
        positions = [e.position for e in page.events]
        assert positions == sorted(positions) and all(p > after for p in positions)
        seen += positions
        after = page.next_after
    for thread in writers:
        thread.join(timeout=60)
    assert errors == []
    every = [e.position for e in replay.feed_all(app)]
    assert len(every) == WRITERS * POSITIONS_EACH
    assert seen == every
