"""`mutasi witness`: a small program an independent institution (BPK, BKN, the Ombudsman) runs with its
own Ed25519 key and state file. `mutasi witness key` prints its verifier key (for the log's settings);
`mutasi witness run --log URL --log-key PEM ...` fetches the latest tree head, the consistency proof
from the size it cosigned last, verifies them, and only then posts its cosignature. A head that does
not extend the last one is refused: the evidence (both signed heads) is printed and it exits 2."""

from __future__ import annotations

import argparse
import base64
import json
import sys
import urllib.request
from pathlib import Path

from application.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `witness` and its sub-commands."""
    witness = commands.add_parser("witness", help="cosign the log's tree heads as an independent witness")
    actions = witness.add_subparsers(dest="witness_command", required=True, metavar="ACTION")
    key = actions.add_parser("key", help="make the key file if missing; print the verifier key")
    key.add_argument("--key", type=Path, required=True, help="the witness's private key (PEM)")
    key.add_argument("--name", required=True, help="the witness's name, e.g. bpk.go.id/witness")
    key.set_defaults(handler=run_key)
    run = actions.add_parser("run", help="check the latest tree head and cosign it")
    run.add_argument("--log", required=True, help="the service's base URL, e.g. https://mutasi.example")
    run.add_argument("--log-key", type=Path, required=True, help="the log's public key (PEM)")
    run.add_argument("--origin", required=True, help="the log's origin (first line of its tree heads)")
    run.add_argument("--key", type=Path, required=True)
    run.add_argument("--name", required=True)
    run.add_argument("--state", type=Path, required=True, help="the witness's state file")
    run.set_defaults(handler=run_witness)


def run_key(args: argparse.Namespace, settings: Settings) -> int:
    """Print the verifier key of the witness (the line the log's MUTASI_AUDIT_WITNESS_KEYS lists)."""
    from application.audit.signing import generate_key_file, load_private_key
    from application.audit.tlog.note import COSIGNATURE_V1, verifier_key

    generate_key_file(args.key)
    print(verifier_key(args.name, load_private_key(args.key).public_key(), COSIGNATURE_V1))
    return 0


def run_witness(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 after cosigning (or nothing new), 2 on a split view (evidence on stdout)."""
    from application.audit.signing import load_private_key, load_public_key
    from application.audit.tlog.witnessing import SplitView, Witness

    base = args.log.rstrip("/")
    witness = Witness(
        args.name, load_private_key(args.key), args.state, args.origin, load_public_key(args.log_key.read_bytes())
    )

    def consistency(old: int, new: int) -> list[bytes]:
        found = json.loads(_get(f"{base}/public/log/consistency?old={old}&new={new}"))
        return [base64.b64decode(h) for h in found["proof"]]

    try:
        line = witness.witness(_get(f"{base}/public/log/checkpoint"), consistency)
    except SplitView as evidence:
        print(evidence)
        return 2
    if line is None:
        print("nothing new to cosign")
        return 0
    size = int(_get(f"{base}/public/log/checkpoint").split("\n")[1])
    body = json.dumps({"size": size, "cosignature": line}).encode()
    request = urllib.request.Request(
        f"{base}/public/log/cosignatures", data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # the operator's URL
        response.read()
    print(f"cosigned the tree head of size {size}", file=sys.stdout)
    return 0


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:  # the operator's URL
        body: bytes = response.read()  # urlopen's answer is untyped (Any) in typeshed
    return body.decode()
