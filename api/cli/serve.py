"""`mutasi serve`: run the REST API with uvicorn on the configured store."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from application.bootstrap import initialise_store
from application.persistence.stores import Stores
from application.settings import Settings

if TYPE_CHECKING:  # imported where it runs: the HTTP stack is not loaded for other commands
    from api.http.security import ApiSettings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `serve`."""
    serve = commands.add_parser(
        "serve", help="run the REST API (OpenAPI at /docs); SQLite by default, PostgreSQL when configured"
    )
    serve.add_argument("--host", help="address to listen on (default MUTASI_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default MUTASI_PORT or 8000)")
    serve.add_argument(
        "--uvicorn-access-log",
        action="store_true",
        help="also write uvicorn's own access lines (our request log already has every request)",
    )
    serve.set_defaults(handler=run, http_settings=True)


def run(args: argparse.Namespace, settings: Settings, api: ApiSettings) -> int:
    """Serve until interrupted. On the SQLite default the store is initialised first (development mode).

    Logging is configured first, once, for our loggers and uvicorn's alike (JSON lines on stdout);
    uvicorn is told to leave it as it is (`log_config=None`)."""
    import logging.config

    import uvicorn

    from api.http.app import create_app
    from api.http.logs import log_config

    logging.config.dictConfig(log_config())
    if settings.store == "sqlite":
        initialise_store(settings)
    with Stores(settings) as stores:  # every pool and path of the service, opened once
        app = create_app(stores, None, api)
        uvicorn.run(
            app,
            host=args.host or api.host,
            port=args.port or api.port,
            access_log=args.uvicorn_access_log,
            log_config=None,
        )
    return 0
