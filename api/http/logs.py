"""The service's logs as JSON lines: one object per line, the traceback (if any) as a field.

Our request log, our errors and uvicorn's own lines (its error log: start-up, shutdown, protocol errors;
its access log, when turned on) share the format, and each line written while a request is being
answered carries that request's correlation id (`CORRELATION_ID`, set by `middleware.RequestContext`).
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

ENTRY = "json_entry"
"""A record attribute (`extra={ENTRY: {...}}`) holding the message as a dict already."""

CORRELATION_ID: ContextVar[str | None] = ContextVar("correlation_id", default=None)
"""The correlation id of the request being answered in this context, if any."""

LOGGERS = ("mutasi.http", "uvicorn", "uvicorn.error", "uvicorn.access")


class JsonLines(logging.Formatter):
    """Format a record whose message is a JSON object (or plain text) as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = getattr(record, ENTRY, None)
        if not isinstance(entry, dict):
            entry = _uvicorn_access(record) if record.name == "uvicorn.access" else None
        if not isinstance(entry, dict):
            message = record.getMessage()
            try:
                parsed = json.loads(message) if message.startswith("{") else None
            except ValueError:
                parsed = None
            entry = parsed if isinstance(parsed, dict) else {"message": message}
        entry = {"level": record.levelname.lower(), "logger": record.name, **entry}
        entry.setdefault("time", datetime.fromtimestamp(record.created, UTC).isoformat())
        correlation_id = CORRELATION_ID.get()
        if correlation_id is not None:
            entry.setdefault("correlation_id", correlation_id)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _uvicorn_access(record: logging.LogRecord) -> dict[str, Any] | None:
    """uvicorn's access line `'%s - "%s %s HTTP/%s" %d'` as fields."""
    args = record.args
    if isinstance(args, tuple) and len(args) == 5:
        client, method, path, http_version, status = args
        return {"client": client, "method": method, "path": path, "http_version": http_version, "status": status}
    return None


def log_config(stream: TextIO | None = None, level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` (uvicorn's `log_config`) writing our and uvicorn's logs to
    `stream` (default stdout) as JSON lines."""
    handler: dict[str, Any] = {"class": "logging.StreamHandler", "formatter": "json"}
    handler["stream"] = stream if stream is not None else "ext://sys.stdout"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonLines}},
        "handlers": {"json": handler},
        "loggers": {name: {"handlers": ["json"], "level": level, "propagate": False} for name in LOGGERS},
    }
