"""`mutasi`: the command line. Each sub-command module registers itself on the parser.

Bad input ends with a one-line message on stderr and exit status 2; nothing is recorded.

Only the module of the command being run is imported (`mutasi --help` lists the others from
`COMMANDS`), and modules import what their work needs inside their handlers: `mutasi --help` and
`mutasi token` start in a fraction of the time it takes to load the application, the HTTP stack and
the planner's solver (scipy, loaded only when a plan is computed).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module

from pydantic import ValidationError

from application.errors import ApplicationError
from application.settings import Settings
from domain.errors import DomainError

COMMANDS = {  # command -> (its module, the line `mutasi --help` shows: the module's own `help=`)
    "audit": ("api.cli.audit", "replay histories, verify the record, export bundles"),
    "db": ("api.cli.db", "manage the event store"),
    "demo": ("api.cli.demo", "load a sample register into the running service and walk one round over HTTP"),
    "documents": ("api.cli.documents", "write a round's decree (SK), announcement or evaluation summary as PDF"),
    "generate": ("api.cli.generate", "write a deterministic register (SIMPEG-shaped CSV or XLSX) and its history"),
    "objection": ("api.cli.objection", "file and answer objections (sanggah) to decisions"),
    "plan": ("api.cli.plan", "compute, show and adopt mutation plans"),
    "projections": ("api.cli.projections", "run, rebuild and inspect the read models (views)"),
    "import": (
        "api.cli.roster_import",
        "import positions and employees with their history from a roster (CSV or XLSX)",
    ),
    "template": ("api.cli.template", "write the roster import template (XLSX) to fill in and import"),
    "serve": ("api.cli.serve", "run the REST API (OpenAPI at /docs); SQLite by default, PostgreSQL when configured"),
    "token": ("api.cli.token", "mint a bearer token for a role (development mode)"),
    "witness": ("api.cli.witness", "cosign the log's tree heads as an independent witness"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The `mutasi` argument parser with every sub-command; given `only`, that one in full and the
    others as their names and help lines (their modules are not imported)."""
    parser = argparse.ArgumentParser(prog="mutasi", description="Mutasi: event-sourced management of ASN transfers.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, summary) in COMMANDS.items():
        if only is None or name == only:
            import_module(module).register(commands)
        else:
            commands.add_parser(name, help=summary)
    return parser


def _command(argv: Sequence[str]) -> str:
    """The command word of `argv` (the first argument that is not an option), or ""."""
    return next((arg for arg in argv if not arg.startswith("-")), "")


def version() -> str:
    """The installed package's version (`pyproject.toml`)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("mutasi")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def _one_line(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"invalid setting {where}: {first['msg']}"
    return " ".join(str(error).split()) or type(error).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(_command(argv)).parse_args(argv)
    try:
        settings = Settings()
        if getattr(args, "http_settings", False):  # serve, token, demo: the HTTP settings, read once here
            from api.http.security import ApiSettings

            return int(args.handler(args, settings, ApiSettings()) or 0)
        return int(args.handler(args, settings) or 0)
    except (DomainError, ApplicationError, ValidationError, ValueError) as error:
        print(f"mutasi: {_one_line(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`mutasi projections status | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
