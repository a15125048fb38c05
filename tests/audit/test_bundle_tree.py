"""Bundles of format 2 carry the signed tree head and each event's RFC 9162 inclusion proof; they report
the witnesses that cosigned the head and fail without the quorum; format-1 bundles still verify."""

from __future__ import annotations

import io
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from application.audit.bundle import FORMAT, FORMAT_2, read_bundle, verify_bundle
from application.audit.export import Scope, export_bundle
from application.audit.tlog.note import COSIGNATURE_V1, verifier_key
from application.audit.tlog.store import TreeStore
from application.audit.tlog.witnessing import Witness, add_cosignature
from application.persistence.stores import Stores
from tests.audit.support import back_dated_transfer, legacy_bundle, public_key


def _export(app, transfer):
    out = io.StringIO()
    export_bundle(app, Scope("round", transfer.round_id), out)
    return out.getvalue().splitlines()


def test_a_format_2_bundle_names_its_cosigners_and_needs_the_quorum(app, settings, tmp_path) -> None:
    transfer = back_dated_transfer(app)
    _export(app, transfer)  # checkpoints and signs the head
    key = Ed25519PrivateKey.generate()
    vkey = verifier_key("ombudsman.example/witness", key.public_key(), COSIGNATURE_V1)
    store = TreeStore(settings)
    size, text = store.head()
    witness = Witness(
        "ombudsman.example/witness", key, tmp_path / "w.json", settings.audit_log_origin, public_key(settings)
    )
    with Stores(settings.model_copy(update={"audit_witness_keys": [vkey]})) as stores:
        add_cosignature(stores, size, witness.witness(text, store.consistency))
    lines = _export(app, transfer)
    assert json.loads(lines[0])["format"] == FORMAT_2
    bundle = read_bundle(lines)
    result = verify_bundle(bundle, public_key(settings), [vkey], 1)
    assert result.ok and result.cosigners == ("ombudsman.example/witness",) and result.tree_size == size
    other = verifier_key("bkn.example/witness", Ed25519PrivateKey.generate().public_key(), COSIGNATURE_V1)
    failure = verify_bundle(bundle, public_key(settings), [vkey, other], 2).failure
    assert failure is not None and "quorum is 2" in failure.reason


def test_a_tampered_tree_proof_is_located(app, settings) -> None:
    transfer = back_dated_transfer(app)
    lines = _export(app, transfer)
    number = next(i for i, line in enumerate(lines) if '"tree_proof"' in line and json.loads(line)["tree_proof"])
    line = json.loads(lines[number])
    line["leaf_index"] += 1
    lines[number] = json.dumps(line)
    failure = verify_bundle(read_bundle(lines), public_key(settings)).failure
    assert failure.line == number + 1 and "inclusion proof fails" in failure.reason
    without = [text for text in _export(app, transfer) if '"type":"tree_head"' not in text]
    assert "has none" in verify_bundle(read_bundle(without), public_key(settings)).failure.reason


def test_a_format_1_bundle_still_verifies(app, settings) -> None:
    transfer = back_dated_transfer(app)
    lines = legacy_bundle(app, settings, _export(app, transfer))  # as versions before the tree wrote it
    assert json.loads(lines[0])["format"] == FORMAT and not any('"tree_head"' in line for line in lines)
    result = verify_bundle(read_bundle(lines), public_key(settings))
    assert result.ok and result.tree_size is None and result.checkpoints == 1
    number = next(i for i, line in enumerate(lines) if '"type":"event"' in line.replace(" ", ""))
    line = json.loads(lines[number])
    line["proof"] = line["proof"][::-1] or ["R" + "00" * 32]
    lines[number] = json.dumps(line)
    failure = verify_bundle(read_bundle(lines), public_key(settings)).failure
    assert failure.line == number + 1 and "inclusion proof fails" in failure.reason
