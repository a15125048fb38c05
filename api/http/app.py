"""`create_app`: the FastAPI application over one `MutasiApplication` (nothing happens at import)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from application.idempotency import open_idempotency_store
from api.http.middleware import RequestContext
from api.http.problems import Problem, install_problem_handlers
from api.http.roles import MATRIX, Role
from api.http.routes import audit, employees, health, plans, positions, projections, public, reports, rounds
from api.http.security import ApiSettings, TokenVerifier, jwt_secret
from application.bootstrap import open_application
from application.service import MutasiApplication
from application.settings import Settings

DESCRIPTION = """Event-sourced management of ASN transfers (mutasi): employees, positions and mutation
rounds from proposal to evaluation.

Authenticate with `Authorization: Bearer <token>` (in development mode: `mutasi token ROLE --user NAME`).
Commands answer with the aggregate's new `version` (also in `ETag`) and the store `position`; send
`If-Match: "<version>"` to refuse a change when the aggregate moved (412), and `Idempotency-Key` to make
a retry safe. Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `type`.
"""


def create_app(
    settings: Settings, application: MutasiApplication | None = None, api: ApiSettings | None = None
) -> FastAPI:
    """The REST API on `settings`' store; uses `application` if given (the caller then closes it)."""
    api = api or ApiSettings()
    secret = jwt_secret(settings, api)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        mutasi = application or open_application(settings)
        app.state.application = mutasi
        app.state.idempotency = open_idempotency_store(settings)
        app.state.jwt_secret = secret
        app.state.tokens = TokenVerifier(secret)
        try:
            with projections.open_read_side(settings) as app.state.read_side:
                _freeze_start_up_objects()
                yield
        finally:
            gc.unfreeze()
            app.state.idempotency.close()
            if application is None:
                mutasi.close()

    app = FastAPI(title="Mutasi", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  generate_unique_id_function=lambda route: route.name)  # operationId = matrix row
    for module in (employees, positions, rounds, plans, public, health, audit):
        app.include_router(module.router)
    for router in (projections.router, reports.router, reports.public_router, audit.public_router):
        app.include_router(router)
    install_problem_handlers(app)
    app.add_middleware(RequestContext)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _freeze_start_up_objects() -> None:
    """Leave what start-up made (modules, the application, the views: ~130,000 objects) out of the
    cyclic garbage collector. Under load the server ran a full collection every ~1,200 commands, and
    each walked all of them: a 90-120 ms pause of every request in flight, which was the p99. (No
    `gc.collect()` first: it costs ~100 ms per start, and what little garbage is frozen with the rest
    is collected after `gc.unfreeze()` at shutdown.)"""
    gc.freeze()


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description,
                             routes=app.routes)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(problem.pop("$defs", {}))
        schemas["Problem"] = problem
        for operations in schema["paths"].values():
            for operation in operations.values():
                if Role.PUBLIC in MATRIX.get(operation.get("operationId"), ()):
                    operation["security"] = [{}, *operation.get("security", [])]  # a token is optional
        app.openapi_schema = schema
    return app.openapi_schema
