"""Prometheus metrics at `/metrics` (when `MUTASI_METRICS_ENABLED`), one registry per app.

Counted as requests are answered (`Metrics.observe`, called by `middleware.RequestContext`):
request latency per route name, method and status; commands (every non-safe method) by outcome;
idempotent replays. Read from the stores when scraped (`StoreCollector`): the event store's head,
each view's position and lag (what `GET /projections/status` reads), and the PostgreSQL pools'
connections in use and requests waiting (SQLite's pools keep no such statistics: no series).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.datastructures import State
from starlette.exceptions import HTTPException
from starlette.types import Scope

from api.http.security import ApiSettings
from projections.admin import view_status

log = logging.getLogger("mutasi.http.metrics")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Metrics:
    """The app's metrics: what the middleware counts, and the collector that reads the stores."""

    def __init__(self, state: State) -> None:
        self.registry = CollectorRegistry()
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=self.registry)
        self.latency = Histogram(
            "mutasi_http_request_duration_seconds",
            "Time to answer a request",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.commands = Counter(
            "mutasi_commands",
            "Commands (POST, PUT, PATCH, DELETE) by outcome: "
            "done (2xx), replayed (an Idempotency-Key's stored answer), refused (4xx), "
            "failed (5xx)",
            ("command", "outcome"),
            registry=self.registry,
        )
        self.replays = Counter(
            "mutasi_idempotent_replays",
            "Answers replayed for a repeated Idempotency-Key",
            ("command",),
            registry=self.registry,
        )
        self.registry.register(StoreCollector(state))

    def observe(self, scope: Scope, status: int, seconds: float, replayed: bool) -> None:
        """Count one answered request."""
        route = getattr(scope.get("route"), "name", None) or "unmatched"
        method = scope["method"]
        self.latency.labels(route, method, str(status)).observe(seconds)
        if method not in SAFE_METHODS:
            outcome = ("replayed" if replayed else "done") if status < 400 else "refused" if status < 500 else "failed"
            self.commands.labels(route, outcome).inc()
            if replayed:
                self.replays.labels(route).inc()

    def exposition(self) -> bytes:
        """The text format a Prometheus server scrapes."""
        return generate_latest(self.registry)


class StoreCollector(Collector):
    """Series read from the stores at each scrape (the service's `app.state`)."""

    def __init__(self, state: State) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        application = getattr(self.state, "application", None)
        if application is None:  # not started
            return
        up = GaugeMetricFamily("mutasi_store_up", "1 when the last scrape could read the stores")
        try:
            yield from self._store(application)
            up.add_metric([], 1)
        except Exception as error:  # noqa: BLE001 - a scrape must answer while the database is down
            log.warning(json.dumps({"event": "metrics_store_unreadable", "error": str(error)}))
            up.add_metric([], 0)
        yield up
        yield from self._pools(application)

    def _store(self, application: Any) -> Iterator[Metric]:
        head = CounterMetricFamily(
            "mutasi_events_appended",
            "Events appended to the event store, by every "
            "writer (its head position: ids of rolled-back inserts count too)",
        )
        side = getattr(self.state, "read_side", None)
        read_models = getattr(side, "read_models", None)
        if read_models is None:
            head.add_metric([], application.recorder.max_notification_id() or 0)
            yield head
            return
        statuses = view_status(read_models.db, application)
        head.add_metric([], statuses[0].latest if statuses else application.recorder.max_notification_id() or 0)
        yield head
        position = GaugeMetricFamily("mutasi_projection_position", "Last event applied to the view", labels=["view"])
        lag = GaugeMetricFamily("mutasi_projection_lag_events", "Events not yet applied to the view", labels=["view"])
        seconds = GaugeMetricFamily(
            "mutasi_projection_lag_seconds",
            "Recording time of the store's latest event minus that of the view's last one",
            labels=["view"],
        )
        for status in statuses:
            position.add_metric([status.view], status.position)
            lag.add_metric([status.view], status.lag_events)
            if status.lag_seconds is not None:
                seconds.add_metric([status.view], status.lag_seconds)
        yield from (position, lag, seconds)

    def _pools(self, application: Any) -> Iterator[Metric]:
        side = getattr(self.state, "read_side", None)
        pools = {
            "events": getattr(getattr(application.recorder, "datastore", None), "pool", None),
            "idempotency": getattr(getattr(self.state, "idempotency", None), "pool", None),
            "views": getattr(getattr(getattr(side, "read_models", None), "db", None), "datastore", None),
        }
        pools["views"] = getattr(pools["views"], "pool", None)
        in_use = GaugeMetricFamily("mutasi_pool_connections_in_use", "Connections lent out", labels=["pool"])
        size = GaugeMetricFamily("mutasi_pool_connections", "Connections open", labels=["pool"])
        waiting = GaugeMetricFamily(
            "mutasi_pool_requests_waiting", "Requests waiting for a connection", labels=["pool"]
        )
        for name, pool in pools.items():
            get_stats = getattr(pool, "get_stats", None)  # psycopg_pool's; SQLite's pools have none
            if get_stats is None:
                continue
            stats = get_stats()
            in_use.add_metric([name], stats.get("pool_size", 0) - stats.get("pool_available", 0))
            size.add_metric([name], stats.get("pool_size", 0))
            waiting.add_metric([name], stats.get("requests_waiting", 0))
        if in_use.samples:
            yield from (in_use, size, waiting)


def install_metrics(app: FastAPI, api: ApiSettings) -> Metrics:
    """Create the app's metrics and serve them at `/metrics` (outside the OpenAPI document and the role
    matrix: it is for the scraper, unauthenticated unless `MUTASI_METRICS_TOKEN` is set)."""
    metrics = Metrics(app.state)
    token = api.metrics_token.get_secret_value().encode() if api.metrics_token else None

    def scrape(request: Request) -> Response:  # a plain def: the store reads run in the thread pool
        if token is not None:
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, b"Bearer " + token):
                raise HTTPException(
                    401,
                    "/metrics needs the scrape token (MUTASI_METRICS_TOKEN)",
                    headers={"WWW-Authenticate": "Bearer"},
                )
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route("/metrics", scrape, methods=["GET"], name="metrics", include_in_schema=False)
    return metrics
