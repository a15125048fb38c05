"""Correlation ids, JSON-lines request log, and the last line of defence: an unexpected error is a 500
problem document that echoes the correlation id, and the error is logged with it."""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from uuid import uuid4

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.logs import CORRELATION_ID, ENTRY
from api.http.problems import problem_response

if TYPE_CHECKING:
    from api.http.metrics import Metrics

HEADER = "x-correlation-id"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("mutasi.http.access")
error_log = logging.getLogger("mutasi.http.error")


class RequestContext:
    """Give every request a correlation id (the caller's X-Correlation-ID if sane), log it as JSON,
    and count it in `metrics` (if the service keeps them)."""

    def __init__(self, app: ASGIApp, metrics: Metrics | None = None) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or ()).get(HEADER.encode(), b"").decode("latin-1")
        correlation_id = given if _VALID.match(given) else uuid4().hex
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        context = CORRELATION_ID.set(correlation_id)  # for every log line written while answering
        started, status, replayed = time.perf_counter(), [500, False], [False]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0], status[1] = message["status"], True
                headers = message.get("headers", ())
                if self.metrics is not None:
                    replayed[0] = any(name.lower() == b"idempotent-replayed" for name, _ in headers)
                message["headers"] = [*headers, (HEADER.encode(), correlation_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            error_log.exception(
                json.dumps(
                    {
                        "event": "unexpected_error",
                        "correlation_id": correlation_id,
                        "method": scope["method"],
                        "path": scope["path"],
                    }
                )
            )
            if not status[1]:
                response = problem_response(
                    Request(scope),
                    500,
                    "internal-error",
                    "Internal error",
                    f"an unexpected error occurred; quote correlation id {correlation_id}",
                )
                await response(scope, receive, send_with_id)
        finally:
            CORRELATION_ID.reset(context)
            if self.metrics is not None:
                self.metrics.observe(scope, status[0], time.perf_counter() - started, replayed[0])
            if access_log.isEnabledFor(logging.INFO):
                entry = {
                    "time": datetime.now(UTC).isoformat(),
                    "correlation_id": correlation_id,
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status[0],
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                }  # the entry rides along, so `JsonLines` need not parse the message back
                access_log.info(JsonMessage(entry), extra={ENTRY: entry})


class JsonMessage:
    """A log message that is the JSON text of `entry` when a handler reads it (`str`, as
    `LogRecord.getMessage` does), and costs nothing when none does: `logs.JsonLines`, the service's
    formatter, writes the entry that rides along with the record instead."""

    __slots__ = ("entry",)

    def __init__(self, entry: dict[str, object]) -> None:
        self.entry = entry

    def __str__(self) -> str:
        return json.dumps(self.entry)
