"""The JavaScript verifier (WebCrypto, api/http/static/verify/verify.js) agrees with the Python one on
shared vectors: a receipt, a cosigned one, and tampered ones (Node here; the browser page in
tests/audit/test_verify_page.py)."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from application.audit.checkpoints import checkpoint
from application.audit.receipts import verify_receipt
from application.audit.signing import public_pem
from application.audit.tlog.issue import make_receipt
from application.audit.tlog.note import COSIGNATURE_V1, verifier_key
from application.audit.tlog.store import TreeStore
from application.audit.tlog.witnessing import Witness, add_cosignature
from application.persistence.stores import Stores
from tests.audit.support import back_dated_transfer, public_key
from tests.audit.test_receipts import decree_code

RUNNER = Path(__file__).with_name("verify_receipts.mjs")
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None and os.environ.get("CI") != "true", reason="node is not installed")


def tampered(receipt):
    def case(name, change):
        copied = copy.deepcopy(receipt)
        change(copied)
        return name, copied

    return [
        case("decree number", lambda r: r["statement"]["decree"].update(number="821.2/999/2026")),
        case("masked nip", lambda r: r["statement"]["decree"].update(masked_nip="199001012020011001")),
        case("event hash", lambda r: r["statement"]["event"].update(hash="0" * 64)),
        case("leaf index", lambda r: r.update(leaf_index=r["leaf_index"] ^ 1)),
        case("proof", lambda r: r.update(inclusion=r["inclusion"][:-1] + r["inclusion"][-1:] * 2)),
        case("tree size", lambda r: r.update(tree_size=r["tree_size"] + 1)),
        case("root", lambda r: r.update(checkpoint=r["checkpoint"].replace("\n", "\n1", 1))),
        case("code", lambda r: r.update(code="AAAA-AAAA-AAAA-AAAA")),
        case("signature", lambda r: r.update(statement_signature=r["statement_signature"][::-1])),
        case("format", lambda r: r.update(format="mutasi-receipt/0")),
    ]


def test_both_verifiers_agree_on_shared_vectors(app, settings, tmp_path) -> None:
    witness_key = Ed25519PrivateKey.generate()
    vkey = verifier_key("bpk.example/witness", witness_key.public_key(), COSIGNATURE_V1)
    settings = settings.model_copy(update={"audit_witness_keys": [vkey]})
    back_dated_transfer(app)
    checkpoint(app)
    store = TreeStore(settings)
    plain = make_receipt(app, decree_code(settings))
    witness = Witness(
        "bpk.example/witness", witness_key, tmp_path / "w.json", settings.audit_log_origin, public_key(settings)
    )
    size, text = store.head()
    with Stores(settings) as stores:
        add_cosignature(stores, size, witness.witness(text, store.consistency))
    cosigned = make_receipt(app, decree_code(settings))
    cases = [
        {"name": "receipt", "receipt": plain},
        {"name": "cosigned", "receipt": cosigned, "witnesses": [vkey], "quorum": 1},
        {"name": "quorum missing", "receipt": plain, "witnesses": [vkey], "quorum": 1},
    ]
    cases += [{"name": name, "receipt": receipt} for name, receipt in tampered(plain)]
    vectors = tmp_path / "vectors.json"
    vectors.write_text(json.dumps({"public_key": public_pem(public_key(settings)), "cases": cases}))
    answer = subprocess.run(
        [NODE or "node", str(RUNNER), str(vectors)], capture_output=True, text=True, timeout=60, check=True
    )
    results = {r["name"]: r for r in json.loads(answer.stdout)}
    for case in cases:
        python = verify_receipt(case["receipt"], public_key(settings), case.get("witnesses", []), case.get("quorum", 0))
        js = results[case["name"]]
        assert js["ok"] == python.ok, (case["name"], js, python.reason)
        assert python.ok == (case["name"] in ("receipt", "cosigned")), case["name"]
        if not python.ok:
            assert js["reason"][:24] == python.reason[:24], (case["name"], js["reason"], python.reason)


def test_the_javascript_consistency_verifier_agrees_on_the_published_vectors(tmp_path) -> None:
    import base64

    from application.audit.tlog.proofs import EMPTY_ROOT, verify_consistency
    from tests.audit.test_tlog_proofs import CONSISTENCY, ROOTS

    def b64(h: bytes) -> str:
        return base64.b64encode(h).decode()

    probes = []
    for old, new, proof in CONSISTENCY:
        r1, r2 = ROOTS[old - 1], ROOTS[new - 1]
        flipped = [bytes([proof[0][0] ^ 16]) + proof[0][1:]] + proof[1:]
        probes += [
            (old, new, r1, r2, proof),
            (old - 1, new, r1, r2, proof),
            (old, new * 2, r1, r2, proof),
            (old, new, r2, r1, proof),
            (old, new, r1, r2, proof[:-1]),
            (old, new, r1, r2, flipped),
            (old, new, EMPTY_ROOT, r2, proof),
        ]
    vectors = tmp_path / "consistency.json"
    vectors.write_text(json.dumps([[o, n, b64(a), b64(b), [b64(p) for p in proof]] for o, n, a, b, proof in probes]))
    answer = subprocess.run(
        [NODE or "node", str(RUNNER.with_name("verify_consistency.mjs")), str(vectors)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    expected = [verify_consistency(o, n, a, b, proof) for o, n, a, b, proof in probes]
    assert json.loads(answer.stdout) == expected and expected.count(True) == len(CONSISTENCY)
