"""A receipt for every decree: made from the store, checked offline (Python and the CLI), tampering caught."""

from __future__ import annotations

import copy
import json

import pytest

from api.cli.main import main
from application.audit.checkpoints import checkpoint
from application.audit.receipts import verify_receipt
from application.audit.signing import public_pem
from application.audit.tlog.issue import ReceiptNotFound, make_receipt
from application.audit.tlog.store import TreeStore
from tests.audit.support import back_dated_transfer, public_key


def decree_code(settings) -> str:
    store = TreeStore(settings)
    with store._conn() as conn:
        [(code,)] = store._run(conn, "SELECT code FROM {t}", "mutasi_audit_receipts")
    return code


@pytest.fixture
def receipt(app, settings):
    back_dated_transfer(app)
    checkpoint(app)
    return make_receipt(app, decree_code(settings).lower().replace("-", " "))


def test_a_decree_receipt_verifies_offline(receipt, settings) -> None:
    check = verify_receipt(receipt, public_key(settings))
    assert check.ok, check.reason
    decree = receipt["statement"]["decree"]
    assert decree["number"] == "821.2/001/2026" and "*" in decree["masked_nip"]
    assert check.size == receipt["tree_size"] and 0 <= check.index < check.size


@pytest.mark.parametrize(
    "change,why",
    [
        (lambda r: r["statement"]["decree"].update(number="821.2/999/2026"), "statement is not signed"),
        (lambda r: r["statement"]["event"].update(hash="0" * 64), "statement is not signed"),
        (lambda r: r.update(leaf_index=r["leaf_index"] ^ 1), "inclusion proof"),
        (
            lambda r: r["inclusion"].reverse() if len(r["inclusion"]) > 1 else r["inclusion"].append(r["inclusion"][0]),
            "inclusion proof",
        ),
        (lambda r: r.update(checkpoint=r["checkpoint"].replace("\n", "\n1", 1)), "tree head"),
        (lambda r: r.update(code="AAAA-AAAA-AAAA-AAAA"), "code"),
    ],
)
def test_a_tampered_receipt_fails(receipt, settings, change, why) -> None:
    tampered = copy.deepcopy(receipt)
    change(tampered)
    check = verify_receipt(tampered, public_key(settings))
    assert not check.ok and why in check.reason


def test_a_missing_quorum_fails(receipt, settings) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from application.audit.tlog.note import COSIGNATURE_V1, verifier_key

    witness = verifier_key("bpk.example/witness", Ed25519PrivateKey.generate().public_key(), COSIGNATURE_V1)
    check = verify_receipt(receipt, public_key(settings), [witness], 1)
    assert not check.ok and "cosigned by 0" in check.reason


def test_an_unknown_code_is_not_found(app, settings) -> None:
    with pytest.raises(ReceiptNotFound):
        make_receipt(app, "AAAA-AAAA-AAAA-AAAA")


def test_the_command_line_checks_a_receipt(receipt, settings, tmp_path, capsys) -> None:
    path, pem = tmp_path / "receipt.json", tmp_path / "log.pem"
    path.write_text(json.dumps(receipt))
    pem.write_text(public_pem(public_key(settings)))
    assert main(["audit", "verify-receipt", str(path), "--public-key", str(pem)]) == 0
    assert "OK" in capsys.readouterr().out
    receipt["statement"]["decree"]["masked_nip"] = "199001012020011001"
    path.write_text(json.dumps(receipt))
    assert main(["audit", "verify-receipt", str(path), "--public-key", str(pem)]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_anyone_gets_a_receipt_over_http(settings, clock) -> None:
    from api.http.roles import Role
    from tests.api.support import running_api

    with running_api(settings, clock) as api:
        back_dated_transfer(api.app)
        checkpoint(api.app)
        code = decree_code(settings)
        body = api.ok(Role.PUBLIC, "GET", f"/public/receipts/{code}")
        assert verify_receipt(body, public_key(settings)).ok
        assert api.client.get("/public/receipts/AAAA-AAAA-AAAA-AAAA").status_code == 404
