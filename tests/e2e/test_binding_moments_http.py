"""The binding moments (DOMAIN.md) through HTTP, on SQLite and PostgreSQL: the decision, the decree and
the execution judge the rules again on their own date; who may act for an agency; rule 9 at every act;
the level of a transfer; when an SKP year counts; when an evaluation may be dated. Every refusal is an
RFC 9457 problem and records nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from httpx import Response

from api.http.roles import Role
from domain.vocabulary import Office
from tests import scenario as sc
from tests.api.support import (
    AGENCY,
    OTHER_AGENCY,
    Api,
    bearer,
    open_round,
    position,
    recommended_proposal,
)
from tests.scenario import GOOD_SCORES, STANDARD, nip

PROBLEM = "application/problem+json"
PLAIN_PPK = bearer(Role.PPK)
GOVERNOR = bearer(Role.PPK, user="gubernur-sumbar", agencies=(AGENCY, OTHER_AGENCY), office=Office.GOVERNOR)
OTHER_OPERATOR = bearer(Role.OPERATOR, user="operator-padang-pariaman", agencies=(OTHER_AGENCY,))
OTHER_ASSESSOR = bearer(Role.ASSESSOR, user="asesor-padang-pariaman", agencies=(OTHER_AGENCY,))
OTHER_COMMITTEE = bearer(Role.COMMITTEE, user="tpk-padang-pariaman", agencies=(OTHER_AGENCY,))
OTHER_PPK = bearer(Role.PPK, user="bupati-padang-pariaman", agencies=(OTHER_AGENCY,))
APPROVE = {"approve": True, "reason": "approved on the committee's recommendation"}


# -- helpers ---------------------------------------------------------------------------------------


def _send(api: Api, headers: dict[str, str], method: str, path: str, json: Any = None) -> Response:
    """A request with an explicit token (a user the role's default does not describe)."""
    return api.client.request(method, path, json=json, headers=headers)


def _ok(api: Api, headers: dict[str, str], method: str, path: str, json: Any = None) -> dict[str, Any]:
    response = _send(api, headers, method, path, json)
    assert response.status_code < 300, (response.status_code, response.text)
    return response.json()


def _problem(response: Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == f"urn:mutasi:problem:{code}" and body["code"] == code and body["status"] == status
    return body


def _rules(problem: dict[str, Any]) -> list[str]:
    return [r["rule"] for r in problem.get("rules", [])]


def _self_token(role: Role, seq: int, agencies: tuple[str, ...] = (AGENCY,)) -> dict[str, str]:
    """A token of `role` held by the civil servant with NIP `nip(seq)`."""
    return bearer(role, user=f"pegawai-{seq}", nip_claim=nip(seq), agencies=agencies)


class Unchanged:
    """Remembers the store's last notification and a round's version; `assert_holds` checks that
    neither moved (nothing was recorded)."""

    def __init__(self, api: Api, round_id: str) -> None:
        self.api, self.round_id = api, round_id
        self.position = api.app.recorder.max_notification_id()
        self.version = self._version()

    def _version(self) -> int:
        return api_round(self.api, self.round_id)["version"]

    def assert_holds(self) -> None:
        assert self.api.app.recorder.max_notification_id() == self.position
        assert self._version() == self.version


def api_round(api: Api, round_id: str) -> dict[str, Any]:
    return api.ok(Role.AUDITOR, "GET", f"/rounds/{round_id}")


def _position(
    api: Api,
    title: str,
    *,
    formasi: int = 2,
    position_type: str = "fungsional_ahli_pertama",
    ranks: tuple[str, str] = ("III/a", "III/d"),
    agency: str = AGENCY,
    operator: dict[str, str] | None = None,
) -> str:
    return _ok(
        api,
        operator or bearer(Role.OPERATOR),
        "POST",
        "/positions",
        {
            "agency": agency,
            "unit": "BPKAD",
            "title": title,
            "position_type": position_type,
            "rank_min": ranks[0],
            "rank_max": ranks[1],
            "formasi": formasi,
            "standard": STANDARD,
        },
    )["id"]


def _employee(
    api: Api,
    seq: int,
    position_id: str,
    *,
    placed_on: str = "2020-01-02",
    rank: str = "III/b",
    years: tuple[int, ...] = (2024, 2025),
    operator: dict[str, str] | None = None,
    assessor: dict[str, str] | None = None,
) -> str:
    """Register, place, assess and rate an employee (placed on `placed_on`, rated Baik for `years`)."""
    operator, assessor = operator or bearer(Role.OPERATOR), assessor or bearer(Role.ASSESSOR)
    employee_id = _ok(api, operator, "POST", "/employees", {"nip": nip(seq), "name": f"Pegawai {seq}", "rank": rank})[
        "id"
    ]
    _ok(
        api,
        operator,
        "POST",
        f"/employees/{employee_id}/placement",
        {"position_id": position_id, "effective_on": placed_on, "decree_number": f"SK-{seq}/PLACE"},
    )
    _ok(
        api,
        assessor,
        "POST",
        f"/employees/{employee_id}/assessments",
        {
            "scores": GOOD_SCORES,
            "potential": "high",
            "assessor": "UPT Penilaian Kompetensi",
            "method": "assessment centre",
            "assessed_on": "2025-06-01",
        },
    )
    for year in years:
        _ok(
            api,
            operator,
            "POST",
            f"/employees/{employee_id}/ratings",
            {"year": year, "results": "above", "behaviour": "as_expected"},
        )
    return employee_id


def _ready_for_decree(api: Api, round_id: str) -> None:
    """Announce the round today (10 February) and move the clock to 1 March, past the objection window."""
    api.ok(Role.PPK, "POST", f"/rounds/{round_id}/announcement", {"announced_on": str(api.app.today())})
    sc.advance(api.app, date(2026, 3, 1))


def _approved(
    api: Api,
    effective_on: date = date(2026, 3, 1),
    placed_on: str = "2020-01-02",
    target_formasi: int = 2,
    ready: bool = True,
) -> tuple[str, str, str, str]:
    """A within-agency round with one approved move (decided today, 10 February), by default announced
    and with the clock on 1 March, ready for its decree; returns round, proposal, employee and target ids."""
    origin, target = position(api, "Analis Anggaran"), position(api, "Analis Keuangan", formasi=target_formasi)
    employee_id = _employee(api, 1, origin, placed_on=placed_on)
    round_id = open_round(api, effective_on)
    proposal_id = recommended_proposal(api, round_id, employee_id, target)
    api.ok(Role.PPK, "POST", f"/rounds/{round_id}/proposals/{proposal_id}/decision", APPROVE)
    if ready:
        _ready_for_decree(api, round_id)
    return round_id, proposal_id, employee_id, target


def _override(rule: str) -> dict[str, Any]:
    return {
        "rule": rule,
        "justification": f"the PPK accepts {rule} on the record",
        "authorised_by": {"user": "walikota"},
    }


def _decree(
    number: str = "821.2/001/BKPSDM/2026",
    signed_on: str = "2026-03-01",
    effective_on: str = "2026-03-01",
    overrides: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {"number": number, "signed_on": signed_on, "effective_on": effective_on, "overrides": overrides or []}


# -- 1. the back-dated decree --------------------------------------------------------------------


def test_errors_for_a_back_dated_decree_without_overrides_then_records_and_reports_them(
    reporting_api: Api,
) -> None:
    api = reporting_api
    round_id, proposal_id, _, _ = _approved(api)
    path = f"/rounds/{round_id}/proposals/{proposal_id}/decree"
    unchanged = Unchanged(api, round_id)

    refused = _problem(api.call(Role.PPK, "POST", path, _decree(effective_on="2025-12-01")), 422, "override-required")
    named = _rules(refused)
    # on 2025-12-01 the SKP years that count are 2023 and 2024, and 2023 was never rated
    assert named == ["decree_dates", "performance"]
    assert "back-dated" in refused["detail"] and "outside the round's period" in refused["detail"]
    assert "no SKP rating for 2023" in refused["detail"]
    unchanged.assert_holds()

    partly = _problem(
        api.call(Role.PPK, "POST", path, _decree(effective_on="2025-12-01", overrides=[_override("decree_dates")])),
        422,
        "override-required",
    )
    assert _rules(partly) == ["performance"]
    unchanged.assert_holds()

    done = api.ok(Role.PPK, "POST", path, _decree(effective_on="2025-12-01", overrides=[_override(r) for r in named]))
    assert done["version"] == unchanged.version + 1

    [proposal] = api_round(api, round_id)["proposals"]
    decree = proposal["decree"]
    assert proposal["status"] == "decreed" and decree["effective_on"] == "2025-12-01"
    assert sorted(o["rule"] for o in decree["overrides"]) == sorted(named)
    assert all(o["authorised_by"]["user"] == "walikota" for o in decree["overrides"])
    failed = sorted(o["rule"] for o in decree["eligibility"] if not o["passed"])
    assert failed == sorted(named)
    dates = next(o for o in decree["eligibility"] if o["rule"] == "decree_dates")
    assert "2025-12-01" in dates["explanation"]

    report = api.ok(Role.AUDITOR, "GET", f"/reports/accountability?round_id={round_id}&min_position={done['position']}")
    overrides = next(s for s in report["sections"] if s["name"] == "overrides")["rows"]
    at_decree = [row for row in overrides if row["moment"] == "decree"]
    assert sorted(row["rule"] for row in at_decree) == sorted(named)
    assert all(row["proposal_id"] == proposal_id and row["decided_by"] == "walikota" for row in at_decree)
    assert not [row for row in overrides if row["moment"] == "decision"]


# -- 2. the future decree ------------------------------------------------------------------------


def test_errors_for_a_decree_signed_after_today(api: Api) -> None:
    round_id, proposal_id, _, _ = _approved(api)
    unchanged = Unchanged(api, round_id)

    problem = _problem(
        api.call(
            Role.PPK,
            "POST",
            f"/rounds/{round_id}/proposals/{proposal_id}/decree",
            _decree(signed_on="2027-03-01", effective_on="2027-03-01"),
        ),
        422,
        "invalid-value",
    )

    assert [e["loc"] for e in problem["errors"]] == [["body", "signed_on"]]
    assert "after today" in problem["errors"][0]["msg"]
    unchanged.assert_holds()


# -- 3. rules that newly fail on the TMT -----------------------------------------------------------


def test_errors_for_a_decree_whose_tmt_falls_before_the_tenure_anniversary(api: Api) -> None:
    # two years in post on 2026-03-15: after today's decision (judged on 2026-04-01), before the TMT 2026-03-10
    round_id, proposal_id, _, _ = _approved(api, effective_on=date(2026, 4, 1), placed_on="2024-03-15")
    decision = api_round(api, round_id)["proposals"][0]["decision"]
    assert decision["decided_on"] == "2026-02-10"
    assert next(o for o in decision["eligibility"] if o["rule"] == "tenure")["passed"]
    path = f"/rounds/{round_id}/proposals/{proposal_id}/decree"
    unchanged = Unchanged(api, round_id)

    problem = _problem(api.call(Role.PPK, "POST", path, _decree(effective_on="2026-03-10")), 422, "override-required")

    assert _rules(problem) == ["tenure"]
    unchanged.assert_holds()
    api.ok(Role.PPK, "POST", path, _decree(effective_on="2026-03-10", overrides=[_override("tenure")]))


def test_errors_for_a_decree_whose_target_seat_was_filled_after_the_decision(api: Api) -> None:
    round_id, proposal_id, _, target = _approved(api, target_formasi=1)
    _employee(api, 2, target, placed_on="2026-03-01")  # the last seat, taken after the decision
    path = f"/rounds/{round_id}/proposals/{proposal_id}/decree"
    unchanged = Unchanged(api, round_id)

    problem = _problem(api.call(Role.PPK, "POST", path, _decree()), 422, "override-required")

    assert _rules(problem) == ["vacancy"]
    unchanged.assert_holds()


# -- 4. rule 9 at the decree, the announcement and the execution -----------------------------------


def test_errors_for_the_employee_signing_announcing_or_executing_their_own_transfer(api: Api) -> None:
    round_id, proposal_id, _, _ = _approved(api, ready=False)
    path = f"/rounds/{round_id}/proposals/{proposal_id}"
    unchanged = Unchanged(api, round_id)
    announced = _problem(
        _send(
            api, _self_token(Role.PPK, 1), "POST", f"/rounds/{round_id}/announcement", {"announced_on": "2026-02-10"}
        ),
        422,
        "conflict-of-interest",
    )
    assert _rules(announced) == ["conflict_of_interest"]
    unchanged.assert_holds()

    _ready_for_decree(api, round_id)
    unchanged = Unchanged(api, round_id)
    signed = _problem(
        _send(api, _self_token(Role.PPK, 1), "POST", path + "/decree", _decree()), 422, "conflict-of-interest"
    )
    assert _rules(signed) == ["conflict_of_interest"] and "own transfer" in signed["detail"]
    unchanged.assert_holds()

    api.ok(Role.PPK, "POST", path + "/decree", _decree())
    unchanged = Unchanged(api, round_id)
    executed = _problem(
        _send(api, _self_token(Role.OPERATOR, 1), "POST", path + "/execution"), 422, "conflict-of-interest"
    )
    assert _rules(executed) == ["conflict_of_interest"]
    unchanged.assert_holds()
    assert api_round(api, round_id)["proposals"][0]["status"] == "decreed"


# -- 5. who decides a cross-agency transfer ----------------------------------------------------------


def test_errors_for_the_agency_ppk_deciding_a_transfer_between_agencies(api: Api) -> None:
    origin = _position(api, "Analis Anggaran", agency=OTHER_AGENCY, operator=OTHER_OPERATOR)
    target = _position(api, "Analis Keuangan")
    employee_id = _employee(api, 1, origin, operator=OTHER_OPERATOR, assessor=OTHER_ASSESSOR)
    round_id = api.ok(
        Role.OPERATOR,
        "POST",
        "/rounds",
        {
            "agency": AGENCY,
            "kind": "between_agencies_in_province",
            "title": "Mutasi antar instansi 2026",
            "period_starts_on": "2026-01-01",
            "period_ends_on": "2026-06-30",
            "planned_effective_on": "2026-03-01",
        },
    )["id"]
    proposal_id = api.ok(
        Role.OPERATOR,
        "POST",
        f"/rounds/{round_id}/proposals",
        {"employee_id": employee_id, "target_position_id": target, "reason": "fills a vacancy"},
    )["proposal_id"]
    path = f"/rounds/{round_id}/proposals/{proposal_id}"
    for party, ppk in (("releasing", "bupati-padang-pariaman"), ("receiving", "walikota")):
        api.ok(
            Role.OPERATOR,
            "POST",
            path + "/consents",
            {
                "party": party,
                "given_by": {"user": ppk},
                "position_id": target,
                "letter_number": f"800/{party}/2026",
                "given_on": "2026-02-01",
            },
        )
    api.ok(
        Role.OPERATOR,
        "POST",
        path + "/technical-review",
        {"approved": True, "reference": "PERTEK-KANREG-XII/2026/001", "reviewed_on": "2026-02-10"},
    )
    unchanged = Unchanged(api, round_id)

    problem = _problem(_send(api, PLAIN_PPK, "POST", path + "/decision", APPROVE), 403, "outside-authority")

    assert "Governor" in problem["detail"]
    one_side = bearer(Role.PPK, user="gubernur-sumbar", agencies=(AGENCY,), office=Office.GOVERNOR)
    partial = _problem(_send(api, one_side, "POST", path + "/decision", APPROVE), 403, "outside-authority")
    assert OTHER_AGENCY in partial["detail"]
    unchanged.assert_holds()
    decided = _ok(api, GOVERNOR, "POST", path + "/decision", APPROVE)
    assert decided["version"] == unchanged.version + 1
    decision = api_round(api, round_id)["proposals"][0]["decision"]
    assert decision["approved"] and decision["decided_by"]["user"] == "gubernur-sumbar"

    _ready_for_decree(api, round_id)
    unchanged = Unchanged(api, round_id)
    _problem(_send(api, PLAIN_PPK, "POST", path + "/decree", _decree()), 403, "outside-authority")
    unchanged.assert_holds()
    _ok(api, GOVERNOR, "POST", path + "/decree", _decree())


# -- 6. one agency's PPK on another agency's round ---------------------------------------------------


def test_errors_for_an_agency_official_acting_on_another_agencys_round(api: Api) -> None:
    origin = _position(api, "Analis Anggaran", agency=OTHER_AGENCY, operator=OTHER_OPERATOR)
    target = _position(api, "Analis Keuangan", agency=OTHER_AGENCY, operator=OTHER_OPERATOR)
    employee_id = _employee(api, 1, origin, operator=OTHER_OPERATOR, assessor=OTHER_ASSESSOR)
    round_id = _ok(
        api,
        OTHER_OPERATOR,
        "POST",
        "/rounds",
        {
            "agency": OTHER_AGENCY,
            "kind": "within_agency",
            "title": "Mutasi Tahap I 2026",
            "period_starts_on": "2026-01-01",
            "period_ends_on": "2026-06-30",
            "planned_effective_on": "2026-03-01",
        },
    )["id"]
    proposal_id = _ok(
        api,
        OTHER_OPERATOR,
        "POST",
        f"/rounds/{round_id}/proposals",
        {"employee_id": employee_id, "target_position_id": target, "reason": "fills a vacancy"},
    )["proposal_id"]
    path = f"/rounds/{round_id}/proposals/{proposal_id}"
    _ok(api, OTHER_COMMITTEE, "POST", path + "/recommendation", {"recommended": True, "notes": "fits"})
    unchanged = Unchanged(api, round_id)

    _problem(_send(api, PLAIN_PPK, "POST", path + "/decision", APPROVE), 403, "outside-authority")
    unchanged.assert_holds()
    _ok(api, OTHER_PPK, "POST", path + "/decision", APPROVE)
    unchanged = Unchanged(api, round_id)
    _problem(
        _send(api, PLAIN_PPK, "POST", f"/rounds/{round_id}/announcement", {"announced_on": "2026-03-02"}),
        403,
        "outside-authority",
    )
    unchanged.assert_holds()
    _problem(api.call(Role.OPERATOR, "GET", f"/rounds/{round_id}"), 403, "outside-authority")
    assert _ok(api, OTHER_OPERATOR, "GET", f"/rounds/{round_id}")["agency"] == OTHER_AGENCY


# -- 7. the level of a transfer -------------------------------------------------------------------


def test_errors_for_a_demotion_without_an_override(api: Api) -> None:
    origin = _position(
        api, "Kepala Badan Keuangan Daerah", formasi=1, position_type="jpt_pratama", ranks=("IV/a", "IV/c")
    )
    target = _position(api, "Analis Keuangan", ranks=("III/a", "IV/b"))
    employee_id = _employee(api, 1, origin, rank="IV/a")
    round_id = open_round(api)
    proposal_id = recommended_proposal(api, round_id, employee_id, target)
    [proposal] = api_round(api, round_id)["proposals"]
    level = next(o for o in proposal["eligibility"] if o["rule"] == "level")
    assert not level["passed"] and "demotion" in level["explanation"] and level["overridable"]
    assert [o["rule"] for o in proposal["eligibility"] if not o["passed"]] == ["level"]
    path = f"/rounds/{round_id}/proposals/{proposal_id}/decision"
    unchanged = Unchanged(api, round_id)

    problem = _problem(api.call(Role.PPK, "POST", path, APPROVE), 422, "override-required")

    assert _rules(problem) == ["level"] and "demotion" in problem["detail"]
    unchanged.assert_holds()
    api.ok(Role.PPK, "POST", path, {**APPROVE, "overrides": [_override("level")]})
    decision = api_round(api, round_id)["proposals"][0]["decision"]
    assert [o["rule"] for o in decision["overrides"]] == ["level"]


# -- 8. when an SKP year counts -------------------------------------------------------------------


def test_a_january_round_judges_the_two_years_before_last(api: Api, clock) -> None:
    clock.today = date(2027, 1, 5)
    origin, target = position(api, "Analis Anggaran"), position(api, "Analis Keuangan")
    employee_id = _employee(api, 1, origin, years=(2024, 2025))  # 2026 not rated: not final before February
    round_id = api.ok(
        Role.OPERATOR,
        "POST",
        "/rounds",
        {
            "agency": AGENCY,
            "kind": "within_agency",
            "title": "Mutasi Tahap I 2027",
            "period_starts_on": "2027-01-01",
            "period_ends_on": "2027-06-30",
            "planned_effective_on": "2027-01-10",
        },
    )["id"]
    before = api.app.recorder.max_notification_id()

    check = api.ok(
        Role.COMMITTEE,
        "POST",
        f"/rounds/{round_id}/eligibility-checks",
        {"employee_id": employee_id, "target_position_id": target},
    )

    performance = next(o for o in check["outcomes"] if o["rule"] == "performance")
    assert performance["passed"], performance
    assert "2024" in performance["explanation"] and "2025" in performance["explanation"]
    assert api.app.recorder.max_notification_id() == before  # a check records nothing


# -- 9. when an evaluation may be dated -------------------------------------------------------------


def test_errors_for_an_evaluation_dated_too_early_or_in_the_future(api: Api, clock) -> None:
    round_id, proposal_id, _, _ = _approved(api)
    path = f"/rounds/{round_id}/proposals/{proposal_id}"
    api.ok(Role.PPK, "POST", path + "/decree", _decree())
    api.ok(Role.OPERATOR, "POST", path + "/execution")
    evaluation = {
        "months_after": 6,
        "performance_after": "Baik",
        "adaptation": "as_expected",
        "service_quality": "as_expected",
        "notes": "settled in",
    }
    clock.today = date(2026, 3, 10)
    unchanged = Unchanged(api, round_id)

    early = _problem(
        api.call(Role.ASSESSOR, "POST", path + "/evaluations", {**evaluation, "evaluated_on": "2026-03-06"}),
        422,
        "invalid-value",
    )
    assert [e["loc"] for e in early["errors"]] == [["body", "evaluated_on"]]
    assert "too early" in early["errors"][0]["msg"]
    future = _problem(
        api.call(Role.ASSESSOR, "POST", path + "/evaluations", {**evaluation, "evaluated_on": "2026-09-01"}),
        422,
        "invalid-value",
    )
    assert [e["loc"] for e in future["errors"]] == [["body", "evaluated_on"]]
    assert "future" in future["errors"][0]["msg"]
    unchanged.assert_holds()

    clock.today = date(2026, 9, 2)
    done = api.call(Role.ASSESSOR, "POST", path + "/evaluations", {**evaluation, "evaluated_on": "2026-09-01"})
    assert done.status_code == 201, done.text
    [recorded] = api_round(api, round_id)["proposals"][0]["evaluations"]
    assert (recorded["months_after"], recorded["evaluated_on"]) == (6, "2026-09-01")


# -- 10. rule 9 answered in one place ---------------------------------------------------------------


def test_errors_for_a_ppk_deciding_their_own_transfer_as_the_eligibility_check_foretells(api: Api) -> None:
    origin, target = position(api, "Analis Anggaran"), position(api, "Analis Keuangan")
    employee_id = _employee(api, 1, origin)
    round_id = open_round(api)
    proposal_id = recommended_proposal(api, round_id, employee_id, target)
    question = {"employee_id": employee_id, "target_position_id": target, "act": "decide", "proposal_id": proposal_id}
    self_ppk = _self_token(Role.PPK, 1)
    unchanged = Unchanged(api, round_id)

    own = _ok(api, self_ppk, "POST", f"/rounds/{round_id}/eligibility-checks", question)
    conflict = next(o for o in own["outcomes"] if o["rule"] == "conflict_of_interest")
    assert not own["passed"] and not conflict["passed"] and not conflict["overridable"]
    assert "may not decide their own transfer" in conflict["explanation"]
    refused = _problem(
        _send(api, self_ppk, "POST", f"/rounds/{round_id}/proposals/{proposal_id}/decision", APPROVE),
        422,
        "conflict-of-interest",
    )
    assert _rules(refused) == ["conflict_of_interest"] and refused["detail"] == conflict["explanation"]
    unchanged.assert_holds()

    plain = _ok(api, PLAIN_PPK, "POST", f"/rounds/{round_id}/eligibility-checks", question)
    assert plain["passed"]
    assert next(o for o in plain["outcomes"] if o["rule"] == "conflict_of_interest")["passed"]
    unchanged.assert_holds()
    decided = _ok(api, PLAIN_PPK, "POST", f"/rounds/{round_id}/proposals/{proposal_id}/decision", APPROVE)
    assert decided["version"] == unchanged.version + 1
