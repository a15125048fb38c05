"""`mutasi demo`: load a sample city register and walk one mutation round from opening to evaluation."""

from __future__ import annotations

import argparse
from datetime import timedelta

from application.bootstrap import initialise_store, open_application
from application.context import Actor
from application.demo import walk_round
from application.sample import load_sample
from application.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:
    """Add `demo`."""
    demo = commands.add_parser(
        "demo", help="load a sample register and walk one round through every step"
    )
    demo.add_argument("--employees", type=int, default=300, help="sample size (default 300)")
    demo.add_argument("--seed", type=int, default=2026, help="sample seed (default 2026)")
    demo.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Load the sample (kept if already there) and walk a round, printing each step."""
    if settings.store == "sqlite":
        initialise_store(settings)
    app = open_application(settings)
    try:
        print(f"loading the sample register of {args.employees} employees ...")
        register = load_sample(app, seed=args.seed, employees=args.employees)
        print(f"  {sum(map(len, register.positions.values()))} positions in "
              f"{len(register.positions)} units, {len(register.employees)} employees")
        later = open_application(settings, clock=lambda: app.today() + timedelta(days=92))
        try:
            for line in walk_round(app, later, register, Actor("demo-operator")):
                print(line)
        finally:
            later.close()
    finally:
        app.close()
    return 0
