"""`create_app`: the FastAPI application over one `MutasiApplication` (nothing happens at import)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager, closing
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.middleware.cors import CORSMiddleware

from api.http import site
from api.http.docs import install_docs
from api.http.methods import MethodsOfPath
from api.http.middleware import RequestContext
from api.http.openapi import complete
from api.http.problems import Problem, install_problem_handlers
from api.http.roles import MATRIX, Role
from api.http.routes import (
    audit,
    documents,
    employees,
    health,
    objections,
    plans,
    positions,
    public,
    read_models,
    receipts,
    reports,
    rounds,
)
from api.http.security import ApiSettings, TokenVerifier, jwt_secret
from application.bootstrap import open_application
from application.persistence.stores import Stores
from application.service import MutasiApplication
from application.settings import Settings
from projections.read_side import open_read_side

if TYPE_CHECKING:
    from api.http.oidc import SignOn

DESCRIPTION = """Event-sourced management of ASN transfers (mutasi): employees, positions and mutation
rounds from proposal to evaluation.

Authenticate with `Authorization: Bearer <token>`: an access token of the identity provider (OpenID
Connect, when configured), or in development mode one from `mutasi token ROLE --user NAME`.
Commands answer with the aggregate's new `version` (also in `ETag`) and the store `position`; send
`If-Match: "<version>"` to refuse a change when the aggregate moved (412), and `Idempotency-Key` to make
a retry safe. Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `type`.
"""


def create_app(stores: Stores | Settings, application: MutasiApplication | None, api: ApiSettings) -> FastAPI:
    """The REST API on `stores` (given `Settings`, the service opens its own stores at start-up and
    closes them at shutdown). With `application` (the caller then closes it), the service uses it and
    its stores. `api`: the HTTP settings, read once by the caller."""
    settings = stores if isinstance(stores, Settings) else stores.settings
    secret = jwt_secret(settings, api) if api.accepts_hs256 else None
    sign_on = _sign_on(api)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with ExitStack() as stack:
            if application is not None:
                mutasi = application
            else:
                opened = Stores.of(stores)
                if opened is not stores:  # its own, closed at shutdown after the application
                    stack.enter_context(opened)
                mutasi = stack.enter_context(closing(open_application(opened)))
            app.state.application = mutasi
            app.state.jwt_secret = secret
            if sign_on is not None:
                sign_on.keys.refresh()  # at start-up, so the first request does not wait for the keys
            app.state.tokens = TokenVerifier(secret, sign_on=sign_on.check if sign_on else None)
            app.state.read_side = stack.enter_context(open_read_side(mutasi.stores, head=mutasi.check_store))
            _freeze_start_up_objects()
            stack.callback(gc.unfreeze)
            yield

    app = FastAPI(
        title="Mutasi",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,  # served by install_docs from a package, not a CDN
        generate_unique_id_function=lambda route: route.name,
    )  # operationId = matrix row
    install_docs(app)
    for module in (employees, positions, rounds, objections, plans, public, health, audit, receipts):
        app.include_router(module.router)
    for router in (read_models.router, reports.router, reports.public_router, audit.public_router):
        app.include_router(router)
    app.include_router(documents.router)  # the round's printable documents (PDF)
    app.include_router(site.router)  # the public site (HTML, outside the OpenAPI document; roles.PAGES)
    install_problem_handlers(app)
    app.add_middleware(MethodsOfPath)  # inside RequestContext, so its answers carry the correlation id
    metrics = None
    if api.metrics_enabled:
        from api.http.metrics import install_metrics  # prometheus_client only where it is used

        metrics = install_metrics(app, api)
    app.add_middleware(RequestContext, metrics=metrics)
    if api.cors_origins:  # outermost, so every answer (a 500 from RequestContext too) carries the headers
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(api.cors_origins),
            allow_methods=CORS_METHODS,
            allow_headers=CORS_HEADERS,
            expose_headers=CORS_EXPOSED,
            max_age=600,
        )
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


CORS_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
CORS_HEADERS = ["Authorization", "Content-Type", "Accept", "If-Match", "Idempotency-Key", "X-Correlation-ID"]
CORS_EXPOSED = [
    "ETag",
    "Location",
    "Retry-After",
    "X-Correlation-ID",
    "X-View-Position",
    "Idempotent-Replayed",
    "Content-Disposition",
]


def _sign_on(api: ApiSettings) -> SignOn | None:
    if not api.sign_on:
        return None
    from api.http.oidc import SignOn

    return SignOn(api)


def _freeze_start_up_objects() -> None:
    """Leave what start-up made (modules, the application, the views: ~130,000 objects) out of the
    cyclic garbage collector. Under load the server ran a full collection every ~1,200 commands, and
    each walked all of them: a 90-120 ms pause of every request in flight, which was the p99. (No
    `gc.collect()` first: it costs ~100 ms per start, and what little garbage is frozen with the rest
    is collected after `gc.unfreeze()` at shutdown.)"""
    gc.freeze()


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(problem.pop("$defs", {}))
        schemas["Problem"] = problem
        for operations in schema["paths"].values():
            for operation in operations.values():
                if Role.PUBLIC in MATRIX.get(operation.get("operationId"), ()):
                    operation["security"] = [{}, *operation.get("security", [])]  # a token is optional
        complete(schema)  # headers of every response, examples as written
        app.openapi_schema = schema
    return app.openapi_schema
