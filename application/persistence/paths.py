"""Files beside the SQLite store: the views' database and the development secrets (no driver imported:
`mutasi token` reads them without loading a database client)."""

from __future__ import annotations

from pathlib import Path

from application.settings import Settings


def beside_store(settings: Settings, suffix: str) -> Path:
    """A file beside the SQLite store's (`mutasi.sqlite3` + `-jwt-secret`): the development secrets."""
    return settings.sqlite_path.with_name(settings.sqlite_path.name + suffix)


def views_path(settings: Settings) -> Path:
    """The SQLite file of the views, beside the event store's file (`x.sqlite3` -> `x.views.sqlite3`)."""
    path = settings.sqlite_path
    return path.with_name(f"{path.stem}.views{path.suffix or '.sqlite3'}")
