"""Random command sequences never break the register's invariants (hypothesis state machine).

Invariants: no employee holds two positions; no position ever gains a holder beyond its formasi;
every transfer had an approval and a decree with the same number.
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from application.context import Actor
from application.errors import ApplicationError
from application.service import MutasiApplication
from application.settings import Settings
from domain.errors import DomainError
from domain.official import Official
from domain.proposal import Override
from tests import scenario as s
from tests.conftest import Clock

DEPUTY = Official("sekda", None)


class RegisterMachine(RuleBasedStateMachine):
    """Drives one application through random proposals, decisions, decrees, transfers, revisions."""

    @initialize()
    def build_register(self):
        self.app = MutasiApplication(Settings(_env_file=None, store="memory"), clock=Clock(date(2026, 3, 2)))
        self.positions = [
            s.position(self.app, f"Jabatan {i}", unit=f"Unit {i % 2}", formasi=2 + i % 2) for i in range(4)
        ]
        self.employees = [
            s.employee(self.app, n + 1, self.positions[n % 4], placed_on=date(2019 + n % 3, 1, 2))
            for n in range(6)
        ]
        self.round_id = s.mutation_round(self.app)
        self.proposals: list = []
        self.decrees = 0

    def teardown(self):
        if hasattr(self, "app"):
            self.app.close()

    def _try(self, command, *args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (DomainError, ApplicationError):
            return None

    @rule(e=st.integers(0, 5), p=st.integers(1, 3))
    def propose(self, e, p):
        """Propose employee `e` for a position `p` steps away from the one it holds."""
        current = self.app.get_employee(self.employees[e]).position_id
        target = self.positions[(self.positions.index(current) + p) % 4]
        recorded = self._try(self.app.propose, s.OPERATOR, self.round_id, self.employees[e],
                             target, "random proposal")
        if recorded:
            self.proposals.append((self.round_id, recorded.proposal_id))

    def _overrides(self, round_id, proposal):
        report = self._try(self.app.check_eligibility, s.PPK, round_id, proposal.employee_id,
                           proposal.target_position_id)
        failed = report.failed if report else ()
        return tuple(Override(o.rule, "authorised exception", DEPUTY) for o in failed if o.overridable)

    @rule(i=st.integers(0, 30), steps=st.integers(2, 4), override=st.booleans())
    def advance(self, i, steps, override):
        """Take a proposal up to `steps` steps further: recommend, approve, decree, execute."""
        if self.proposals:
            for _ in range(steps):
                self._step(*self.proposals[i % len(self.proposals)], override)

    def _step(self, round_id, proposal_id, override):
        proposal = self.app.get_round(round_id).proposal(proposal_id)
        status = proposal.status.value
        if status == "proposed" and proposal.recommendation is None:
            self._try(self.app.recommend, s.COMMITTEE, round_id, proposal_id, True, "ok")
        elif status == "proposed":
            overrides = self._overrides(round_id, proposal) if override else ()
            self._try(self.app.decide, s.PPK, round_id, proposal_id, True, "approved", overrides)
        elif status == "approved":
            self.decrees += 1
            self._try(self.app.issue_decree, s.PPK, round_id, proposal_id, f"SK-{self.decrees}",
                      date(2026, 2, 25), date(2026, 3, 1))
        elif status == "decreed":
            self._try(self.app.execute_transfer, s.OPERATOR, round_id, proposal_id)

    @rule(i=st.integers(0, 30), withdraw=st.booleans())
    def reject_or_withdraw(self, i, withdraw):
        if self.proposals:
            round_id, proposal_id = self.proposals[i % len(self.proposals)]
            if withdraw:
                self._try(self.app.withdraw, s.OPERATOR, round_id, proposal_id, "withdrawn")
            else:
                self._try(self.app.decide, s.PPK, round_id, proposal_id, False, "rejected")

    @rule(p=st.integers(0, 3), formasi=st.integers(0, 4))
    def revise_formasi(self, p, formasi):
        self._try(self.app.revise_formasi, s.OPERATOR, self.positions[p], formasi, "ABK")

    @rule()
    def next_round(self):
        if self._try(self.app.close_round, s.PPK, self.round_id, date(2026, 3, 2)) is not None:
            self.round_id = s.mutation_round(self.app)
            self.proposals = []

    @invariant()
    def nobody_holds_two_positions(self):
        if not hasattr(self, "app"):
            return
        held = {}
        for position_id in self.positions:
            for employee_id in self.app.get_position(position_id).holders:
                assert employee_id not in held, "an employee holds two positions"
                held[employee_id] = position_id
        for employee_id in self.employees:
            assert self.app.get_employee(employee_id).position_id == held.get(employee_id)

    @invariant()
    def no_position_gains_a_holder_beyond_its_formasi(self):
        if not hasattr(self, "app"):
            return
        for position_id in self.positions:
            formasi, holders = 0, 0
            for event in self.app.events.get(position_id):
                name = type(event).__name__
                formasi = getattr(event, "formasi", formasi)
                holders += {"HolderAdded": 1, "HolderRemoved": -1}.get(name, 0)
                if name == "HolderAdded":
                    assert holders <= formasi, "a seat beyond the formasi was filled"

    @invariant()
    def every_transfer_had_an_approval_and_a_decree(self):
        if not hasattr(self, "app"):
            return
        for employee_id in self.employees:
            for event in self.app.events.get(employee_id):
                if type(event).__name__ != "Transferred":
                    continue
                mutation_round = self.app.get_round(event.round_id)
                [proposal] = [p for p in mutation_round.proposals.values()
                              if p.employee_id == employee_id and p.status.value == "executed"
                              and p.decree and p.decree.number == event.decree_number]
                assert proposal.decision is not None and proposal.decision.approved


RegisterMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_random_commands_keep_the_invariants = RegisterMachine.TestCase
