"""`mutasi objection file | answer`: objections (sanggah) on the configured store, in-process.

Like `mutasi plan`, this acts directly on the store (whoever runs it can reach the database): `--user`
and `--nip` name who acts in the events, `--agency` the agencies they act for. The employee concerned
files with their own NIP; an operator files on their written behalf with `--letter`.
"""

from __future__ import annotations

import argparse
from uuid import UUID

from application.settings import Settings
from domain.objection import ObjectionGrounds


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `objection` and its sub-commands."""
    parser = commands.add_parser("objection", help="file and answer objections (sanggah) to decisions")
    actions = parser.add_subparsers(dest="objection_command", required=True, metavar="ACTION")
    file = actions.add_parser("file", help="object to the decision on a proposal; prints the objection id")
    file.add_argument("round_id", type=UUID)
    file.add_argument("proposal_id", type=UUID)
    file.add_argument("--grounds", required=True, choices=[g.value for g in ObjectionGrounds])
    file.add_argument("--text", required=True, help="the objection in the employee's words")
    file.add_argument("--letter", help="the employee's letter, when an operator files on their behalf")
    _actor(file, agency_required=False)
    file.set_defaults(handler=run_file)
    answer = actions.add_parser("answer", help="the committee's answer to an objection")
    answer.add_argument("round_id", type=UUID)
    answer.add_argument("proposal_id", type=UUID)
    answer.add_argument("objection_id", type=UUID)
    verdict = answer.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--uphold", dest="upheld", action="store_true", help="reopen the decision for the PPK")
    verdict.add_argument("--dismiss", dest="upheld", action="store_false")
    answer.add_argument("--reasons", required=True)
    answer.add_argument("--reviewer", help="who reviewed a plan-recommended case in person")
    answer.add_argument("--review-grounds", help="on which grounds the reviewer decided")
    _actor(answer, agency_required=True)
    answer.set_defaults(handler=run_answer)


def _actor(parser: argparse.ArgumentParser, agency_required: bool) -> None:
    parser.add_argument("--user", required=True, help="the acting user, recorded in every event")
    parser.add_argument("--nip", help="the user's own NIP (the employee concerned files with theirs)")
    parser.add_argument(
        "--agency",
        action="append",
        required=agency_required,
        default=[],
        metavar="AGENCY",
        dest="agencies",
        help="an agency the user acts for (repeat for several)",
    )


def _who(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from application.context import Actor
    from domain.nip import Nip

    return Actor(args.user, Nip.parse(args.nip).value if args.nip else None, agencies=tuple(args.agencies))


def run_file(args: argparse.Namespace, settings: Settings) -> int:
    """File the objection and print its id."""
    from application.bootstrap import open_application

    with open_application(settings) as app:
        recorded = app.file_objection(
            _who(args), args.round_id, args.proposal_id, ObjectionGrounds(args.grounds), args.text, args.letter
        )
    print(recorded.objection_id)
    return 0


def run_answer(args: argparse.Namespace, settings: Settings) -> int:
    """Record the committee's answer."""
    from application.bootstrap import open_application
    from domain.objection import HumanReview

    review = None
    if args.reviewer or args.review_grounds:
        review = HumanReview(args.reviewer or "", args.review_grounds or "")
    with open_application(settings) as app:
        recorded = app.answer_objection(
            _who(args), args.round_id, args.proposal_id, args.objection_id, args.upheld, args.reasons, review
        )
    print(
        f"objection {args.objection_id} {'upheld: the decision is reopened' if args.upheld else 'dismissed'}"
        f" (round version {recorded.version})"
    )
    return 0
