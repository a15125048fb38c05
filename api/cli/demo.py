"""`mutasi demo`: load the sample city register into the RUNNING service and walk one round over HTTP.

Start the service first (`mutasi serve`); the demo mints its own token per role with the same secret
and opens the same store (run it with the same settings: working directory or MUTASI_SQLITE_PATH, or
the PostgreSQL settings and MUTASI_JWT_SECRET). Between the two, it leaves the sample agency a completed
round of some weeks ago (`application.sample_history`), written in-process with the application's clock
on each act's day, since over HTTP the service's clock is today and a decree (SK) may only be signed
after the objection window: so the SK of that round can be printed. At the end it names the URLs to open.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from api.cli.rest_client import RestClient, ServiceError
from application.sample import AGENCY, SampleRegister, sample_records
from application.sample_history import PastRound
from application.settings import Settings
from domain.calendar import add_working_days
from domain.competency import job_person_match
from domain.policy import RulePolicy

if TYPE_CHECKING:  # imported where it runs: the HTTP stack is not loaded for other commands
    from api.http.security import ApiSettings

USERS = {  # who acts in the demo: role in the token, user id recorded in the events
    "operator": ("operator", "demo-operator"),
    "assessor": ("assessor", "demo-assessor"),
    "committee": ("committee", "ketua-tpk"),
    "ppk": ("ppk", "walikota-pariaman"),
}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `demo`."""
    demo = commands.add_parser(
        "demo", help="load a sample register into the running service and walk one round over HTTP"
    )
    demo.add_argument(
        "--base-url", default="http://127.0.0.1:8000", help="the running service (default http://127.0.0.1:8000)"
    )
    demo.add_argument("--employees", type=int, default=300, help="sample size (default 300)")
    demo.add_argument("--seed", type=int, default=2026, help="sample seed (default 2026)")
    demo.set_defaults(handler=run, http_settings=True)


def run(args: argparse.Namespace, settings: Settings, api: ApiSettings) -> int:
    """Load the sample (kept if already there) and walk a round, printing each step."""
    from api.http.roles import Role
    from api.http.security import jwt_secret, mint_token

    secret = jwt_secret(settings, api)
    tokens = {name: mint_token(secret, Role(role), user, agencies=(AGENCY,)) for name, (role, user) in USERS.items()}
    client = RestClient(args.base_url, tokens)
    try:
        client.ok(None, "GET", "/health/ready")
        print(f"loading the sample register of {args.employees} employees into {args.base_url} ...")
        loaded = load_over_http(client, date.today(), args.seed, args.employees)
        print(
            f"  {sum(map(len, loaded.positions.values()))} positions in "
            f"{len(loaded.positions)} units, {len(loaded.employees)} employees"
        )
        past = write_past_round(settings, loaded, args.seed)
        for line in past_round_lines(client, past):
            print(line)
        opened: list[str] = []
        for line in walk_round(client, loaded, date.today(), opened):
            print(line)
        for line in urls(args.base_url, past, opened[0] if opened else None):
            print(line)
    except ServiceError as error:
        print(f"mutasi demo: {error}")
        return 2
    finally:
        client.close()
    return 0


def load_over_http(client: RestClient, today: date, seed: int, employees: int) -> SampleRegister:
    """Send the sample's commands; a record whose first command finds it already there is skipped.

    Every command carries an idempotency key, so a demo interrupted half-way can simply be run again.
    """
    loaded = SampleRegister()
    for record in sample_records(today, seed, employees):
        loaded.add(record)
        for step, command in enumerate(record.commands):
            status, answer = client.run(command, key=f"demo-{seed}-{record.aggregate_id}-{step}")
            if step == 0 and status == 409 and (answer or {}).get("code") == "already-exists":
                break
            if status >= 300:
                raise ServiceError(status, answer or {}, command.use_case)
    return loaded


def write_past_round(settings: Settings, loaded: SampleRegister, seed: int) -> PastRound:
    """The sample agency's completed past round, written (unless there already) in the service's store."""
    from application.bootstrap import open_application
    from application.sample_history import write_past_round as write

    app = open_application(settings)
    try:
        return write(app, loaded, seed)
    finally:
        app.close()


def past_round_lines(client: RestClient, past: PastRound) -> Iterator[str]:
    """What the past round holds, read back over HTTP (so the service is seen to share the store)."""
    days = past.timeline
    status, answer = client.send("operator", "GET", f"/rounds/{past.round_id}")
    if status == 404:
        raise ServiceError(
            404,
            {
                "detail": "the service does not find the round the demo wrote: "
                "run the demo with the service's store settings"
            },
            "the past round",
        )
    if status >= 300:
        raise ServiceError(status, answer or {}, "the past round")
    yield (
        f"0. a past round {'written' if past.written else 'already there'}: {past.round_id} "
        f"(opened {days.opened_on}, decided {days.decided_on}, announced {days.announced_on}, objection "
        f"window closed {days.window_closes_on}, {past.decreed} decrees signed {days.signed_on}, "
        f"executed on their TMT {days.tmt}): " + ", ".join(p["status"] for p in (answer or {}).get("proposals", []))
    )


def urls(base_url: str, past: PastRound, today_round: str | None) -> Iterator[str]:
    """The pages and files a newcomer opens (staff documents need a token: `mutasi token`)."""
    base = base_url.rstrip("/")
    yield "open:"
    yield f"  public site                        {base}/publik"
    yield f"  the past round's page              {base}/publik/putaran/{past.round_id}"
    yield f"  the past round's announcement PDF  {base}/public/rounds/{past.round_id}/announcement.pdf"
    if today_round is not None:
        yield f"  today's announcement PDF           {base}/public/rounds/{today_round}/announcement.pdf"
    yield f"  the announced transfers (XLSX)     {base}/public/reports/transparency?format=xlsx"
    yield "with a staff token (TOKEN=$(mutasi token operator --user siti --agency 'Pemerintah Kota Pariaman')):"
    yield (
        "  the past round's SK (PDF)          "
        f'curl -H "Authorization: Bearer $TOKEN" -o sk.pdf {base}/rounds/{past.round_id}/documents/decree.pdf'
    )
    yield (
        "  staffing against formasi (XLSX)    "
        f'curl -H "Authorization: Bearer $TOKEN" -o formasi.xlsx "{base}/reports/staffing?format=xlsx"'
    )


def _jpm(employee: dict[str, Any], target: dict[str, Any]) -> Any:
    latest = max(employee["assessments"], key=lambda a: a["assessed_on"], default=None)
    return job_person_match(latest["scores"] if latest else {}, target["standard"])


def _candidates(
    client: RestClient, round_id: str, employees: list[dict[str, Any]], vacancies: list[dict[str, Any]]
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """For each vacancy, the best-matching employee (JPM, then NIP) whom every rule lets move."""
    chosen: set[str] = set()
    for target in vacancies:
        ranked = sorted(
            (e for e in employees if e["position_id"] not in (None, target["id"]) and e["id"] not in chosen),
            key=lambda e: (_jpm(e, target), e["nip"]),
            reverse=True,
        )
        for employee in ranked:
            check = client.ok(
                "operator",
                "POST",
                f"/rounds/{round_id}/eligibility-checks",
                {"employee_id": employee["id"], "target_position_id": target["id"]},
            )
            if check["passed"]:
                chosen.add(employee["id"])
                yield employee, target
                break


def objection_window(announced_on: date) -> tuple[date, date]:
    """The last day of the objection window after an announcement, and the first day a decree may be
    signed (the default window; the service's settings may differ)."""
    days = RulePolicy().objection_window_working_days
    closes_on = add_working_days(announced_on, days)
    return closes_on, add_working_days(closes_on, 1)


def walk_round(
    client: RestClient, loaded: SampleRegister, today: date, opened: list[str] | None = None
) -> Iterator[str]:
    """Open, propose, review, decide and announce over HTTP (the round's id is added to `opened`). What
    follows takes days (the objection window, then decrees, execution on the TMT, evaluations months
    later), so the demo names the dates instead of recording anything ahead of time."""
    freeze = {
        "starts_on": today + timedelta(days=300),
        "ends_on": today + timedelta(days=500),
        "reason": "Pilkada serentak",
    }
    round_id = client.ok(
        "operator",
        "POST",
        "/rounds",
        {
            "agency": AGENCY,
            "kind": "within_agency",
            "title": f"Mutasi {today:%B %Y}",
            "period_starts_on": today - timedelta(days=30),
            "period_ends_on": today + timedelta(days=60),
            "planned_effective_on": today,
            "freeze_windows": [freeze],
        },
    )["id"]
    if opened is not None:
        opened.append(round_id)
    yield f"1. round opened: {round_id} (effective {today}, freeze window {freeze['starts_on']} to {freeze['ends_on']})"
    positions = [client.ok("operator", "GET", f"/positions/{p}") for ids in loaded.positions.values() for p in ids]
    vacancies = sorted(
        (p for p in positions if p["free_seats"] > 0 and not p["position_type"].startswith("jpt_")),
        key=lambda p: (-p["free_seats"], p["unit"], p["title"]),
    )[:3]
    yield "2. needs analysis: " + "; ".join(f"{p['title']} has {p['free_seats']} free seats" for p in vacancies)
    employees = [client.ok("operator", "GET", f"/employees/{e}") for e in loaded.employees]
    proposals = []
    for employee, target in _candidates(client, round_id, employees, vacancies):
        recorded = client.ok(
            "operator",
            "POST",
            f"/rounds/{round_id}/proposals",
            {
                "employee_id": employee["id"],
                "target_position_id": target["id"],
                "reason": f"best competency match for the vacancy in {target['unit']}",
            },
        )
        proposal = next(
            p
            for p in client.ok("operator", "GET", f"/rounds/{round_id}")["proposals"]
            if p["proposal_id"] == recorded["proposal_id"]
        )
        yield (
            f"3. proposed {employee['name']} for {target['title']}: JPM {proposal['jpm']} ({proposal['jpm_category']})"
        )
        for outcome in proposal["eligibility"]:
            yield f"     {'pass' if outcome['passed'] else 'FAIL'} {outcome['rule']}: {outcome['explanation']}"
        proposals.append(recorded["proposal_id"])
    if not proposals:
        yield "   no eligible candidate for any vacancy; closing the round"
        client.ok("ppk", "POST", f"/rounds/{round_id}/closure", {"closed_on": today})
        return
    for proposal_id in proposals:
        path = f"/rounds/{round_id}/proposals/{proposal_id}"
        client.ok(
            "committee",
            "POST",
            path + "/recommendation",
            {"recommended": True, "notes": "meets the standard; recommended"},
        )
        client.ok(
            "ppk", "POST", path + "/decision", {"approve": True, "reason": "approved on the committee's recommendation"}
        )
    yield f"4. committee recommended and the PPK approved {len(proposals)} proposals"
    client.ok("ppk", "POST", f"/rounds/{round_id}/announcement", {"announced_on": today})
    public = client.ok(None, "GET", f"/public/rounds/{round_id}/announcement")
    yield "5. approved list announced; the public sees: " + "; ".join(
        f"{t['masked_nip']} {t['name']}: {t['from_title']} -> {t['to_title']}" for t in public["transfers"]
    )
    closes_on, first_decree = objection_window(today)
    yield (
        f"6. the objection window is open until {closes_on}: each employee concerned may object "
        f"(POST /rounds/{round_id}/proposals/{{id}}/objections) and the committee answers"
    )
    yield (
        f"7. decrees can be signed from {first_decree}, each rule judged again on its TMT; then each "
        "transfer is executed on its TMT and evaluated 3 and 6 months later"
    )
    final = client.ok("operator", "GET", f"/rounds/{round_id}")
    yield f"8. round announced at version {final['version']}: " + ", ".join(p["status"] for p in final["proposals"])
