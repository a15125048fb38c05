"""`mutasi generate`: write a deterministic register (SIMPEG-shaped CSV or XLSX) of a chosen size."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from application.roster.files import write_roster
from application.roster.generate import REFERENCE_DATE, SIZES, RegisterGenerator
from application.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:
    """Add `generate`."""
    parser = commands.add_parser(
        "generate", help="write a deterministic register as a SIMPEG-shaped roster (CSV or XLSX)")
    parser.add_argument("--size", choices=list(SIZES), default="city",
                        help="city ~3,000, province ~50,000, national ~4.3 million employees")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same register (default 1)")
    parser.add_argument("--out", type=Path, default=Path("."), help="directory to write into")
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--as-of", type=date.fromisoformat, default=REFERENCE_DATE,
                        help=f"reference date of the register (default {REFERENCE_DATE})")
    parser.add_argument("--employees", type=int, help="override the size's number of employees")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Stream the register into DIR/simpeg-SIZE-seedN.FORMAT."""
    generator = RegisterGenerator(args.size, args.seed, args.as_of, args.employees)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"simpeg-{args.size}-seed{args.seed}.{args.format}"
    rows = write_roster(generator.rows(), path)
    print(f"{path}: {rows} rows ({generator.generated} employees, the rest vacant positions)")
    return 0
