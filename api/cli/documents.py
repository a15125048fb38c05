"""`mutasi documents ROUND_ID --kind decree|announcement|evaluation -o FILE`: a round's printable
document (PDF, Indonesian) from the configured store, in-process (whoever runs it can reach the
database, as with `mutasi audit`). The same store gives the same bytes; the verification code and
the audit position it was made from are printed on every page and on stderr."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from uuid import UUID

from application.settings import Settings

KINDS = ("decree", "announcement", "evaluation")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `documents`."""
    parser = commands.add_parser(
        "documents", help="write a round's decree (SK), announcement or evaluation summary as PDF"
    )
    parser.add_argument("round_id", type=UUID)
    parser.add_argument(
        "--kind",
        choices=KINDS,
        default="decree",
        help="decree: the SK with its lampiran; announcement: the pengumuman (approved "
        "transfers, masked NIP); evaluation: the summary of the round's evaluations",
    )
    parser.add_argument("--output", "-o", type=Path, required=True, help="the PDF file to write ('-': stdout)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Write the document."""
    from application.bootstrap import open_application
    from application.documents import make_document

    with open_application(settings) as app:
        document = make_document(app, args.round_id, args.kind)
    if str(args.output) == "-":
        sys.stdout.buffer.write(document.content)
    else:
        args.output.write_bytes(document.content)
    anchor = document.anchor
    print(
        f"{args.output}: {args.kind}, verification code {anchor.printed_code} (sha256 {anchor.hash or '-'}), "
        f"audit position {anchor.position if anchor.position is not None else '-'}",
        file=sys.stderr,
    )
    return 0
