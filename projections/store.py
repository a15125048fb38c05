"""Where the views live, and the one transaction that writes a batch of rows with its tracking record.

PostgreSQL: tables in the configured schema, beside the events. SQLite: a sibling file of the event
store (`Stores.views_path`: `mutasi.sqlite3` -> `mutasi.views.sqlite3`), so that writing views never
holds the event store's single write lock. Each view version owns tables `v_<view>_<version>_<table>`
holding a key, a few indexed columns and the row as JSON; `view_registry` says which version of each view is live.
Positions are recorded with the library's tracking recorders in the same transaction as the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import orjson
from eventsourcing.persistence import Tracking, TrackingRecorder

from application.persistence.connections import APPLICATION_NAME
from application.persistence.stores import Stores
from application.persistence.tracking import ViewTracking

Doc = dict[str, Any]
CACHE_LIMIT = 20_000  # rows kept per view version between batches (the most recently changed)
DDL_LOCK = 0x6D757476  # "mutv": one advisory lock serialises creating view tables


class ViewsUnavailable(RuntimeError):
    """The configured store cannot hold views (the in-memory store), or a view is unknown."""


def dumps(doc: Doc) -> str:
    """Canonical JSON of a row (sorted keys, compact, UTF-8), so equal views have equal bytes."""
    return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS).decode()


def loads(text: str | bytes) -> Any:
    """A row from its JSON."""
    return orjson.loads(text)


@dataclass(frozen=True)
class Table:
    """A table of a view: rows by key, with indexed columns copied from top-level fields of the row."""

    name: str
    columns: Mapping[str, str] = field(default_factory=dict)  # column -> "TEXT" | "INTEGER"


class KeyFilter:
    """The keys a version built from the first event may hold: a bitmap over the keys' hashes (a Bloom
    filter with one hash, 4 MB whatever the size). A key never written is reported absent, so looking it
    up needs no query; a written key, or one that shares its bit (1 in 500 at province size, 1 in 9 at
    national size), is looked up in its table."""

    bits = 1 << 25

    def __init__(self, share: int = 1) -> None:
        """A filter for about `1/share` of the keys (a partition's): as many bits per key, fewer bits."""
        if share > 1:
            self.bits = max(self.bits // (1 << (share - 1).bit_length()), 8)
        self._bitmap = bytearray(max(self.bits >> 3, 1))

    def add(self, table: str, key: str) -> None:
        """Note that `key` of `table` is written."""
        bit = hash((table, key)) & (self.bits - 1)
        self._bitmap[bit >> 3] |= 1 << (bit & 7)

    def may_hold(self, table: str, key: str) -> bool:
        """False when `key` of `table` was certainly never written."""
        bit = hash((table, key)) & (self.bits - 1)
        return bool(self._bitmap[bit >> 3] & (1 << (bit & 7)))


class ViewDatabase:
    """The database of the views: dialect, connection pool, registry of live versions, tracking."""

    def __init__(self, stores: Stores) -> None:
        """The views' database of `stores` (its pool is theirs: `close` only forgets it)."""
        datastore = stores.views_datastore()
        if datastore is None:
            raise ViewsUnavailable("views need the sqlite or postgres store, not the in-memory one")
        self.dialect = "postgres" if stores.kind == "postgres" else "sqlite"
        self.datastore: Any = datastore
        self.tracking = ViewTracking(datastore)
        self._registry_ready = False
        self.reads = 0  # queries that read rows of the views (tests count them per batch)

    # -- SQL helpers -------------------------------------------------------------

    def table(self, name: str) -> str:
        """A table name, schema-qualified on PostgreSQL."""
        if self.dialect == "postgres":
            return f'"{self.datastore.schema}"."{name}"'
        return f'"{name}"'

    def sql(self, text: str) -> str:
        """SQL written with %s placeholders, in this dialect."""
        return text.replace("%s", "?") if self.dialect == "sqlite" else text

    @contextmanager
    def transaction(self, commit: bool = False) -> Iterator[Any]:
        """A cursor in one transaction (committed only when `commit`)."""
        if self.dialect == "sqlite" and commit:
            # WAL with synchronous=NORMAL: a commit is atomic but not flushed at once; rows and
            # positions commit together, so a power cut only loses whole batches, applied again.
            with self.datastore.get_connection(commit=True) as conn:
                conn.cursor().execute("PRAGMA synchronous=NORMAL")
                with conn.transaction(commit=True) as cursor:
                    yield cursor
            return
        with self.datastore.transaction(commit=commit) as cursor:
            yield cursor

    def relax_commit(self, cursor: Any) -> None:
        """Rows and positions commit together, so a server crash can only lose whole recent batches,
        which are then applied again: a view's transaction need not wait for the WAL flush."""
        if self.dialect == "postgres":
            cursor.execute("SET LOCAL synchronous_commit = off")

    def rows_by_key(self, table: str, keys: Sequence[str]) -> dict[str, Doc]:
        """The rows of `table` (a qualified name) with any of `keys`, in ONE query: `= ANY(array)` on
        PostgreSQL, `IN` over the keys as one JSON array on SQLite (no limit on their number)."""
        if self.dialect == "postgres":
            rows = self.fetchall(f"SELECT key, doc FROM {table} WHERE key = ANY(%s::text[])", [list(keys)])
        else:
            rows = self.fetchall(
                f"SELECT key, doc FROM {table} WHERE key IN (SELECT value FROM json_each(%s))",
                [orjson.dumps(list(keys)).decode()],
            )
        return {row["key"]: loads(row["doc"]) for row in rows}

    def fetchall(self, text: str, params: Sequence[Any] = ()) -> list[Any]:
        """Rows of one read-only query."""
        self.reads += 1
        with self.transaction() as cursor:
            cursor.execute(self.sql(text), list(params))
            return list(cursor.fetchall())

    # -- registry ----------------------------------------------------------------

    def ensure_registry(self) -> None:
        """Create the registry and tracking tables once (safe to repeat)."""
        if self._registry_ready:
            return
        with self.ddl_lock():
            self.tracking.create_table()
            with self.transaction(commit=True) as cursor:
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {self.table('view_registry')} "
                    "(view TEXT PRIMARY KEY, live INTEGER NOT NULL)"
                )
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {self.table('view_heads')} "
                    "(tracking_key TEXT PRIMARY KEY, recorded_at TEXT)"
                )
        self._registry_ready = True

    @contextmanager
    def ddl_lock(self) -> Iterator[None]:
        """Serialise creating tables (PostgreSQL's CREATE TABLE IF NOT EXISTS races with itself)."""
        if self.dialect != "postgres":
            yield
            return
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (DDL_LOCK,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (DDL_LOCK,))

    def live_versions(self) -> dict[str, int]:
        """The live version of each view that has one."""
        self.ensure_registry()
        rows = self.fetchall(f"SELECT view, live FROM {self.table('view_registry')}")
        return {row["view"]: int(row["live"]) for row in rows}

    def set_live(self, view: str, version: int, cursor: Any | None = None) -> None:
        """Make `version` the live version of `view`."""
        statement = self.sql(
            f"INSERT INTO {self.table('view_registry')} (view, live) VALUES (%s, %s) "
            "ON CONFLICT (view) DO UPDATE SET live = excluded.live"
        )
        if cursor is not None:
            cursor.execute(statement, [view, version])
            return
        with self.transaction(commit=True) as own:
            own.execute(statement, [view, version])


class DocumentView(TrackingRecorder):
    """One version of one view: its tables, a read cache, and the atomic batch commit with tracking.

    Tracking records are named `<application>/<view>@v<version>`, so each view version has its own
    position in the application's notification log; a partition of a rebuild (`projections.partitions`)
    adds its label (`#k/n`) and has a position of its own.
    """

    def __init__(self, db: ViewDatabase, view: str, version: int, tables: Sequence[Table], partition: str = "") -> None:
        self.db, self.view, self.version, self.partition = db, view, version, partition
        self.tables = {t.name: t for t in tables}
        self._cache: dict[tuple[str, str], Doc | None] = {}
        self._batch: dict[tuple[str, str], Doc | None] = {}  # rows read ahead for the batch being applied
        self._written: KeyFilter | None = None  # the keys the tables may hold, while `track_keys` holds
        self.cache_limit, self.share = CACHE_LIMIT, 1  # a partition keeps a share (`partition_share`)

    # -- names -------------------------------------------------------------------

    @property
    def tracking_key(self) -> str:
        """The name under which this version's position is tracked."""
        return f"{APPLICATION_NAME}/{self.view}@v{self.version}{self.partition}"

    def table_name(self, table: str) -> str:
        """The qualified SQL name of one of this version's tables."""
        return self.db.table(f"v_{self.view}_{self.version}_{table}")

    # -- schema ------------------------------------------------------------------

    def create_tables(self, indexes: bool = True) -> None:
        """Create this version's tables, and their indexes unless `indexes` is False (a rebuild loads
        its rows first and indexes them once, before it goes live: cheaper than index upkeep per row).
        Safe to repeat."""
        self.db.ensure_registry()
        with self.db.ddl_lock(), self.db.transaction(commit=True) as cursor:
            for table in self.tables.values():
                cols = "".join(f", {c} {t if t != 'INTEGER' else 'BIGINT'}" for c, t in table.columns.items())
                name = self.table_name(table.name)
                cursor.execute(f"CREATE TABLE IF NOT EXISTS {name} (key TEXT PRIMARY KEY{cols}, doc TEXT NOT NULL)")
            if indexes:
                self._create_indexes(cursor)

    def create_indexes(self) -> None:
        """Create this version's indexes (safe to repeat)."""
        with self.db.ddl_lock(), self.db.transaction(commit=True) as cursor:
            self._create_indexes(cursor)

    def _create_indexes(self, cursor: Any) -> None:
        for table in self.tables.values():
            for column in table.columns:
                index = f"v_{self.view}_{self.version}_{table.name}_{column}"[:63]
                cursor.execute(f'CREATE INDEX IF NOT EXISTS "{index}" ON {self.table_name(table.name)} ({column})')

    def drop_tables(self) -> None:
        """Drop this version's tables and forget its position."""
        with self.db.transaction(commit=True) as cursor:
            for table in self.tables.values():
                cursor.execute(f"DROP TABLE IF EXISTS {self.table_name(table.name)}")
            self.db.tracking.forget_in(cursor, self.tracking_key)  # and its partitions' positions
            cursor.execute(
                self.db.sql(
                    f"DELETE FROM {self.db.table('view_heads')} WHERE tracking_key = %s "
                    "OR substr(tracking_key, 1, CAST(%s AS INTEGER)) = %s"
                ),
                [self.tracking_key, len(self.tracking_key) + 1, f"{self.tracking_key}#"],
            )
        self._cache.clear()
        self._batch.clear()
        self._written = None

    def adopt_partitions(self, cursor: Any, position: int) -> None:
        """After a partitioned fill that stopped every partition at `position`: that position becomes
        this version's own (recorded with the time the partitions noted) and theirs are forgotten, in
        the caller's transaction."""
        prefix = [len(self.tracking_key) + 1, f"{self.tracking_key}#"]
        heads = self.db.table("view_heads")
        where = "substr(tracking_key, 1, CAST(%s AS INTEGER)) = %s"
        cursor.execute(self.db.sql(f"SELECT recorded_at FROM {heads} WHERE {where}"), prefix)
        recorded = max((row["recorded_at"] for row in cursor.fetchall() if row["recorded_at"]), default=None)
        cursor.execute(self.db.sql(f"DELETE FROM {heads} WHERE {where}"), prefix)
        self.db.tracking.forget_in(cursor, self.tracking_key)
        if position:
            self.write(cursor, {}, Tracking(self.tracking_key, position), recorded)

    def partition_share(self, count: int) -> None:
        """This version is filled by one of `count` partitions, which touches about 1/count of its rows:
        keep as small a share of the row cache and of the key filter."""
        self.cache_limit = max(self.cache_limit // count, 1)
        self.share = count

    # -- tracking (the library's recorder, under this version's name) -----------

    def insert_tracking(self, tracking: Tracking) -> None:
        self.db.tracking.recorder.insert_tracking(Tracking(self.tracking_key, tracking.notification_id))

    def max_tracking_id(self, application_name: str = APPLICATION_NAME) -> int | None:
        return self.db.tracking.max_tracking_id(self.tracking_key)

    @property
    def position(self) -> int:
        """The notification id of the last event this version has applied (0 before any)."""
        return self.max_tracking_id() or 0

    def head(self) -> tuple[int, str | None]:
        """Position and the recording time of the event at that position (ISO text)."""
        rows = self.db.fetchall(
            f"SELECT recorded_at FROM {self.db.table('view_heads')} WHERE tracking_key = %s",
            [self.tracking_key],
        )
        return self.position, (rows[0]["recorded_at"] if rows else None)

    # -- rows --------------------------------------------------------------------

    def track_keys(self) -> None:
        """This version has no rows yet (position 0): note every key written from now on (`KeyFilter`),
        so that looking up a key never written (most lookups of a rebuild) needs no query."""
        if self.position == 0:
            self._written = KeyFilter(self.share)

    def prefetch(self, keys: Mapping[str, Iterable[str]]) -> None:
        """Read ahead, for the batch about to be applied, the rows of each table under the given keys
        that neither the cache holds nor the key filter rules out: ONE query per table, whatever the
        number of keys. A key absent from its table is remembered as absent, so looking it up needs no
        query either; a row the batch then needs but was not read ahead is read on its own, as before."""
        written, cache, batch = self._written, self._cache, self._batch
        for table, wanted in keys.items():
            missing = sorted(
                {
                    key
                    for key in wanted
                    if (table, key) not in cache
                    and (table, key) not in batch
                    and (written is None or written.may_hold(table, key))
                }
            )
            if not missing:
                continue
            found = self.db.rows_by_key(self.table_name(table), missing)
            for key in missing:
                batch[(table, key)] = found.get(key)

    def load(self, table: str, key: str) -> Doc | None:
        """One row (cached; the runner is the only writer of a version)."""
        cached = self._cache.get((table, key), ...)
        if cached is not ...:
            return cached
        doc = self._fetch(table, key)
        self._remember(table, key, doc)
        return doc

    def take(self, table: str, key: str) -> Doc | None:
        """One row to change: taken out of the cache (no copy needed), put back when committed."""
        cached = self._cache.pop((table, key), ...)
        if cached is not ...:
            return cached
        return self._fetch(table, key)

    def _fetch(self, table: str, key: str) -> Doc | None:
        ahead = self._batch.pop((table, key), ...)
        if ahead is not ...:
            return ahead
        if self._written is not None and not self._written.may_hold(table, key):
            return None
        rows = self.db.fetchall(f"SELECT doc FROM {self.table_name(table)} WHERE key = %s", [key])
        return loads(rows[0]["doc"]) if rows else None

    def _remember(self, table: str, key: str, doc: Doc | None) -> None:
        limit = self.cache_limit
        if len(self._cache) >= limit:  # forget the quarter changed or read longest ago
            for stale in list(islice(self._cache, max(limit // 4, 1))):
                del self._cache[stale]
        self._cache[(table, key)] = doc

    def commit(
        self,
        changes: Mapping[tuple[str, str], Doc | None],
        tracking: Tracking,
        recorded_at: str | None,
    ) -> None:
        """Write changed rows, the position and its time in ONE transaction (exactly once)."""
        try:
            with self.db.transaction(commit=True) as cursor:
                self.db.relax_commit(cursor)
                self.write(cursor, changes, tracking, recorded_at)
        except BaseException:
            self.forget()
            raise
        self.committed(changes)

    def write(
        self,
        cursor: Any,
        changes: Mapping[tuple[str, str], Doc | None],
        tracking: Tracking,
        recorded_at: str | None,
    ) -> None:
        """Write changed rows, the position and its time in the caller's transaction; the caller
        then calls `committed` (or `forget` when the transaction failed)."""
        upserts: dict[str, list[list[Any]]] = {}
        deletes: dict[str, list[list[Any]]] = {}
        for (table, key), doc in changes.items():
            if doc is None:
                deletes.setdefault(table, []).append([key])
            else:
                cols = self.tables[table].columns
                upserts.setdefault(table, []).append([key, *(_column(doc.get(c)) for c in cols), dumps(doc)])
        for table, rows in deletes.items():
            self._delete(cursor, table, rows)
        for table, rows in upserts.items():
            written = self._written
            if written is not None and self.db.dialect == "postgres":
                new: list[list[Any]] = []
                known: list[list[Any]] = []
                may_hold = written.may_hold
                for row in rows:  # one test per row
                    (known if may_hold(table, row[0]) else new).append(row)
                if new:
                    self._copy(cursor, table, new)
                rows = known
            if rows:
                self._upsert(cursor, table, rows)
        cursor.execute(
            self.db.sql(
                f"INSERT INTO {self.db.table('view_heads')} (tracking_key, recorded_at) VALUES (%s, %s) "
                "ON CONFLICT (tracking_key) DO UPDATE SET recorded_at = excluded.recorded_at"
            ),
            [self.tracking_key, recorded_at],
        )
        # refuses a position that does not advance: a second runner's batch rolls back here
        self.db.tracking.insert_in(cursor, Tracking(self.tracking_key, tracking.notification_id))

    def forget(self) -> None:
        """After a failed transaction: another writer may have written rows, so ask the tables again."""
        self._cache.clear()
        self._batch.clear()
        self._written = None

    def committed(self, changes: Mapping[tuple[str, str], Doc | None]) -> None:
        """After the transaction of `write` committed: keep the rows it wrote and note their keys."""
        self._batch.clear()  # read ahead for this batch only
        for (table, key), doc in changes.items():
            self._remember(table, key, doc)
            if self._written is not None and doc is not None:
                self._written.add(table, key)

    def _delete(self, cursor: Any, table: str, rows: list[list[Any]]) -> None:
        name = self.table_name(table)
        if self.db.dialect == "postgres":
            cursor.execute(f"DELETE FROM {name} WHERE key = ANY(%s::text[])", [[row[0] for row in rows]])
        else:
            cursor.executemany(f"DELETE FROM {name} WHERE key = ?", rows)

    def _copy(self, cursor: Any, table: str, rows: list[list[Any]]) -> None:
        """Rows known to be new (a version being built from the first event): COPY, the fastest insert."""
        names = ", ".join(["key", *self.tables[table].columns, "doc"])
        with cursor.copy(f"COPY {self.table_name(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _upsert(self, cursor: Any, table: str, rows: list[list[Any]]) -> None:
        """Insert or replace rows: one statement over arrays on PostgreSQL (a round trip per row in
        `executemany` cost half a rebuild), `executemany` on SQLite (in process, no round trips)."""
        columns = self.tables[table].columns
        names = ["key", *columns, "doc"]
        sets = ", ".join(f"{c} = excluded.{c}" for c in names[1:])
        into = f"INSERT INTO {self.table_name(table)} ({', '.join(names)})"
        if self.db.dialect == "postgres":
            types = ["text", *("bigint" if t == "INTEGER" else "text" for t in columns.values()), "text"]
            arrays = ", ".join(f"%b::{t}[]" for t in types)  # binary: no per-character escaping
            cursor.execute(
                f"{into} SELECT * FROM unnest({arrays}) ON CONFLICT (key) DO UPDATE SET {sets}",
                [list(column) for column in zip(*rows, strict=False)],
            )
        else:
            marks = ", ".join("?" * len(names))
            cursor.executemany(f"{into} VALUES ({marks}) ON CONFLICT (key) DO UPDATE SET {sets}", rows)

    @contextmanager
    def reading(self) -> Iterator[Snapshot]:
        """A consistent read of this version: its position and rows from one snapshot."""
        with self.db.transaction() as cursor:
            if self.db.dialect == "postgres":
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield Snapshot(self, cursor)


class Snapshot:
    """Rows and position of one view version, read in one transaction."""

    def __init__(self, view: DocumentView, cursor: Any) -> None:
        self.view, self.cursor, self.db = view, cursor, view.db
        self.position = self.db.tracking.max_tracking_id_in(cursor, view.tracking_key) or 0
        cursor.execute(
            self.db.sql(f"SELECT recorded_at FROM {self.db.table('view_heads')} WHERE tracking_key = %s"),
            [view.tracking_key],
        )
        row = cursor.fetchone()
        self.recorded_at: str | None = row["recorded_at"] if row else None

    def get(self, table: str, key: Any) -> Doc | None:
        """One row by key."""
        self.cursor.execute(self.db.sql(f"SELECT doc FROM {self.view.table_name(table)} WHERE key = %s"), [str(key)])
        row = self.cursor.fetchone()
        return loads(row["doc"]) if row else None

    def select(
        self,
        table: str,
        *,
        equals: Mapping[str, Any] | None = None,
        prefixes: Mapping[str, str] | None = None,
        compare: Sequence[tuple[str, str, Any]] = (),
        order_by: Sequence[str] = ("key",),
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[list[Doc], int]:
        """Rows matching the filters (on indexed columns): one page of them, and the total count."""
        allowed = set(self.view.tables[table].columns) | {"key"}
        clauses, params = [], []
        for column, value in (equals or {}).items():
            if value is None:
                continue
            clauses.append(f"{_checked(column, allowed)} = %s")
            params.append(_column(value))
        for column, prefix in (prefixes or {}).items():
            if prefix:
                clauses.append(f"{_checked(column, allowed)} LIKE %s")
                params.append(_column(prefix).replace("\\", "").replace("%", "").replace("_", "") + "%")
        for column, operator, value in compare:
            if operator not in ("<", "<=", ">", ">=", "<>"):
                raise ValueError(f"bad operator {operator}")
            clauses.append(f"{_checked(column, allowed)} {operator} %s")
            params.append(value)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        name = self.view.table_name(table)
        order = ", ".join(_checked(c, allowed) for c in order_by)
        page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
        self.cursor.execute(self.db.sql(f"SELECT doc FROM {name}{where} ORDER BY {order}{page}"), params)
        docs = [loads(row["doc"]) for row in self.cursor.fetchall()]
        if limit is None or (not offset and len(docs) < limit):
            return docs, offset + len(docs)  # the whole match was read: no need to count
        self.cursor.execute(self.db.sql(f"SELECT count(*) AS n FROM {name}{where}"), params)
        return docs, int(self.cursor.fetchone()["n"])


def _column(value: Any) -> Any:
    """An indexed column value: PostgreSQL text cannot hold NUL, so it is dropped (in rows and filters)."""
    return value.replace("\x00", "") if isinstance(value, str) else value


def _checked(column: str, allowed: set[str]) -> str:
    if column not in allowed:
        raise ValueError(f"{column} is not an indexed column")
    return column
