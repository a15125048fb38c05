"""Everything that knows the event store's insides, and the one package that may.

The mapper and the hash chain (how events are stored), the event store that every save goes
through with its metadata, the recorders (group commit on PostgreSQL, idempotency keys on every
store, COPY for large saves), the connection pools, the lean reads of the library's events table,
the views' tracking recorders, and `Stores`, the one object that turns settings into connections.
Only this package uses the `eventsourcing` library's and psycopg_pool's private names or touches the
library's tables; `tests/persistence/` pins what it relies on, so an upgrade that changes it fails
loudly there.
"""
