"""`mutasi audit migrate|tree-head|verify-receipt`: the log-wide transparency tree from the command line.

`verify-receipt FILE` needs no database and no server: the receipt, the log's public key and, when a
quorum is asked for, the witnesses' verifier keys.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from application.settings import Settings


def register_log(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the transparency-log sub-commands to `mutasi audit`."""
    migrate = actions.add_parser("migrate", help="build the log-wide Merkle tree of an existing store")
    migrate.set_defaults(handler=run_migrate)
    head = actions.add_parser("tree-head", help="extend the tree, sign its head if it grew, print the latest")
    head.set_defaults(handler=run_tree_head)
    receipt = actions.add_parser("verify-receipt", help="check a decree's receipt offline")
    receipt.add_argument("receipt", type=Path, help="the receipt (JSON of GET /public/receipts/{code})")
    receipt.add_argument("--public-key", type=Path, required=True, help="the log's public key (PEM)")
    receipt.add_argument(
        "--witness-key",
        action="append",
        default=[],
        metavar="VKEY",
        help="a witness's verifier key (repeat for several)",
    )
    receipt.add_argument(
        "--quorum", type=int, default=None, help="cosignatures required (default: every --witness-key given)"
    )
    receipt.set_defaults(handler=run_verify_receipt)
    compare = actions.add_parser("compare-heads", help="two kept tree heads: does one extend the other?")
    compare.add_argument("heads", type=Path, nargs=2, metavar="HEAD", help="signed tree heads (checkpoint text)")
    compare.add_argument("--public-key", type=Path, required=True, help="the log's public key (PEM)")
    compare.add_argument("--origin", help="the log's origin (default: the first line of the first head)")
    compare.add_argument("--log", help="the service's base URL, for the consistency proof between the sizes")
    compare.set_defaults(handler=run_compare_heads)


def run_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Build the tree from the events, then sign its head."""
    from application.audit.tlog.log import migrate, sign_head
    from application.bootstrap import open_application

    app = open_application(settings)
    try:
        size = migrate(app)
        signed = sign_head(app)
    finally:
        app.close()
    print(f"built the tree of {size} events" + (f"; signed its head (size {signed.size})" if signed else ""))
    return 0


def run_tree_head(args: argparse.Namespace, settings: Settings) -> int:
    """Print the latest signed tree head (a C2SP checkpoint with its cosignatures)."""
    from application.audit.tlog.log import latest_head, sign_head
    from application.audit.tlog.store import TreeStore
    from application.bootstrap import open_application

    app = open_application(settings)
    try:
        sign_head(app)
        head = latest_head(TreeStore(app.stores))
    finally:
        app.close()
    print(head.note.text() if head else "no tree head yet", end="" if head else "\n")
    return 0


def run_verify_receipt(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when the receipt holds, 1 with the reason."""
    from application.audit.receipts import verify_receipt
    from application.audit.signing import load_public_key

    try:
        receipt = json.loads(args.receipt.read_text(encoding="utf-8"))
        key = load_public_key(args.public_key.read_bytes())
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read the receipt or the key: {error}") from None
    quorum = len(args.witness_key) if args.quorum is None else args.quorum
    outcome = verify_receipt(receipt, key, args.witness_key, quorum)
    if outcome.ok:
        print(
            f"receipt {receipt.get('code')}: OK (decree {receipt.get('decree', {}).get('number')}, leaf "
            f"{outcome.index} of {outcome.size}, cosigned by {', '.join(outcome.cosigners) or 'no witness'})"
        )
        return 0
    print(f"receipt {receipt.get('code')}: FAILED: {outcome.reason}")
    return 1


def run_compare_heads(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when one head extends the other, 2 on a split view (evidence printed), 1 when unreadable."""
    import base64
    import urllib.request

    from application.audit.signing import load_public_key
    from application.audit.tlog.note import BadNote
    from application.audit.tlog.witnessing import SplitView, compare_heads

    texts = [path.read_text(encoding="utf-8") for path in args.heads]

    def consistency(old: int, new: int) -> list[bytes]:
        if not args.log:
            raise ValueError("give --log to fetch the consistency proof between different sizes")
        url = f"{args.log.rstrip('/')}/public/log/consistency?old={old}&new={new}"
        with urllib.request.urlopen(url, timeout=30) as response:  # the operator's URL
            return [base64.b64decode(h) for h in json.loads(response.read())["proof"]]

    try:
        compare_heads(
            texts[0],
            texts[1],
            args.origin or texts[0].split("\n", 1)[0],
            load_public_key(args.public_key.read_bytes()),
            consistency,
        )
    except SplitView as evidence:
        print(evidence)
        return 2
    except BadNote as error:
        print(f"FAILED: {error}")
        return 1
    print("consistent: one tree head extends the other")
    return 0
