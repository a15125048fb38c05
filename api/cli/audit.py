"""`mutasi audit history|verify|export|replay|checkpoint|public-key`: the auditor's command line.

`checkpoint` extends the log-wide tree with the new events and signs its head (the one signed statement).

`verify BUNDLE` and `replay BUNDLE` need no database and no server: only the bundle and the public key.
Exit status of `verify`: 0 when everything holds, 1 with the first failure on stdout (on the store,
also when something is missing that it can tell: see `application.audit.verify.verify_record`).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from application.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `audit` and its sub-commands."""
    audit = commands.add_parser("audit", help="replay histories, verify the record, export bundles")
    actions = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")

    history = actions.add_parser("history", help="every event of an employee, position or round, with metadata")
    _aggregate(history, required=True)
    history.add_argument("--recorded-at", type=_moment, help="placements as recorded at this moment (ISO 8601)")
    history.add_argument("--effective-on", type=date.fromisoformat, help="who held what on this date")
    history.add_argument("--json", action="store_true", help="one JSON event per line")
    history.set_defaults(handler=run_history)

    verify = actions.add_parser("verify", help="verify the store (or one aggregate), or a bundle offline")
    verify.add_argument("bundle", nargs="?", type=Path, help="a bundle file: verified without a database")
    verify.add_argument("--public-key", type=Path, help="the published public key (PEM); required for a bundle")
    verify.add_argument("--aggregate", type=UUID, help="verify only this aggregate's chain")
    verify.add_argument(
        "--expect-head",
        type=Path,
        metavar="FILE",
        help=(
            "a signed tree head kept from earlier (GET /public/log/checkpoint): fail unless the store's "
            "events still give it; or a legacy segment checkpoint (JSON of GET /audit/checkpoints, or a "
            "format-1 bundle): fail unless the store's checkpoints still contain it"
        ),
    )
    verify.set_defaults(handler=run_verify)

    export = actions.add_parser("export", help="write a self-contained NDJSON bundle")
    _aggregate(export, required=False)
    export.add_argument("--from", dest="recorded_from", type=_moment, help="events recorded from (ISO 8601)")
    export.add_argument("--to", dest="recorded_to", type=_moment, help="events recorded until (ISO 8601)")
    export.add_argument("--all", action="store_true", help="every event")
    export.add_argument("--output", "-o", type=Path, required=True, help="the bundle file to write")
    export.set_defaults(handler=run_export)

    replay = actions.add_parser("replay", help="rebuild placement histories and decisions from a bundle alone")
    replay.add_argument("bundle", type=Path)
    replay.add_argument("--recorded-at", type=_moment, help="as recorded at this moment (ISO 8601)")
    replay.add_argument("--effective-on", type=date.fromisoformat, help="only what was in force on this date")
    replay.set_defaults(handler=run_replay)

    checkpoint = actions.add_parser("checkpoint", help="extend the tree with the new events and sign its head")
    checkpoint.add_argument(
        "--every",
        type=float,
        metavar="SECONDS",
        help="keep running beside the service, checkpointing every SECONDS until interrupted",
    )
    checkpoint.set_defaults(handler=run_checkpoint)
    public_key = actions.add_parser("public-key", help="print the public key that verifies tree heads and bundles")
    public_key.set_defaults(handler=run_public_key)
    from api.cli.audit_log import register_log  # migrate, tree-head, verify-receipt

    register_log(actions)


def _aggregate(parser: argparse.ArgumentParser, required: bool) -> None:
    which = parser.add_mutually_exclusive_group(required=required)
    which.add_argument("--employee", type=UUID, help="an employee id")
    which.add_argument("--position", type=UUID, help="a position id")
    which.add_argument("--round", type=UUID, help="a mutation round id")


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text}: give the time zone (e.g. 2026-03-01T00:00:00+07:00)")
    return moment


def _chosen(args: argparse.Namespace) -> tuple[str, UUID] | None:
    for kind in ("employee", "position", "round"):
        if getattr(args, kind, None):
            return kind, getattr(args, kind)
    return None


def run_history(args: argparse.Namespace, settings: Settings) -> int:
    """Print an aggregate's events in order, then (employees, positions) its placements."""
    from application.audit.bundle import describe
    from application.audit.replay import employee_placements, history, position_holders
    from application.bootstrap import open_application

    kind, aggregate_id = _chosen(args)  # type: ignore[misc]
    app = open_application(settings)
    try:
        events = history(
            app, aggregate_id, {"employee": "Employee", "position": "Position", "round": "MutationRound"}[kind]
        )
        placements = {"employee": employee_placements, "position": position_holders}.get(kind)
        read = placements(app, aggregate_id, args.recorded_at, args.effective_on) if placements else None
    finally:
        app.close()
    for event in events:
        if args.json:
            print(json.dumps(event.as_json(), sort_keys=True, ensure_ascii=False))
        else:
            meta = event.metadata
            print(
                f"v{event.version:<4} {event.name:<32} recorded {meta.get('recorded_at', '?')} "
                f"by {meta.get('actor', '?')} (correlation {meta.get('correlation_id', '?')}) "
                f"hash {event.link[1][:16] if event.link else 'none'}"
            )
            print(f"      {json.dumps(event.data, sort_keys=True, ensure_ascii=False)}")
    if read is not None and not args.json:
        when = f"as recorded at {args.recorded_at.isoformat()}" if args.recorded_at else "as known now"
        print(f"placements {when} (version {read.version}):")
        print("\n".join(describe(read.stretches)) or "  none")
        if args.effective_on:
            print(f"in force on {args.effective_on}:")
            print("\n".join(describe(read.held_on or [])) or "  none")
    return 0


def run_verify(args: argparse.Namespace, settings: Settings) -> int:
    """Verify a bundle offline, or the store (whole, or one aggregate)."""
    if args.bundle is not None:
        from application.audit.bundle import read_bundle, verify_bundle
        from application.audit.signing import load_public_key

        if args.public_key is None:
            raise ValueError(
                "verifying a bundle needs --public-key (the key published at GET /public/audit-public-key)"
            )
        bundle = read_bundle(_lines(args.bundle))
        result = verify_bundle(
            bundle, load_public_key(_read(args.public_key)), settings.audit_witness_keys, settings.audit_witness_quorum
        )
        return _report(result, f"bundle {args.bundle}")
    from application.audit.checks import read_head
    from application.audit.signing import load_private_key, load_public_key
    from application.audit.storage import AuditStorage, signing_key_path
    from application.audit.verify import verify_aggregate, verify_record
    from application.bootstrap import open_application

    app = open_application(settings)
    try:
        if args.aggregate is not None:
            return _report(verify_aggregate(app, args.aggregate), f"aggregate {args.aggregate}")
        key = (
            load_public_key(_read(args.public_key))
            if args.public_key
            else load_private_key(signing_key_path(settings)).public_key()
        )
        kept = _kept_tree_head(_read(args.expect_head).decode("utf-8", "replace")) if args.expect_head else None
        tree = kept if kept is not None and kept.split("\n", 1)[0] == settings.audit_log_origin else None
        expected = read_head(kept) if kept is not None and tree is None else None
        return _report(
            verify_record(app, AuditStorage(app.stores).checkpoints(), key, expected, expected_tree=tree), "event store"
        )
    finally:
        app.close()


def _kept_tree_head(text: str) -> str:
    """The signed tree head in what an auditor kept: the head itself, or a format-2 bundle's `tree_head`
    line; anything else as it is (a legacy checkpoint, read by `read_head`)."""
    for line in text.splitlines():
        if '"tree_head"' in line:
            try:
                found = json.loads(line)
            except ValueError:
                break
            if isinstance(found, dict) and found.get("type") == "tree_head":
                return str(found.get("checkpoint", ""))
    return text


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror}") from None


def _lines(path: Path) -> list[str]:
    try:
        return _read(path).decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not a UTF-8 text bundle") from None


def _report(result: Any, what: str) -> int:
    if result.ok:
        late = (
            (
                f"; the last {result.uncovered} are not covered by a signed tree head yet, within the "
                "allowed age (run `mutasi audit checkpoint`)"
            )
            if result.uncovered
            else ""
        )
        witnessed = (
            ""
            if getattr(result, "tree_size", None) is None
            else (f"; tree head of size {result.tree_size} cosigned by {', '.join(result.cosigners) or 'no witness'}")
        )
        legacy = f", {result.checkpoints} legacy checkpoints" if result.checkpoints else ""
        print(f"{what}: OK ({result.events} events{legacy} verified{late}{witnessed})")
        return 0
    failure = result.failure
    where = ", ".join(
        f"{name} {value}"
        for name, value in (
            ("line", failure.line),
            ("position", failure.position),
            ("aggregate", failure.originator_id),
            ("version", failure.version),
            ("checkpoint", failure.checkpoint),
            ("tree head of size", getattr(failure, "head", None)),
        )
        if value is not None
    )
    late = f" ({result.uncovered} events not covered by a signed tree head)" if result.uncovered else ""
    print(f"{what}: FAILED after {result.events} good events at {where or 'the end'}: {failure.reason}{late}")
    return 1


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    """Checkpoint (sign the tree head), then write the bundle."""
    from application.audit.export import Scope, export_bundle
    from application.bootstrap import open_application

    chosen = _chosen(args)
    if chosen:
        scope = Scope(chosen[0], chosen[1])
    elif args.recorded_from or args.recorded_to:
        scope = Scope("period", recorded_from=args.recorded_from, recorded_to=args.recorded_to)
    elif args.all:
        scope = Scope("all")
    else:
        raise ValueError("say what to export: --employee, --position, --round, --from/--to or --all")
    app = open_application(settings)
    try:
        with args.output.open("w", encoding="utf-8") as out:
            count = export_bundle(app, scope, out)
    finally:
        app.close()
    print(f"wrote {count} events to {args.output}")
    return 0


def run_replay(args: argparse.Namespace, settings: Settings) -> int:
    """Print every employee's placements, every position's holders and every proposal's decisions
    (with its objections) from the bundle alone."""
    from application.audit.bundle import describe, read_bundle, replay_bundle
    from application.audit.decisions import describe_decisions

    replay = replay_bundle(read_bundle(_lines(args.bundle)), args.recorded_at)
    when = f"as recorded at {args.recorded_at.isoformat()}" if args.recorded_at else "as recorded in the bundle"
    on = f", in force on {args.effective_on}" if args.effective_on else ""
    for title, histories in (("employee", replay.employees), ("position", replay.positions)):
        for aggregate_id, stretches in histories.items():
            print(f"{title} {aggregate_id} ({when}{on}):")
            print("\n".join(describe(stretches, args.effective_on)) or "  none")
    for proposal_id, steps in replay.decisions.items():
        print(f"decisions on proposal {proposal_id} of round {steps[0].round_id} ({when}):")
        print("\n".join(describe_decisions(steps)))
    return 0


def run_checkpoint(args: argparse.Namespace, settings: Settings) -> int:
    """Extend the tree with the events recorded since and sign its head; with `--every`, again every
    SECONDS until SIGTERM or SIGINT (`docker compose stop`, Ctrl-C), which end it with status 0."""
    import signal
    import threading

    from application.audit.checkpoints import checkpoint, checkpoint_periodically
    from application.bootstrap import open_application

    if args.every is not None and args.every <= 0:
        raise ValueError("--every takes a positive number of seconds")
    app = open_application(settings)
    try:
        if args.every:
            stop = threading.Event()
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
            checkpoint_periodically(app, args.every, stop, _printer(app))
            print("checkpointer stopped", flush=True)
        else:
            _printer(app)(checkpoint(app))
    finally:
        app.close()
    return 0


def _printer(app: Any) -> Any:
    """Prints each newly signed tree head: its number among the heads kept, the store positions it adds,
    its size and root (base64, as in the head)."""
    import base64

    from application.audit.tlog.store import TreeStore

    def printed(made: Any) -> None:
        if made is None:
            print("nothing new to checkpoint", flush=True)
            return
        store = TreeStore(app.stores)
        heads = [size for size, _ in store.heads()]
        before = heads[-2] if len(heads) > 1 else 0
        added = store.leaves(before, made.size - 1) if made.size > before else []
        where = f"positions {added[0][1]}-{added[-1][1]}" if added else "no new events"
        root = base64.b64encode(made.head.root).decode()
        print(f"checkpoint {len(heads)}: {where}, tree head of size {made.size}, root {root}", flush=True)

    return printed


def run_public_key(args: argparse.Namespace, settings: Settings) -> int:
    """Print the public key (PEM) and its fingerprint."""
    from application.audit.signing import fingerprint, load_private_key, public_pem
    from application.audit.storage import signing_key_path

    key = load_private_key(signing_key_path(settings)).public_key()
    sys.stdout.write(public_pem(key))
    print(f"fingerprint sha256:{fingerprint(key)}", file=sys.stderr)
    return 0
