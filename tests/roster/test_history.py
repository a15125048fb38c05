"""A generated register with years of history (`HistoryWriter`), on SQLite and PostgreSQL: spread over
the years in time order, interleaved across employees, with every year's ratings, rounds that pass
every binding moment, retirements and hires."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest

from application.roster.files import write_roster
from application.roster.history import HistoryRefused, HistoryWriter
from application.roster.importer import RosterImport
from domain.calendar import add_months, add_working_days

YEARS, START, END = 5, date(2021, 1, 1), date(2026, 1, 1)
HISTORY = {"size": "city", "seed": 3, "years": YEARS, "employees": 400}
DAY_OF = {  # the day an act happened, from its event
    "CompetencyAssessed": lambda e: e.assessment.assessed_on,
    "SanctionRecorded": lambda e: e.sanction.imposed_on,
    "Retired": lambda e: e.retired_on,
    "Placed": lambda e: e.effective_on,
    "Transferred": lambda e: e.effective_on,
    "Announced": lambda e: e.announced_on,
    "DecreeIssued": lambda e: e.decree.signed_on,
    "Closed": lambda e: e.closed_on,
}


def events(app) -> list:
    notifications = app.recorder.select_notifications(1, 10**7)
    return [app.mapper.to_domain_event(n) for n in notifications]


def name(event) -> str:
    return type(event).__qualname__.split(".")[-1]


@pytest.fixture
def history(app):
    writer = HistoryWriter(app, **HISTORY)
    result = writer.run()
    log = events(app)
    versions = {}
    for event in log:
        versions[event.originator_id] = event.originator_version
    assert all(not a.pending_events and versions[a.id] == a.version for a in writer.cache.values()), (
        "an act was not saved"
    )
    return app, result, log


def test_acts_happen_in_time_order_over_the_years(history) -> None:
    _, result, log = history
    days = [DAY_OF[name(e)](e) for e in log if name(e) in DAY_OF]
    lived = [day for day in days if day >= START]  # the register's own past comes first, then the years
    assert days[len(days) - len(lived) :] == lived, "an act of the years is recorded among the register's past"
    assert lived == sorted(lived)
    assert lived[0] < START + timedelta(days=200) and END - timedelta(days=200) < lived[-1] < END
    assert {day.year for day in lived} == set(range(START.year, END.year))
    assert result.start == START and result.end == END


def test_every_year_rates_everyone_in_service(history) -> None:
    _, result, log = history
    rated = Counter(e.rating.year for e in log if name(e) == "PerformanceRated")
    for year in range(START.year - 1, END.year - 1):  # each January rates the year before
        assert rated[year] >= 0.9 * result.employees_at_start, (year, rated)
    first = [i for i, e in enumerate(log) if name(e) == "PerformanceRated" and e.rating.year == START.year - 1]
    last = [i for i, e in enumerate(log) if name(e) == "PerformanceRated" and e.rating.year == START.year]
    assert max(first) < min(last)  # a whole year lies between two waves


def test_each_employees_events_are_interleaved_with_everyone_elses(history) -> None:
    log = history[2]
    positions = defaultdict(list)
    for index, event in enumerate(log):
        positions[event.originator_id].append(index)
    employees = {e.originator_id for e in log if name(e) == "Registered"}
    in_one_block = [i for i in employees if positions[i][-1] - positions[i][0] + 1 == len(positions[i])]
    assert len(in_one_block) < 0.05 * len(employees)  # only some hired late and never rated since
    spread = sorted(positions[i][-1] - positions[i][0] for i in employees)
    assert spread[len(spread) // 2] > len(log) / 2  # the median employee's history spans most of the log


def test_rounds_pass_every_binding_moment_in_order(history) -> None:
    app, result, log = history
    round_ids = [e.originator_id for e in log if name(e) == "Opened"]
    assert len(round_ids) == 2 * YEARS
    assert result.acts["transfer"] > 0 and result.acts["evaluation"] > 0 and result.acts["rejected"] > 0
    evaluated = 0
    for round_id in round_ids:
        mutation_round = app.get_round(round_id)
        for proposal in mutation_round.proposals.values():
            decision = proposal.decision
            assert decision is not None and decision.decided_on <= mutation_round.announced_on
            if proposal.decree is None:
                continue
            closes = add_working_days(mutation_round.announced_on, 3)
            assert closes < proposal.decree.signed_on <= proposal.decree.effective_on
            assert proposal.executed_on == proposal.decree.effective_on
            for evaluation in proposal.evaluations:
                due = add_months(proposal.executed_on, evaluation.months_after)
                assert due - timedelta(days=14) <= evaluation.evaluated_on < END
                evaluated += 1
    assert evaluated == result.acts["evaluation"]
    actors = {e.decision.decided_by.user for e in log if name(e) == "Decided"}
    assert actors == {"ppk-pemerintah-kota-padang"}  # an official serving the agency


def test_people_retire_and_new_ones_are_hired(history) -> None:
    app, result, log = history
    retired = [e for e in log if name(e) == "Retired"]
    hired = [e for e in log if name(e) == "Registered" and e.nip[8:12] >= str(START.year)]
    assert result.acts["retire"] == len(retired) > 0
    assert result.acts["hire"] == len(hired) > 0
    assert all(app.get_employee(e.originator_id).position_id is not None for e in hired[:5])


def test_a_history_after_an_import_of_its_roster_is_the_same_history(app, memory_app, tmp_path) -> None:
    """The roster of the first day imported by `mutasi import`, then the years: the same acts in the
    same order as a history that saves its register itself."""
    writer = HistoryWriter(app, **HISTORY)
    roster = tmp_path / "start.csv"
    write_roster(writer.register_rows(), roster)
    RosterImport(app).run(roster, tmp_path / "errors.csv")
    imported = writer.run(register_in_store=True)
    direct = HistoryWriter(memory_app, **HISTORY).run()
    assert imported.acts == direct.acts
    years = [name(e) for e in events(app) if name(e) in DAY_OF or name(e) == "PerformanceRated"]
    itself = [name(e) for e in events(memory_app) if name(e) in DAY_OF or name(e) == "PerformanceRated"]
    assert years[-5000:] == itself[-5000:]


def test_a_history_is_written_once(app) -> None:
    HistoryWriter(app, "city", 4, 1, employees=30).run()
    with pytest.raises(HistoryRefused):
        HistoryWriter(app, "city", 4, 1, employees=30).run()
