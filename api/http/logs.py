"""The service's logs as JSON lines: one object per line, the traceback (if any) as a field."""

from __future__ import annotations

import json
import logging
import sys


ENTRY = "json_entry"
"""A record attribute (`extra={ENTRY: {...}}`) holding the message as a dict already."""


class JsonLines(logging.Formatter):
    """Format a record whose message is a JSON object (or plain text) as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = getattr(record, ENTRY, None)
        if not isinstance(entry, dict):
            message = record.getMessage()
            try:
                entry = json.loads(message)
                if not isinstance(entry, dict):
                    raise ValueError
            except ValueError:
                entry = {"message": message}
        entry = {"level": record.levelname.lower(), "logger": record.name, **entry}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_json_lines(stream=sys.stdout) -> None:
    """Send the service's `mutasi.http` logs (requests and unexpected errors) to `stream` as JSON lines."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    logger = logging.getLogger("mutasi.http")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
