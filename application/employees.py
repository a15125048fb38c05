"""Use cases on employees: register, assess, rate, discipline, place, develop, retire, read."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from application.authority import AgencyAuthority, scoped_agency
from application.context import Actor, Recorded
from application.errors import AlreadyExists, ConcurrentChange, EmployeeNotFound, PositionNotFound
from domain.employee import Employee
from domain.nip import Nip
from domain.position import Position
from domain.transfer import place_employee, retire_employee
from domain.vocabulary import DevelopmentActivity, Expectation, Potential, Rank, SanctionLevel


class EmployeeUseCases(AgencyAuthority):
    """Commands and queries on the Employee aggregate; each refuses an actor who does not act for the
    employee's agency (`application.authority`)."""

    def register_employee(self, actor: Actor, nip: str, name: str, rank: Rank, agency: str | None = None) -> Recorded:
        """Register a civil servant for `agency` (by default the one agency the actor serves; a national
        actor may leave it unnamed); the same NIP cannot be registered twice."""
        agency = scoped_agency(actor.official, agency, "register")
        employee = Employee.register(nip, name, rank, agency)
        try:  # the id is the NIP's: the store refuses a second version 1, so no read is needed first
            return self._recorded(actor, employee)
        except ConcurrentChange:
            raise AlreadyExists(f"an employee with NIP {employee.nip} is already registered") from None

    def get_employee(
        self,
        employee_id: UUID,
        *,
        version: int | None = None,
        as_of: datetime | None = None,
        reader: Actor | None = None,
    ) -> Employee:
        """The employee now, at a version, or as recorded at a past moment; a `reader` must act for
        the employee's agency as read (or every agency). Without one: the application's own reads."""
        employee = self._read(Employee, employee_id, EmployeeNotFound, version, as_of)
        if reader is not None:
            self._check(reader, employee, "this employee")
        return employee

    def find_employee_by_nip(self, nip: str, reader: Actor | None = None) -> Employee:
        """The employee with this NIP (a `reader` as in `get_employee`)."""
        return self.get_employee(Employee.create_id(Nip.parse(nip).value), reader=reader)

    def _employee(self, actor: Actor, employee_id: UUID, expected_version: int | None) -> Employee:
        return self._load_for(actor, Employee, employee_id, EmployeeNotFound, expected_version, "this employee")

    def change_rank(
        self,
        actor: Actor,
        employee_id: UUID,
        rank: Rank,
        effective_on: date,
        reference: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """Record a rank change; returns the employee's new version."""
        employee = self._employee(actor, employee_id, expected_version)
        employee.change_rank(rank, effective_on, reference)
        return self._recorded(actor, employee)

    def assess_competency(
        self,
        actor: Actor,
        employee_id: UUID,
        scores: dict[str, int],
        potential: Potential,
        assessor: str,
        method: str,
        assessed_on: date,
        expected_version: int | None = None,
    ) -> Recorded:
        """Record a competency assessment; returns the employee's new version."""
        employee = self._employee(actor, employee_id, expected_version)
        employee.assess_competency(scores, potential, assessor, method, assessed_on)
        return self._recorded(actor, employee)

    def rate_performance(
        self,
        actor: Actor,
        employee_id: UUID,
        year: int,
        results: Expectation,
        behaviour: Expectation,
        expected_version: int | None = None,
    ) -> Recorded:
        """Record a year's SKP rating; returns the predikat."""
        employee = self._employee(actor, employee_id, expected_version)
        rating = employee.rate_performance(year, results, behaviour)
        return self._recorded(actor, employee, predikat=rating)

    def record_sanction(
        self,
        actor: Actor,
        employee_id: UUID,
        level: SanctionLevel,
        imposed_on: date,
        ends_on: date,
        reference: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """Record a disciplinary sanction; returns the employee's new version."""
        employee = self._employee(actor, employee_id, expected_version)
        employee.record_sanction(level, imposed_on, ends_on, reference)
        return self._recorded(actor, employee)

    def open_disciplinary_case(
        self,
        actor: Actor,
        employee_id: UUID,
        reference: str,
        opened_on: date,
        expected_version: int | None = None,
    ) -> Recorded:
        """Record a pending disciplinary case."""
        employee = self._employee(actor, employee_id, expected_version)
        employee.open_disciplinary_case(reference, opened_on)
        return self._recorded(actor, employee)

    def close_disciplinary_case(
        self,
        actor: Actor,
        employee_id: UUID,
        reference: str,
        closed_on: date,
        outcome: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """Close a pending disciplinary case."""
        employee = self._employee(actor, employee_id, expected_version)
        employee.close_disciplinary_case(reference, closed_on, outcome)
        return self._recorded(actor, employee)

    def place_employee(
        self,
        actor: Actor,
        employee_id: UUID,
        position_id: UUID,
        effective_on: date,
        decree_number: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """Seat an employee in a first position; employee and position are saved together."""
        employee = self._employee(actor, employee_id, expected_version)
        position = self._load(Position, position_id, PositionNotFound)
        self._check(actor, position, "this position")
        place_employee(employee, position, effective_on, decree_number)
        return self._recorded(actor, employee, position)

    def plan_development(
        self,
        actor: Actor,
        employee_id: UUID,
        activity: DevelopmentActivity,
        title: str,
        competency: str | None,
        jp_hours: int,
        due_on: date,
        expected_version: int | None = None,
    ) -> Recorded:
        """Plan a development activity; returns the plan id."""
        employee = self._employee(actor, employee_id, expected_version)
        plan_id = uuid4()
        employee.plan_development(plan_id, activity, title, competency, jp_hours, due_on)
        return self._recorded(actor, employee, plan_id=plan_id)

    def complete_development(
        self,
        actor: Actor,
        employee_id: UUID,
        plan_id: UUID,
        completed_on: date,
        jp_hours: int,
        expected_version: int | None = None,
    ) -> Recorded:
        """Record a development activity as completed with the JP hours done."""
        employee = self._employee(actor, employee_id, expected_version)
        employee.complete_development(plan_id, completed_on, jp_hours)
        return self._recorded(actor, employee)

    def retire_employee(
        self,
        actor: Actor,
        employee_id: UUID,
        retired_on: date,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """Retire an employee; the seat they held is freed in the same save."""
        employee = self._employee(actor, employee_id, expected_version)
        position = self._load(Position, employee.position_id, PositionNotFound) if employee.position_id else None
        retire_employee(employee, position, retired_on, reason)
        return self._recorded(actor, employee, *([position] if position else []))
