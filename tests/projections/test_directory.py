"""The directory of names, NIPs, titles and units the views look up: noted from the events as they pass,
read from the event store for what was not seen, bounded in memory."""

from __future__ import annotations

from uuid import uuid4

from application.service import MutasiApplication
from application.settings import Settings
from projections.directory import NO_PERSON, NO_SEAT, Directory
from projections.runner import ProjectionRunner
from tests import scenario as sc
from tests.projections.flow import Flow


def test_a_runner_that_never_saw_the_registrations_reads_them_from_the_store(
    settings: Settings, app: MutasiApplication, flow: Flow
) -> None:
    runner = ProjectionRunner(settings, ["round_board"])
    try:
        runner.open()  # no batch applied: nothing noted yet
        employee, position = app.get_employee(flow.employees[0]), app.get_position(flow.positions[0])
        assert runner.directory.person(flow.employees[0]) == {"name": employee.name, "nip": employee.nip}
        assert runner.directory.seat(str(flow.positions[0])) == {
            "title": position.title,
            "unit": position.unit,
            "agency": position.agency,
            "position_type": position.position_type.value,
        }
        assert runner.directory.person(flow.positions[0]) == NO_PERSON  # a position is not a person
        assert runner.directory.seat(uuid4()) == NO_SEAT
    finally:
        runner.close()


def test_past_its_limit_the_directory_still_answers_every_fact(app: MutasiApplication) -> None:
    desk = sc.position(app, "Pengelola Arsip", formasi=12)
    people = [sc.employee(app, seq, desk) for seq in range(40, 50)]
    reads: list[object] = []

    def first_event(aggregate_id):
        reads.append(aggregate_id)
        return next(iter(app.events.get(aggregate_id, limit=1)), None)

    directory = Directory(first_event, limit=4)
    for employee_id in people:
        directory.note(next(iter(app.events.get(employee_id, limit=1))))
    assert directory.person(people[-1])["name"] == app.get_employee(people[-1]).name
    assert reads == []  # the newest are kept
    names = [directory.person(employee_id)["name"] for employee_id in people]
    assert names == [app.get_employee(employee_id).name for employee_id in people]
    assert reads[0] == people[0]  # the oldest were forgotten, and read again from the store
