"""Benchmark 2: single-command saves in process, 1 and 8 concurrent writers, versus raw psycopg
single-row insert-and-commit with the same concurrency.

    python -m bench.commands [--commands 2000] [--rounds 4] [--keep]

Commands: `register_employee` (one event in its own transaction; the store's uniqueness of the
NIP-derived id is the existence check) and `rate_performance` on an employee registered beforehand
(load the aggregate, then save one event). The baseline inserts one row of the same size into a
table of the events table's shape and commits, one connection per writer. Baseline and commands take
turns in `--rounds` rounds, so that load from elsewhere on the machine falls on both alike.
Target: ratio >= 0.5 (events/s of the command over rows/s of the baseline).
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from uuid import uuid4

from application.bootstrap import open_application
from application.context import Actor
from bench.common import connect, fresh_store, percentiles, save_result
from domain.employee import Employee
from domain.official import NATIONAL
from domain.vocabulary import Expectation, Rank

OPERATOR = Actor("bench-operator", agencies=(NATIONAL,))
SHAPE = """
CREATE TABLE raw_target (
    originator_id uuid NOT NULL, originator_version bigint NOT NULL, topic text, state bytea,
    notification_id bigserial, PRIMARY KEY (originator_id, originator_version));
CREATE UNIQUE INDEX raw_target_notification_id_idx ON raw_target (notification_id ASC);
"""


def nip(k: int) -> str:
    """A valid, unique NIP for the k-th benchmark employee."""
    birth = date(1975, 1, 1) + timedelta(days=k // 1000)
    return f"{birth:%Y%m%d}200001{1 + k % 2}{k % 1000:03d}"


def in_threads(writers: int, per_writer: int, work: Callable[[int, int], None]) -> tuple[float, list[float]]:
    """Run work(writer, i) per_writer times in each of `writers` threads; seconds and latencies (ms)."""
    latencies: list[float] = []
    lock, start = threading.Lock(), threading.Barrier(writers + 1)

    def run(writer: int) -> None:
        mine = []
        start.wait()
        for i in range(per_writer):
            began = time.perf_counter()
            work(writer, i)
            mine.append((time.perf_counter() - began) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, latencies


class Measure:
    """Rate and latencies of one kind of work, summed over the rounds it ran in."""

    def __init__(self, name: str) -> None:
        self.name, self.count, self.seconds, self.latencies = name, 0, 0.0, []

    def run(self, writers: int, total: int, work: Callable[[int, int], None]) -> None:
        per_writer = total // writers
        seconds, latencies = in_threads(writers, per_writer, work)
        self.count, self.seconds = self.count + per_writer * writers, self.seconds + seconds
        self.latencies += latencies

    def figures(self, writers: int) -> dict[str, float]:
        rate, quantiles = self.count / self.seconds, percentiles(self.latencies)
        print(f"{self.name:<28} writers={writers} {rate:8.0f}/s {quantiles}", flush=True)
        return {"per_s": round(rate), **{k: round(v, 2) for k, v in quantiles.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=2000, help="commands per measurement")
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="baseline and commands take turns in this many rounds, so that a burst of "
        "load from elsewhere on the machine falls on both alike",
    )
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    figures: dict[str, object] = {"commands": args.commands, "rounds": args.rounds}
    with fresh_store("commands", args.keep, pool_size=10) as settings:
        app = open_application(settings)
        conns = [connect(settings) for _ in range(8)]
        try:
            conns[0].execute(SHAPE)
            conns[0].commit()
            app.register_employee(OPERATOR, "197001012000011999", "Sample", Rank.III_A)
            state = next(iter(app.recorder.select_notifications(1, 1))).state  # a real event's size
            issued = [0]
            next_k = threading.Lock()
            nips = [nip(k) for k in range(2 * args.commands)]  # formatted before the clock starts

            def register(writer: int, i: int) -> None:
                with next_k:
                    k, issued[0] = issued[0], issued[0] + 1
                app.register_employee(OPERATOR, nips[k], f"Pegawai {k}", Rank.III_A)

            def raw_insert(writer: int, i: int) -> None:
                conn = conns[writer]
                conn.execute(
                    "INSERT INTO raw_target (originator_id, originator_version, topic, state) VALUES (%s, 1, %s, %s)",
                    (uuid4(), "domain.employee:Employee.Registered", state),
                )
                conn.commit()

            for writers in (1, 8):
                raw, cmd, rated = (
                    Measure(name) for name in ("raw insert+commit", "register_employee", "rate_performance (load+save)")
                )
                for _ in range(args.rounds):
                    chunk = args.commands // args.rounds
                    raw.run(writers, chunk, raw_insert)
                    first = issued[0]
                    cmd.run(writers, chunk, register)
                    ids = [Employee.create_id(nips[k]) for k in range(first, issued[0])]
                    per = len(ids) // writers

                    def rate(writer: int, i: int, ids=ids, per=per) -> None:
                        app.rate_performance(
                            OPERATOR, ids[writer * per + i], 2025, Expectation.ABOVE, Expectation.AS_EXPECTED
                        )

                    rated.run(writers, chunk, rate)
                raw_f, cmd_f, rated_f = raw.figures(writers), cmd.figures(writers), rated.figures(writers)
                figures[f"writers_{writers}"] = {
                    "raw_insert_commit": raw_f,
                    "register_employee": cmd_f,
                    "rate_performance": rated_f,
                    "ratio_register": round(cmd_f["per_s"] / raw_f["per_s"], 3),
                    "ratio_rate_performance": round(rated_f["per_s"] / raw_f["per_s"], 3),
                }
        finally:
            for conn in conns:
                conn.close()
            app.close()
    figures["target_ratio"] = 0.5
    save_result("commands", figures)


if __name__ == "__main__":
    main()
