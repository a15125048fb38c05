"""`mutasi`: the command line. Each sub-command module registers itself on the parser.

Bad input ends with a one-line message on stderr and exit status 2; nothing is recorded.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from api.cli import audit, db, demo, generate, plan, projections, roster_import, serve, token
from application.errors import ApplicationError
from application.settings import Settings
from domain.errors import DomainError

COMMANDS = (audit, db, demo, generate, plan, projections, roster_import, serve, token)


def build_parser() -> argparse.ArgumentParser:
    """The `mutasi` argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="mutasi", description="Mutasi: event-sourced management of ASN transfers."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(commands)
    return parser


def _one_line(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"invalid setting {where}: {first['msg']}"
    return " ".join(str(error).split()) or type(error).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
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
