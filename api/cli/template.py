"""`mutasi template -o FILE`: the import template (XLSX) with the SIMPEG roster's columns, Indonesian
instructions and drop-down lists (`application.roster.template`); fill it in and `mutasi import` it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from application.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `template`."""
    parser = commands.add_parser("template", help="write the roster import template (XLSX) to fill in and import")
    parser.add_argument(
        "--output",
        "-o",
        type=Path,
        default=Path("templat-impor-pegawai.xlsx"),
        help="the XLSX file to write (default: templat-impor-pegawai.xlsx)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Write the template (no store is needed)."""
    from application.roster.template import template_xlsx

    if args.output.suffix.lower() != ".xlsx":
        raise ValueError(f"{args.output}: the template is an XLSX workbook; name it .xlsx")
    args.output.write_bytes(template_xlsx())
    print(
        f"{args.output}: fill one row per employee (or per vacant position) and run `mutasi import {args.output}`",
        file=sys.stderr,
    )
    return 0
