"""Witnesses: cosign a head only after checking it extends the last one, the service keeps only valid
cosignatures of configured witnesses, verification enforces the quorum, and a split view (the operator
rebuilds a different log with the same key) is refused with the evidence."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from api.http.roles import Role
from application.audit.checkpoints import checkpoint
from application.audit.storage import AuditStorage
from application.audit.tlog.note import COSIGNATURE_V1, verifier_key
from application.audit.tlog.store import TreeStore
from application.audit.tlog.witnessing import SplitView, Witness
from application.audit.verify import verify_record
from application.persistence.chain import event_hash
from tests import scenario as s
from tests.api.support import running_api
from tests.audit.support import Tamper, back_dated_transfer, public_key

NAME = "bpk.example/witness"


@pytest.fixture
def witness_key():
    return Ed25519PrivateKey.generate()


@pytest.fixture
def witnessed(settings, witness_key):
    return settings.model_copy(
        update={
            "audit_witness_keys": [verifier_key(NAME, witness_key.public_key(), COSIGNATURE_V1)],
            "audit_witness_quorum": 1,
        }
    )


def _witness(settings, key, tmp_path) -> Witness:
    return Witness(NAME, key, tmp_path / "witness-state.json", settings.audit_log_origin, public_key(settings))


def _round(api, witness: Witness) -> str | None:
    def consistency(old, new):
        body = api.ok(Role.PUBLIC, "GET", f"/public/log/consistency?old={old}&new={new}")
        return [base64.b64decode(h) for h in body["proof"]]

    shown = api.client.get("/public/log/checkpoint").text
    line = witness.witness(shown, consistency)
    if line is not None:
        size = int(shown.split("\n")[1])
        api.ok(Role.PUBLIC, "POST", "/public/log/cosignatures", {"size": size, "cosignature": line})
    return line


def test_a_witness_cosigns_over_http_and_the_quorum_is_enforced(witnessed, clock, witness_key, tmp_path) -> None:
    settings = witnessed
    with running_api(settings, clock) as api:
        back_dated_transfer(api.app)
        checkpoint(api.app)
        checkpoints = AuditStorage(settings).checkpoints()
        failure = verify_record(api.app, checkpoints, public_key(settings)).failure
        assert failure is not None and "cosigned by 0" in failure.reason and "quorum is 1" in failure.reason
        witness = _witness(settings, witness_key, tmp_path)
        assert _round(api, witness) is not None
        verified = verify_record(api.app, checkpoints, public_key(settings))
        assert verified.ok and verified.cosigners == (NAME,) and verified.tree_size == TreeStore(settings).size()[0]
        assert NAME in api.client.get("/public/log/checkpoint").text
        assert _round(api, witness) is None  # nothing new
        s.position(api.app, "Arsiparis")
        checkpoint(api.app)
        assert _round(api, witness) is not None  # checked the consistency proof from the last size
        assert verify_record(api.app, AuditStorage(settings).checkpoints(), public_key(settings)).ok
        stranger = Ed25519PrivateKey.generate()
        forged = Witness(NAME, stranger, tmp_path / "other.json", settings.audit_log_origin, public_key(settings))
        line = forged.witness(api.client.get("/public/log/checkpoint").text, lambda *_: [])
        size = TreeStore(settings).head()[0]
        refused = api.client.post("/public/log/cosignatures", json={"size": size, "cosignature": line})
        assert refused.status_code == 422 and "does not verify" in refused.json()["detail"]


def test_a_split_view_is_refused_with_the_evidence(settings, app, witness_key, tmp_path) -> None:
    transfer = back_dated_transfer(app)
    checkpoint(app)
    store = TreeStore(settings)
    witness = _witness(settings, witness_key, tmp_path)
    assert witness.witness(store.head()[1], store.consistency)
    # the operator rewrites an event (hash recomputed) and rebuilds the log with the same key
    tamper = Tamper(settings, app.recorder.events_table_name)
    version = tamper.last_version(transfer.employee_id)
    _, topic, state = tamper.row(transfer.employee_id, version)
    state["effective_on"] = "2025-01-01"
    state["__chain__"]["hash"] = event_hash(state["__chain__"]["previous"], topic, transfer.employee_id, version, state)
    tamper.edit(transfer.employee_id, version, lambda stored: stored.update(state))
    with store._conn() as conn:
        for table in ("mutasi_audit_heads", "mutasi_audit_nodes", "mutasi_audit_leaves"):
            store._run(conn, "DELETE FROM {t}", table)
    checkpoint(app)
    with pytest.raises(SplitView) as same_size:
        witness.witness(store.head()[1], store.consistency)
    assert "two different roots" in str(same_size.value)
    s.position(app, "Pustakawan")
    checkpoint(app)
    with pytest.raises(SplitView) as grown:
        witness.witness(store.head()[1], store.consistency)
    evidence = str(grown.value)
    assert "does not extend" in evidence and evidence.count(settings.audit_log_origin + "\n") == 2


def test_the_witness_command_cosigns_then_reports_a_split_view(
    witnessed, clock, witness_key, tmp_path, monkeypatch, capsys
) -> None:
    import io
    import json

    from api.cli.main import main
    from application.audit.signing import public_pem

    settings = witnessed
    key_file, log_key = tmp_path / "witness.pem", tmp_path / "log.pem"
    assert main(["witness", "key", "--key", str(key_file), "--name", NAME]) == 0
    vkey = capsys.readouterr().out.strip()
    settings = settings.model_copy(update={"audit_witness_keys": [vkey]})
    log_key.write_text(public_pem(public_key(settings)))
    with running_api(settings, clock) as api:

        def get(url):
            return api.client.get(url.removeprefix("http://log")).text

        def urlopen(request, timeout):
            answer = api.client.post(
                request.full_url.removeprefix("http://log"),
                content=request.data,
                headers={"Content-Type": "application/json"},
            )
            assert answer.status_code == 200, answer.text
            return io.BytesIO(answer.content)

        monkeypatch.setattr("api.cli.witness._get", get)
        monkeypatch.setattr("urllib.request.urlopen", urlopen)
        back_dated_transfer(api.app)
        checkpoint(api.app)
        args = [
            "witness",
            "run",
            "--log",
            "http://log",
            "--log-key",
            str(log_key),
            "--origin",
            settings.audit_log_origin,
            "--key",
            str(key_file),
            "--name",
            NAME,
            "--state",
            str(tmp_path / "st"),
        ]
        assert main(args) == 0 and "cosigned" in capsys.readouterr().out
        assert verify_record(api.app, AuditStorage(settings).checkpoints(), public_key(settings)).ok
        state = json.loads((tmp_path / "st").read_text())
        store = TreeStore(settings)
        with store._conn() as conn:  # the operator forks the log: a different history under the same key
            for table in ("mutasi_audit_heads", "mutasi_audit_nodes", "mutasi_audit_leaves"):
                store._run(conn, "DELETE FROM {t}", table)
        Tamper(settings, api.app.recorder.events_table_name).truncate_after(3)
        s.position(api.app, "Pustakawan")
        checkpoint(api.app)
        assert main(args) == 2
        out = capsys.readouterr().out
        assert out.startswith("SPLIT VIEW") and state["checkpoint"].split("\n\n")[0] in out


def test_two_auditors_comparing_their_heads_catch_a_split_view(settings, app, tmp_path, capsys) -> None:
    from api.cli.main import main
    from application.audit.signing import public_pem

    transfer = back_dated_transfer(app)
    checkpoint(app)
    store = TreeStore(settings)
    first = tmp_path / "bpk.txt"
    first.write_text(store.head()[1])
    pem = tmp_path / "log.pem"
    pem.write_text(public_pem(public_key(settings)))
    s.position(app, "Pustakawan")
    checkpoint(app)
    honest = tmp_path / "bkn.txt"
    honest.write_text(store.head()[1])
    from application.audit.tlog.witnessing import compare_heads

    compare_heads(
        first.read_text(), honest.read_text(), settings.audit_log_origin, public_key(settings), store.consistency
    )  # one extends the other
    # the operator shows the Ombudsman a rebuilt log of the same size as BPK's head
    tamper = Tamper(settings, app.recorder.events_table_name)
    version = tamper.last_version(transfer.employee_id)
    _, topic, state = tamper.row(transfer.employee_id, version)
    state["effective_on"] = "2025-01-01"
    state["__chain__"]["hash"] = event_hash(state["__chain__"]["previous"], topic, transfer.employee_id, version, state)
    tamper.edit(transfer.employee_id, version, lambda stored: stored.update(state))
    with store._conn() as conn:
        for table in ("mutasi_audit_heads", "mutasi_audit_nodes", "mutasi_audit_leaves"):
            store._run(conn, "DELETE FROM {t}", table)
    checkpoint(app)
    forked = tmp_path / "ombudsman.txt"
    forked.write_text(store.head()[1])
    assert main(["audit", "compare-heads", str(honest), str(forked), "--public-key", str(pem)]) == 2
    out = capsys.readouterr().out
    assert "two different roots" in out and honest.read_text().split("\n\n")[0] in out
    with pytest.raises(SplitView):  # BPK's smaller head: the forked log cannot prove it extends it
        compare_heads(
            first.read_text(), forked.read_text(), settings.audit_log_origin, public_key(settings), store.consistency
        )
