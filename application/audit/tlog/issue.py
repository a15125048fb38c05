"""Making the receipt of a decree from the store: its event, the decree's public identity, the inclusion
proof from the stored tree and the latest signed tree head (with its cosignatures)."""

from __future__ import annotations

import base64
from typing import Any
from uuid import UUID

from application.audit.receipts import FORMAT, normal_code, statement_bytes
from application.audit.records import UnsoundEvent
from application.audit.replay import feed_all
from application.audit.signing import load_private_key, sign
from application.audit.storage import signing_key_path
from application.audit.tlog.log import latest_head
from application.audit.tlog.store import TreeStore
from application.errors import NotFoundError
from application.service import MutasiApplication
from domain.nip import Nip


class ReceiptNotFound(NotFoundError):
    """No decree has this receipt code, or its event is not under a signed tree head yet."""


def make_receipt(app: MutasiApplication, code: str) -> dict[str, Any]:
    """The receipt with this code (`ReceiptNotFound` when there is none yet)."""
    code = normal_code(code)
    store = TreeStore(app.stores)
    position = store.receipt_position(code)
    index = store.leaf_index(position) if position is not None else None
    signed = latest_head(store)
    if position is None or index is None or signed is None or signed.size <= index:
        raise ReceiptNotFound(
            f"no logged decree has the receipt code {code} (a decree gets one at the "
            "next checkpoint after it is issued)"
        )
    [event] = list(feed_all(app, position - 1, stop=position, page=1))
    if event.link is None:  # logged only after matching its hash (`event_leaf`): changed since
        raise UnsoundEvent(f"event at position {position} lost its hash; run `mutasi audit verify`")
    statement = {
        "code": code,
        "decree": _decree(app, event.originator_id, event.state),
        "event": {
            "position": position,
            "originator_id": str(event.originator_id),
            "version": event.version,
            "hash": event.link[1],
        },
    }
    key = load_private_key(signing_key_path(app.settings))
    return {
        "format": FORMAT,
        "code": code,
        "statement": statement,
        "statement_signature": sign(key, statement_bytes(statement)),
        "leaf_index": index,
        "tree_size": signed.size,
        "inclusion": [base64.b64encode(h).decode() for h in store.inclusion(index, signed.size)],
        "checkpoint": signed.note.text(),
    }


def _decree(app: MutasiApplication, round_id: Any, state: dict[str, Any]) -> dict[str, Any]:
    """The decree's public identity: no personal data beyond the masked NIP."""
    decree = state["decree"]
    mutation_round = app.get_round(round_id)
    proposal_id = UUID(str(state["proposal_id"]))
    proposal = mutation_round.proposal(proposal_id)
    employee = app.get_employee(proposal.employee_id)
    origin, target = app.get_position(proposal.from_position_id), app.get_position(proposal.target_position_id)
    return {
        "number": str(decree["number"]),
        "signed_on": str(decree["signed_on"]),
        "effective_on": str(decree["effective_on"]),
        "masked_nip": Nip.parse(employee.nip).masked(),
        "agency": mutation_round.agency,
        "round_id": str(mutation_round.id),
        "proposal_id": str(proposal_id),
        "from": {"unit": origin.unit, "title": origin.title},
        "to": {"unit": target.unit, "title": target.title},
    }
