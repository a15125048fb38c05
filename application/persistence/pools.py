"""PostgreSQL connection pools: the connection given back last first (LIFO), a bounded wait, a quick recovery.

psycopg_pool hands out its idle connections in turn (FIFO), so one thread saving commands one after
another talks to a different server process each time, each woken from sleep, cold in its CPU's
caches: measured here, that costs about 0.1 ms a round trip (0.46 ms against 0.34 ms a save). Reusing
the connection given back last keeps the busy few warm and lets the others idle, as SQLAlchemy's
`pool_use_lifo` does. psycopg_pool has no such option: a subclass (`warm_first_class`) turns its
deque of idle connections by one before each hand-out, so the most recent comes first and the others
keep their order (so its closing of idle connections still takes the one idle longest).

The same subclass makes faults short (this module is the one place that touches psycopg_pool's
private names; `tests/faults/test_pool_recovery.py` holds it to them):

- waiting for a connection ends after the pool's `timeout` with `PoolExhausted`, which is not an
  `OperationalError`: the library's recorders retry lost connections ten times, and must not repeat
  a wait for a pool that has nothing to give (a request is refused, 503, before it ran anything);
- a connection that fails the pre-ping (`check`) is dropped and the next idle one is tried at once
  (psycopg_pool sleeps 1, 2, 4... s between failed checks: after a restart, one dead connection after
  another made each request wait out its timeout);
- given `ping_idle_after`, the pre-ping is spent only on a connection idle at least that long, or on
  any while the pool has lately met a broken one (`SUSPECT_FOR`): a ping is a round trip, 7-17 % of
  a one-event command's throughput. For pools whose every user retries a lost connection (the event
  store's recorders do, as the library's methods do), a connection used a moment ago and dead since
  then costs one retry, and puts the pool on its guard;
- reconnecting after a failure is retried every `RECONNECT_DELAY_MAX` seconds at most (psycopg_pool
  doubles its delay up to minutes: after an outage of 20 s, service came back 15 s after the server).
"""

from __future__ import annotations

from time import monotonic, sleep
from typing import Any

from eventsourcing.persistence import PersistenceError
from psycopg.pq import TransactionStatus
from psycopg_pool import ConnectionPool, PoolTimeout
from psycopg_pool.base import AttemptWithBackoff

RECONNECT_DELAY_MAX = 0.5  # seconds between attempts to reach a server that went away
SUSPECT_FOR = 10.0  # seconds after meeting a broken connection during which every hand-out is pinged

_WARM_FIRST: dict[type, type] = {}  # a pool class -> its warm-first subclass


class PoolExhausted(PersistenceError):
    """No pooled connection came within the pool's timeout (all busy, or the server unreachable).
    Nothing was executed: the caller may answer 503 and let the client retry. (The library's
    `PersistenceError`, so whatever handles database failures handles it, but neither its
    `OperationalError` nor its `InterfaceError`, which its recorders retry.)"""


class _BriefBackoff(AttemptWithBackoff):
    """psycopg_pool's backoff, starting at 50 ms and never waiting longer than `RECONNECT_DELAY_MAX`."""

    INITIAL_DELAY = 0.05

    def update_delay(self, now: float) -> None:
        super().update_delay(now)
        self.delay = min(self.delay, RECONNECT_DELAY_MAX)


def _get_ready_connection(pool: Any, timeout: float | None) -> Any:
    """Called by the pool under its lock: the newest idle connection is moved to the front."""
    pool._pool.rotate(1)
    return super(pool._warm_first_class, pool)._get_ready_connection(timeout)


def _getconn(pool: Any, timeout: float | None = None) -> Any:
    try:
        return super(pool._warm_first_class, pool).getconn(timeout)
    except PoolTimeout as error:
        raise PoolExhausted(
            f"no database connection within {pool.timeout if timeout is None else timeout:.1f} s "
            f"(pool {pool.name!r}: all busy, or the server unreachable)"
        ) from error


def _check_connection(pool: Any, conn: Any) -> None:
    """The pool's pre-ping, skipped for a connection given back less than `ping_idle_after` seconds
    ago while the pool has met no broken connection lately."""
    now = monotonic()
    if (
        pool._ping_idle_after
        and now - getattr(conn, "_given_back_at", 0.0) < pool._ping_idle_after
        and now >= pool._suspect_until
    ):
        return
    try:
        super(pool._warm_first_class, pool)._check_connection(conn)
    except Exception:
        pool._suspect_until = monotonic() + SUSPECT_FOR
        raise


def _return_connection(pool: Any, conn: Any, from_getconn: bool) -> None:
    if conn.pgconn.transaction_status == TransactionStatus.UNKNOWN:  # lost: maybe all of them are
        pool._suspect_until = monotonic() + SUSPECT_FOR
    conn._given_back_at = monotonic()
    super(pool._warm_first_class, pool)._return_connection(conn, from_getconn)


def _getconn_with_check_loop(pool: Any, deadline: float) -> Any:
    """psycopg_pool's loop (take a connection, pre-ping it, drop it if dead), trying the next idle
    connection at once after a dead one, and waiting briefly only when none is idle."""
    attempt: _BriefBackoff | None = None
    while True:
        conn = pool._getconn_unchecked(deadline - monotonic())
        try:
            pool._check_connection(conn)
        except Exception:  # noqa: BLE001 - as psycopg_pool's own loop: any failed check drops it
            pool._putconn(conn, from_getconn=True)
        except BaseException:
            pool._putconn(conn, from_getconn=True)
            raise
        else:
            return conn
        if pool._pool:
            continue  # another idle connection: check it now (each dead one is dropped once)
        now = monotonic()
        if attempt is None:
            attempt = _BriefBackoff(timeout=deadline - now)
        attempt.update_delay(now)
        if attempt.time_to_give_up(now):
            raise PoolTimeout()
        sleep(attempt.delay)


def _add_connection(pool: Any, attempt: AttemptWithBackoff | None, growing: bool = False) -> None:
    super(pool._warm_first_class, pool)._add_connection(
        attempt or _BriefBackoff(timeout=pool.reconnect_timeout), growing=growing
    )


def warm_first_class(cls: type) -> type:
    """A subclass of the pool class `cls` that hands out its newest idle connection first, bounds the
    wait for one (`PoolExhausted`), and recovers from a lost server quickly (see the module)."""
    if cls in _WARM_FIRST.values():
        return cls
    if cls not in _WARM_FIRST:
        warm = type(
            f"WarmFirst{cls.__name__}",
            (cls,),
            {
                "_get_ready_connection": _get_ready_connection,
                "getconn": _getconn,
                "_getconn_with_check_loop": _getconn_with_check_loop,
                "_add_connection": _add_connection,
                "_check_connection": _check_connection,
                "_return_connection": _return_connection,
                "_ping_idle_after": 0.0,
                "_suspect_until": 0.0,
            },
        )
        warm._warm_first_class = warm  # type: ignore[attr-defined]
        _WARM_FIRST[cls] = warm
    return _WARM_FIRST[cls]


WarmFirstPool: type[ConnectionPool[Any]] = warm_first_class(ConnectionPool)
"""A psycopg_pool `ConnectionPool` that reuses its most recently returned connection first."""


def warm_first(
    pool: ConnectionPool[Any],
    timeout: float | None = None,
    ping_idle_after: float | None = None,
) -> None:
    """Make a pool built elsewhere (the library's datastores) hand out its newest connection first;
    given `timeout`, wait at most that long for one; given `ping_idle_after`, pre-ping only the
    connections idle that long (see the module: only for pools whose users retry a lost connection).

    The pool's class becomes a subclass that only overrides how connections are handed out, checked
    and re-made (its state: two numbers), so the pool stays as it is otherwise."""
    if type(pool) not in _WARM_FIRST.values():
        pool.__class__ = warm_first_class(type(pool))
    if timeout is not None:
        pool.timeout = timeout
    if ping_idle_after is not None:
        pool._ping_idle_after = ping_idle_after  # type: ignore[attr-defined]
