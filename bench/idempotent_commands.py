"""Benchmark: the idempotent command path, keys saved with the events, against the design it replaced.

    python -m bench.idempotent_commands [--commands 2000] [--rounds 4] [--keep]

Each command registers an employee (one event, no load) through the API's `CommandContext.run`
with an `Idempotency-Key`, as a route does, in process (no HTTP), with 1 and 8 concurrent writers:

- `keyed` (now): look the key up, run the command, its save inserts the key row in the events'
  transaction (group commit: in the shared one);
- `claim_then_complete` (the baseline, as it was before): claim the key (an INSERT through a pool of
  its own), run the command, store the answer (an UPDATE), each a transaction of its own;
- `unkeyed`: the same command without a key, for reference.

The three take turns in `--rounds` rounds in the same process and schema, so that load from elsewhere
on the machine falls on all alike. Target: keyed >= 0.9 x claim_then_complete (events/s).
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable
from typing import Any

from fastapi import Response
from psycopg import sql

from api.http.deps import CommandContext, etag
from api.http.schemas.common import CommandResult
from application.bootstrap import open_application
from application.persistence.connections import postgres_conninfo, postgres_table
from application.persistence.pools import WarmFirstPool
from application.service import MutasiApplication
from application.settings import Settings
from bench.commands import OPERATOR, Measure, nip
from bench.common import fresh_store, save_result
from domain.vocabulary import Rank

OLD_TABLE = "mutasi_idempotency_claims"


class ClaimThenComplete:
    """The replaced design, reduced to its database work: claim (INSERT ... ON CONFLICT DO NOTHING),
    then run, then complete (UPDATE), through a pool of its own as large as the event store's."""

    def __init__(self, settings: Settings) -> None:
        self.table = postgres_table(settings, OLD_TABLE)
        self.pool = WarmFirstPool(
            postgres_conninfo(settings),
            min_size=1,
            max_size=settings.postgres_pool_size + settings.postgres_max_overflow,
            kwargs={"autocommit": True},
            open=True,
        )
        with self.pool.connection() as conn:
            conn.execute(
                sql.SQL(
                    "CREATE TABLE {} (scope text NOT NULL, key text NOT NULL, fingerprint text NOT NULL, "
                    "status integer, body bytea, etag text, created_at timestamptz NOT NULL, "
                    "PRIMARY KEY (scope, key))"
                ).format(self.table)
            )

    def run(self, scope: str, key: str, fingerprint: str, command: Callable[[], Any]) -> Response:
        with self.pool.connection() as conn:
            claimed = conn.execute(
                sql.SQL(
                    "INSERT INTO {} (scope, key, fingerprint, created_at) VALUES (%s, %s, %s, now()) "
                    "ON CONFLICT DO NOTHING"
                ).format(self.table),
                (scope, key, fingerprint),
            ).rowcount
        assert claimed, "every key of the benchmark is new"
        recorded = command()
        body, tag = CommandResult.of(recorded).model_dump_json().encode(), etag(recorded.version)
        with self.pool.connection() as conn:
            conn.execute(
                sql.SQL("UPDATE {} SET status = %s, body = %s, etag = %s WHERE scope = %s AND key = %s").format(
                    self.table
                ),
                (201, body, tag, scope, key),
            )
        return Response(body, 201, headers={"ETag": tag}, media_type="application/json")

    def close(self) -> None:
        self.pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=2000, help="commands per measurement")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    figures: dict[str, object] = {"commands": args.commands, "rounds": args.rounds}
    with fresh_store("idempotent", args.keep, pool_size=10) as settings:
        app: MutasiApplication = open_application(settings)
        baseline = ClaimThenComplete(settings)
        nips = [nip(k) for k in range(3 * 2 * args.commands)]  # formatted before the clock starts
        issued, lock = [0], threading.Lock()

        def next_nip() -> tuple[int, str]:
            with lock:
                k, issued[0] = issued[0], issued[0] + 1
            return k, nips[k]

        def register(k: int, number: str) -> Any:
            return app.register_employee(OPERATOR, number, f"Pegawai {k}", Rank.III_A)

        def keyed(writer: int, i: int) -> None:
            k, number = next_nip()
            context = CommandContext(OPERATOR, None, f"key-{k}", f"fingerprint-{k}", app)
            assert context.run(lambda actor, _: register(k, number), 201).status_code == 201

        def claimed(writer: int, i: int) -> None:
            k, number = next_nip()
            baseline.run(OPERATOR.user, f"key-{k}", f"fingerprint-{k}", lambda: register(k, number))

        def unkeyed(writer: int, i: int) -> None:
            k, number = next_nip()
            context = CommandContext(OPERATOR, None, None, "", app)
            context.run(lambda actor, _: register(k, number), 201)

        try:
            for writers in (1, 8):
                now, before, bare = (
                    Measure(name) for name in ("keyed (key in the events' txn)", "claim_then_complete", "unkeyed")
                )
                for _ in range(args.rounds):
                    chunk = args.commands // args.rounds
                    before.run(writers, chunk, claimed)
                    now.run(writers, chunk, keyed)
                    bare.run(writers, chunk, unkeyed)
                now_f, before_f, bare_f = now.figures(writers), before.figures(writers), bare.figures(writers)
                figures[f"writers_{writers}"] = {
                    "keyed": now_f,
                    "claim_then_complete": before_f,
                    "unkeyed": bare_f,
                    "ratio_keyed_to_claim_then_complete": round(now_f["per_s"] / before_f["per_s"], 3),
                    "ratio_keyed_to_unkeyed": round(now_f["per_s"] / bare_f["per_s"], 3),
                }
        finally:
            baseline.close()
            app.close()
    figures["target_ratio_keyed_to_claim_then_complete"] = 0.9
    save_result("idempotent_commands", figures)


if __name__ == "__main__":
    main()
