"""Reading an aggregate as it was: at a version, or as recorded at a past moment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from application.errors import EmployeeNotFound
from tests import scenario as s


def test_a_historic_read_returns_the_state_as_it_was(app):
    origin = s.position(app, "Analis Keuangan", formasi=2)
    app.revise_formasi(s.OPERATOR, origin, 3, "ABK 2026")
    moment = datetime.now(UTC)
    app.revise_formasi(s.OPERATOR, origin, 5, "ABK 2027")
    assert app.get_position(origin).formasi == 5
    assert app.get_position(origin, version=1).formasi == 2
    assert app.get_position(origin, as_of=moment).formasi == 3


def test_an_employee_read_before_registration_is_not_found(app):
    moment = datetime.now(UTC)
    origin = s.position(app, "Analis Keuangan")
    employee_id = s.employee(app, 4, origin)
    with pytest.raises(EmployeeNotFound):
        app.get_employee(employee_id, as_of=moment)
    assert app.find_employee_by_nip(s.nip(4)).id == employee_id
