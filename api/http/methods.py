"""The methods of a path: `OPTIONS` names them all in `Allow`, and a method the path lacks is a 405 that
names them all too. A literal segment wins over a parameter: `GET /employees/lookup` is a 405 (the path
is the lookup's, which is `POST`), not a read of an employee whose id would be "lookup"."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from re import Pattern

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from api.http.problems import problem_response


def _flattened(routes: Sequence[BaseRoute]) -> Iterable[object]:
    """Every route: FastAPI keeps included routers as branches, flattened by `iter_route_contexts`;
    an older FastAPI copied the routes into the app's router."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI
        return routes
    return iter_route_contexts(routes)


def _paths(routes: Sequence[BaseRoute]) -> Iterator[tuple[str, frozenset[str]]]:
    for route in _flattened(routes):
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if path and methods:
            yield path, frozenset(methods)


class MethodsOfPath:
    """ASGI middleware over the app's routes (read once, at the first request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._static: dict[str, frozenset[str]] | None = None  # a path without parameters: its methods
        self._patterns: list[tuple[Pattern[str], frozenset[str]]] = []

    def _read(self, routes: Sequence[BaseRoute]) -> dict[str, frozenset[str]]:
        static: dict[str, frozenset[str]] = {}
        for path, methods in _paths(routes):
            regex, _, convertors = compile_path(path)
            if convertors:
                self._patterns.append((regex, methods))
            else:
                static[path] = static.get(path, frozenset()) | methods
        return static

    def allowed(self, path: str) -> frozenset[str]:
        """The methods of `path`: those of its literal routes if it has some, else of every route
        whose pattern it matches (empty: no such path)."""
        assert self._static is not None
        if path in self._static:
            return self._static[path]
        return frozenset(method for regex, methods in self._patterns if regex.match(path) for method in methods)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._static is None:
            self._static = self._read(scope["app"].router.routes)
        method, path = scope["method"], scope["path"]
        if method != "OPTIONS" and (path not in self._static or method in self._static[path]):
            await self.app(scope, receive, send)  # the router finds the route, or answers 404 / 405 itself
            return
        methods = self.allowed(path)
        if not methods:
            await self.app(scope, receive, send)
            return
        allow = ", ".join(sorted(methods | {"OPTIONS"}))
        if method == "OPTIONS":
            response: Response = Response(status_code=204, headers={"Allow": allow})
        else:
            response = problem_response(
                Request(scope),
                405,
                "method-not-allowed",
                "Method not allowed",
                f"{path} answers {allow}",
                headers={"Allow": allow},
            )
        await response(scope, receive, send)
