"""`mutasi serve`: run the REST API with uvicorn on the configured store."""

from __future__ import annotations

import argparse

from application.bootstrap import initialise_store
from application.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:
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
    serve.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until interrupted. On the SQLite default the store is initialised first (development mode).

    Logging is configured first, once, for our loggers and uvicorn's alike (JSON lines on stdout);
    uvicorn is told to leave it as it is (`log_config=None`)."""
    import logging.config

    import uvicorn

    from api.http.app import create_app
    from api.http.logs import log_config
    from api.http.security import ApiSettings

    logging.config.dictConfig(log_config())
    api = ApiSettings()
    if settings.store == "sqlite":
        initialise_store(settings)
    app = create_app(settings, api=api)
    uvicorn.run(
        app, host=args.host or api.host, port=args.port or api.port, access_log=args.uvicorn_access_log, log_config=None
    )
    return 0
