"""Concurrent clients: conflicting decisions on one proposal at once; exactly one wins, nothing doubled."""

from __future__ import annotations

import threading
from uuid import UUID

from api.http.roles import Role
from tests.api.support import Api, bearer, employee, open_round, position, recommended_proposal

CLIENTS = 8


def test_conflicting_decisions_sent_at_once_have_exactly_one_winner(api: Api) -> None:
    origin, target = position(api, "Analis Anggaran"), position(api, "Analis Keuangan", formasi=1)
    round_id = open_round(api)
    proposal_id = recommended_proposal(api, round_id, employee(api, 1, origin), target)
    etag = api.call(Role.AUDITOR, "GET", f"/rounds/{round_id}").headers["ETag"]
    events_before = len(list(api.app.events.get(UUID(round_id))))
    barrier, responses = threading.Barrier(CLIENTS), {}

    def decide(n: int) -> None:
        headers = bearer(Role.PPK, user=f"ppk-{n}")
        if n % 2 == 0:
            headers["If-Match"] = etag
        body = {"approve": n % 3 != 0, "reason": f"decision of client {n}"}
        barrier.wait()
        responses[n] = api.client.post(
            f"/rounds/{round_id}/proposals/{proposal_id}/decision", json=body, headers=headers
        )

    threads = [threading.Thread(target=decide, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [n for n, r in responses.items() if r.status_code == 200]
    assert len(responses) == CLIENTS and len(winners) == 1
    assert {r.status_code for n, r in responses.items() if n not in winners} <= {409, 412}
    for n, response in responses.items():
        if response.status_code == 412:
            assert n % 2 == 0  # only the clients that sent If-Match get 412
    events = list(api.app.events.get(UUID(round_id)))
    decided = [e for e in events if type(e).__name__ == "Decided"]
    assert len(events) == events_before + 1 and len(decided) == 1
    assert decided[0].metadata.actor == f"ppk-{winners[0]}"
    final = api.ok(Role.AUDITOR, "GET", f"/rounds/{round_id}")["proposals"][0]
    assert final["status"] == ("approved" if winners[0] % 3 != 0 else "rejected")
