"""Whose employee is it: the registering agency (Registered v2, its default, v1 events upcast) until the
employee is placed, then the agency of the position held; officials of another agency are refused."""

from __future__ import annotations

from datetime import date

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from application.context import Actor
from application.errors import AlreadyExists
from application.persistence.chain import canonical_json
from domain.authority import OutsideAuthority
from domain.employee import Employee
from domain.errors import InvalidValue
from domain.vocabulary import Expectation, PositionType, Rank
from tests import scenario as s

OTHER_AGENCY = "Pemerintah Kabupaten Padang Pariaman"
OUTSIDER = Actor("operator-padang-pariaman", agencies=(OTHER_AGENCY,))
BOTH = Actor("operator-provinsi", agencies=(s.AGENCY, OTHER_AGENCY))
SYSTEM = Actor("roster-import", agencies=("*",))


def _rate(app, actor: Actor, employee_id, year: int = 2025):
    return app.rate_performance(actor, employee_id, year, Expectation.AS_EXPECTED, Expectation.AS_EXPECTED)


def test_registration_defaults_to_the_one_agency_the_operator_serves(app) -> None:
    employee_id = app.register_employee(s.OPERATOR, s.nip(1), "Siti", Rank.III_A).aggregate_id
    assert app.get_employee(employee_id).agency == s.AGENCY
    with pytest.raises(OutsideAuthority):
        _rate(app, OUTSIDER, employee_id)
    assert _rate(app, s.OPERATOR, employee_id).version == 2


def test_an_operator_of_several_agencies_names_one_they_serve(app) -> None:
    with pytest.raises(InvalidValue, match="name the agency"):
        app.register_employee(BOTH, s.nip(2), "Budi", Rank.III_A)
    with pytest.raises(OutsideAuthority):
        app.register_employee(s.OPERATOR, s.nip(2), "Budi", Rank.III_A, agency=OTHER_AGENCY)
    employee_id = app.register_employee(BOTH, s.nip(2), "Budi", Rank.III_A, agency=OTHER_AGENCY).aggregate_id
    assert app.get_employee(employee_id).agency == OTHER_AGENCY
    with pytest.raises(AlreadyExists):  # a NIP registers once, whichever agency asks
        app.register_employee(s.OPERATOR, s.nip(2), "Budi", Rank.III_A)
    assert app.register_employee(SYSTEM, s.nip(3), "Tanpa Instansi", Rank.III_A).version == 1
    assert app.find_employee_by_nip(s.nip(3)).agency is None  # the system may leave it unnamed


def test_once_placed_the_employee_belongs_to_the_agency_of_the_position(app) -> None:
    theirs = app.establish_position(
        BOTH,
        OTHER_AGENCY,
        "BKPSDM",
        "Analis SDM",
        PositionType.FUNGSIONAL_AHLI_PERTAMA,
        Rank.III_A,
        Rank.III_D,
        2,
        s.STANDARD,
    ).aggregate_id
    employee_id = app.register_employee(BOTH, s.nip(4), "Rina", Rank.III_A, agency=s.AGENCY).aggregate_id
    with pytest.raises(OutsideAuthority):  # the position's agency is not the operator's
        app.place_employee(s.OPERATOR, employee_id, theirs, date(2020, 1, 2), "SK-1")
    with pytest.raises(OutsideAuthority):  # nor is the employee's
        app.place_employee(OUTSIDER, employee_id, theirs, date(2020, 1, 2), "SK-1")
    app.place_employee(BOTH, employee_id, theirs, date(2020, 1, 2), "SK-1")
    assert _rate(app, OUTSIDER, employee_id).version == 3
    with pytest.raises(OutsideAuthority):
        _rate(app, s.OPERATOR, employee_id, 2024)
    with pytest.raises(OutsideAuthority):
        app.get_employee(employee_id, reader=s.OPERATOR)
    assert app.get_employee(employee_id, version=1, reader=s.OPERATOR).agency == s.AGENCY  # as it was then


def _v1_registration(app, nip: str) -> Employee:
    """Store `Employee.Registered` as recorded before agencies were named (class version 1, no `agency`)."""
    employee = Employee.register(nip, "Pegawai Lama", Rank.III_B)
    [created] = employee.collect_events()
    stamp = created.timestamp.isoformat()
    state = {
        "nip": nip,
        "name": "Pegawai Lama",
        "rank": "III/b",
        "originator_topic": get_topic(Employee),
        "timestamp": stamp,
        "__meta__": {"actor": "old", "correlation_id": "c", "recorded_at": stamp},
    }
    old = StoredEvent(created.originator_id, 1, get_topic(Employee.Registered), canonical_json(state))
    app.recorder.insert_events([old])
    return employee


def test_a_version_1_registration_still_decodes_without_an_agency(app) -> None:
    employee = _v1_registration(app, s.nip(5))
    [stored] = app.recorder.select_events(employee.id)
    assert b"class_version" not in stored.state and b"agency" not in stored.state
    decoded = app.mapper.to_domain_event(stored)
    assert (decoded.nip, decoded.agency) == (s.nip(5), None)
    assert app.get_employee(employee.id).agency is None


def test_an_old_employee_of_no_agency_is_anyones_until_placed(app) -> None:
    employee = _v1_registration(app, s.nip(6))
    assert _rate(app, OUTSIDER, employee.id, 2024).version == 2  # no agency named, no position: any operator
    assert _rate(app, s.OPERATOR, employee.id, 2025).version == 3
    ours = s.position(app, "Analis")
    app.place_employee(s.OPERATOR, employee.id, ours, date(2020, 1, 2), "SK-6")
    with pytest.raises(OutsideAuthority):
        app.change_rank(OUTSIDER, employee.id, Rank.III_C, date(2026, 1, 1), "SK-KP")
    stored = app.recorder.select_events(employee.id)
    assert b'"class_version":2' not in stored[0].state  # the old event stays as recorded


def test_outside_authority_comes_before_a_version_mismatch(app) -> None:
    employee_id = app.register_employee(s.OPERATOR, s.nip(7), "Dewi", Rank.III_A).aggregate_id
    with pytest.raises(OutsideAuthority):  # an outsider learns nothing of the record, not even its version
        app.rate_performance(
            OUTSIDER, employee_id, 2025, Expectation.AS_EXPECTED, Expectation.AS_EXPECTED, expected_version=99
        )
