"""The views' positions: the library's tracking recorders, with the two things the views need of them
inside their own transactions (write a position with the rows, read it in the rows' snapshot) and
forgetting a dropped view version's position."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

VIEW_TRACKING_TABLE = "view_tracking"  # PostgreSQL (beside the events); SQLite's recorder names its own "tracking"


class ViewTracking:
    """Positions of view versions in the views' database (`PostgresDatastore` or `SQLiteDatastore`)."""

    def __init__(self, datastore: PostgresDatastore | SQLiteDatastore) -> None:
        self.recorder: PostgresTrackingRecorder | SQLiteTrackingRecorder
        if isinstance(datastore, PostgresDatastore):
            self.recorder = PostgresTrackingRecorder(datastore, tracking_table_name=VIEW_TRACKING_TABLE)
            self.table = f'"{datastore.schema}"."{VIEW_TRACKING_TABLE}"'
            self._mark = "%s"
        else:
            self.recorder = SQLiteTrackingRecorder(datastore)
            self.table, self._mark = "tracking", "?"

    def create_table(self) -> None:
        """Create the tracking table (safe to repeat)."""
        self.recorder.create_table()

    def max_tracking_id(self, name: str) -> int | None:
        """The last position recorded under `name`, or None."""
        return self.recorder.max_tracking_id(name)

    def insert_in(self, cursor: Any, tracking: Tracking) -> None:
        """Record `tracking` in the caller's transaction (with the rows it stands for). The library's
        upsert refuses a position that does not advance, so a second writer of the same batch fails
        here and its rows roll back."""
        self.recorder._insert_tracking(cursor, tracking)  # pinned by tests/persistence/test_library_contract.py

    def max_tracking_id_in(self, cursor: Any, name: str) -> int | None:
        """The last position recorded under `name`, read in the caller's transaction (snapshot)."""
        return self.recorder._max_tracking_id(name, cursor)  # pinned as above

    def forget_in(self, cursor: Any, name: str) -> None:
        """Delete every position recorded under `name` (a dropped view version) and under the names of
        its partitions (`name#k/n`), in the caller's transaction."""
        mark = self._mark
        cursor.execute(
            f"DELETE FROM {self.table} WHERE application_name = {mark} "
            f"OR substr(application_name, 1, CAST({mark} AS INTEGER)) = {mark}",
            [name, len(name) + 1, f"{name}#"],
        )
