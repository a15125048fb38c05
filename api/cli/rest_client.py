"""A small JSON client of the REST API for the command line (standard library only), one token per role."""

from __future__ import annotations

import http.client
import json
import string
from typing import Any
from urllib.parse import urlsplit

from pydantic_core import to_jsonable_python

from application.sample import SampleCommand

SAMPLE_ROUTES = {
    "establish_position": "/positions",
    "register_employee": "/employees",
    "place_employee": "/employees/{employee_id}/placement",
    "assess_competency": "/employees/{employee_id}/assessments",
    "rate_performance": "/employees/{employee_id}/ratings",
}
"""Where each use case of the sample is sent; path parameters are taken from the command's arguments."""


class ServiceError(ValueError):
    """The service refused a request (its problem document says why) or could not be reached."""

    def __init__(self, status: int, problem: dict[str, Any], what: str) -> None:
        status_text = f"{status} {problem.get('title', '')}: " if status else ""
        super().__init__(f"{what}: {status_text}{problem.get('detail', problem)}")
        self.status = status
        self.code = problem.get("code")


class RestClient:
    """Sends JSON requests as one of the roles it holds a token for (None: anonymous)."""

    def __init__(self, base_url: str, tokens: dict[str, str]) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"base URL must be http://host:port, got {base_url!r}")
        self.base_url, self.tokens = base_url, tokens
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def send(
        self, who: str | None, method: str, path: str, body: Any = None, key: str | None = None
    ) -> tuple[int, Any]:
        """The status and JSON answer of one request."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if who is not None:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        if key is not None:
            headers["Idempotency-Key"] = key
        payload = None if body is None else json.dumps(to_jsonable_python(body)).encode()
        try:
            self.connection.request(method, path, body=payload, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except OSError as error:
            self.connection.close()
            raise ServiceError(
                0, {"detail": f"{error} (is `mutasi serve` running?)"}, f"cannot reach {self.base_url}"
            ) from None
        return response.status, json.loads(data) if data else None

    def ok(self, who: str | None, method: str, path: str, body: Any = None, key: str | None = None) -> Any:
        """The JSON answer of a request that must succeed."""
        status, answer = self.send(who, method, path, body, key)
        if status >= 300:
            raise ServiceError(status, answer or {}, f"{method} {path}")
        return answer

    def run(self, command: SampleCommand, key: str) -> tuple[int, Any]:
        """Send a sample command to its route (status and answer)."""
        template = SAMPLE_ROUTES[command.use_case]
        in_path = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        body = {k: v for k, v in command.args.items() if k not in in_path}
        return self.send(command.role, "POST", template.format(**command.args), body, key)
