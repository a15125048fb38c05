"""Random command sequences never break the register's invariants (hypothesis state machine).

Invariants: no employee holds two positions; no position ever gains a holder beyond its formasi;
every transfer had an approval and a decree with the same number; every decree was signed between
its decision and the day it was recorded; every rule that failed on a decree's TMT was overridden at
the decision or the decree.

Besides the ordinary steps, the machine issues decrees with drawn dates (signed after today, before
the decision, since the decision or after the objection window; a TMT before, inside or after the
round's period, or around the signing; with or without a `decree_dates` override and overrides of
the other failed rules) and checks each against DOMAIN.md's "Binding moments"; an official of
another agency tries every step and is refused (DOMAIN.md "Who may act for an agency"); the
application's clock moves forward so that objection windows close, decrees take effect and
evaluations fall due.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from application.context import Actor
from application.errors import ApplicationError
from application.service import MutasiApplication
from application.settings import Settings
from domain.authority import OutsideAuthority
from domain.calendar import add_months, add_years
from domain.eligibility import assess_eligibility
from domain.eligibility.conflict import Act
from domain.errors import DomainError, IllegalTransition, InvalidValue
from domain.mutation_round import DECREE_DATES, OverrideRequired
from domain.official import Official
from domain.proposal import EvaluationFindings, Override
from domain.vocabulary import Expectation, Predikat, TransferKind
from tests import scenario as s
from tests.conftest import Clock

DEPUTY = Official("sekda", None)
START = date(2026, 3, 1)
LAST_DAY = date(2027, 12, 31)
"""The clock moves forward from START, never beyond LAST_DAY."""
OUTSIDER = Actor("bupati-padang-pariaman", agencies=("Pemerintah Kabupaten Padang Pariaman",))
OUTSIDE_STEPS = ("propose", "recommend", "decide", "decree", "execute", "announce")


class RegisterMachine(RuleBasedStateMachine):
    """Drives one application through random proposals, decisions, decrees, transfers, revisions."""

    @initialize(prepared=st.integers(0, 3), wait=st.integers(0, 20), then=st.sampled_from([0, 3, 6, 10, 30]))
    def build_register(self, prepared, wait, then):
        """Positions, employees and an open round; `prepared` proposals of it approved (with
        overrides), the round announced `wait` days later, and the clock moved `then` days on."""
        self.clock = Clock(START)
        self.app = MutasiApplication(Settings(_env_file=None, store="memory"), clock=self.clock)
        self.positions = [
            s.position(self.app, f"Jabatan {i}", unit=f"Unit {i % 2}", formasi=2 + i % 2) for i in range(4)
        ]
        self.employees = [
            s.employee(self.app, n + 1, self.positions[n % 4], placed_on=date(2019 + n % 3, 1, 2)) for n in range(6)
        ]
        self.round_id = s.mutation_round(self.app)
        self.rounds = [self.round_id]
        self.proposals: list = []
        self.decrees = 0
        self.decreed_on: dict = {}
        """The day on the application's clock when each proposal's decree was recorded."""
        for e in range(prepared):
            self.propose(e, 1 + e % 3)
            self.advance(e, 2, True, False)
        if prepared:
            self.clock.today += timedelta(days=wait)
            self.announce()
            self.clock.today += timedelta(days=then)

    def teardown(self):
        if hasattr(self, "app"):
            self.app.close()

    @property
    def today(self) -> date:
        return self.clock.today

    def _try(self, command, *args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (DomainError, ApplicationError):
            return None

    def _last_notification(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def _round(self, round_id):
        """The round as stored now, read once for as long as nothing new is recorded (the machine
        reads rounds for its preconditions and invariants after every step). Read only."""
        last = self._last_notification()
        if getattr(self, "_read_at", None) != last:
            self._read_at, self._rounds_read = last, {}
        if round_id not in self._rounds_read:
            self._rounds_read[round_id] = self.app.get_round(round_id)
        return self._rounds_read[round_id]

    def _in_rounds(self, *statuses, all_rounds=False):
        """(round id, proposal) of the current round (or every round) whose status is one of `statuses`."""
        return [
            (r, p)
            for r in (self.rounds if all_rounds else [self.round_id])
            for p in self._round(r).proposals.values()
            if p.status.value in statuses
        ]

    def _round_is(self, *statuses) -> bool:
        return self._round(self.round_id).status.value in statuses

    # -- the ordinary steps ------------------------------------------------------

    @precondition(lambda self: self._round_is("open"))
    @rule(e=st.integers(0, 5), p=st.integers(1, 3))
    def propose(self, e, p):
        """Propose employee `e` for a position `p` steps away from the one it holds."""
        current = self.app.get_employee(self.employees[e]).position_id
        target = self.positions[(self.positions.index(current) + p) % 4]
        recorded = self._try(self.app.propose, s.OPERATOR, self.round_id, self.employees[e], target, "random proposal")
        if recorded:
            self.proposals.append((self.round_id, recorded.proposal_id))

    def _overrides(self, round_id, proposal):
        report = self._try(
            self.app.check_eligibility, s.PPK, round_id, proposal.employee_id, proposal.target_position_id
        )
        failed = report.failed if report else ()
        return tuple(Override(o.rule, "authorised exception", DEPUTY) for o in failed if o.overridable)

    def _issue_decree(self, round_id, proposal_id, signed_on, effective_on, overrides=()):
        """Issue a decree signed by the PPK; remember the day it was recorded."""
        self.decrees += 1
        recorded = self.app.issue_decree(
            s.PPK, round_id, proposal_id, f"SK-{self.decrees}", signed_on, effective_on, overrides
        )
        self.decreed_on[proposal_id] = self.today
        return recorded

    @precondition(lambda self: bool(self.proposals))
    @rule(i=st.integers(0, 30), steps=st.integers(2, 4), override=st.booleans(), decree=st.booleans())
    def advance(self, i, steps, override, decree):
        """Take a proposal up to `steps` steps further: recommend, approve, decree (unless `decree` is
        False: the approval then waits for a decree with drawn dates), execute."""
        if self.proposals:
            for _ in range(steps):
                self._step(*self.proposals[i % len(self.proposals)], override, decree)

    def _step(self, round_id, proposal_id, override, decree=True):
        proposal = self.app.get_round(round_id).proposal(proposal_id)
        status = proposal.status.value
        if status == "proposed" and proposal.recommendation is None:
            self._try(self.app.recommend, s.COMMITTEE, round_id, proposal_id, True, "ok")
        elif status == "proposed":
            overrides = self._overrides(round_id, proposal) if override else ()
            self._try(self.app.decide, s.PPK, round_id, proposal_id, True, "approved", overrides)
        elif status == "approved" and decree:
            # signed today, in effect today: refused before the objection window closed, or when
            # today lies outside the round's period
            self._try(self._issue_decree, round_id, proposal_id, self.today, self.today)
        elif status == "decreed":
            self._try(self.app.execute_transfer, s.OPERATOR, round_id, proposal_id)

    @precondition(lambda self: bool(self.proposals) and self._round_is("open"))
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

    @precondition(lambda self: self._round_is("open") and bool(self._in_rounds("approved", "rejected")))
    @rule()
    def announce(self):
        self._try(self.app.announce, s.PPK, self.round_id, self.today)

    @precondition(lambda self: self._round_is("announced"))
    @rule()
    def next_round(self):
        """Close the round (refused while a decree awaits execution) and open one around today."""
        if self._try(self.app.close_round, s.PPK, self.round_id, self.today) is not None:
            starts = self.today.replace(day=1)
            self.round_id = self.app.open_round(
                s.OPERATOR,
                s.AGENCY,
                TransferKind.WITHIN_AGENCY,
                f"Mutasi {starts:%Y-%m}",
                starts,
                add_months(starts, 6) - timedelta(days=1),
                self.today + timedelta(days=30),
            ).aggregate_id
            self.rounds.append(self.round_id)
            self.proposals = []

    # -- the clock ---------------------------------------------------------------

    @precondition(lambda self: self.clock.today < LAST_DAY)
    @rule(days=st.sampled_from([1, 3, 7, 30, 45, 90, 120]))
    def move_clock(self, days):
        """Move the application's "today" forward: objection windows close, decrees take effect,
        evaluations fall due."""
        self.clock.today = min(self.today + timedelta(days=days), LAST_DAY)

    # -- decrees with drawn dates ------------------------------------------------

    def _judged_on_tmt(self, mutation_round, proposal, effective_on):
        """Every rule as the second binding moment judges it: on the TMT, today, with the register as
        it stands now and the seats the round's other approvals promise, for the PPK signing."""
        case = mutation_round._case(
            self.app.get_employee(proposal.employee_id),
            self.app.get_position(proposal.from_position_id),
            self.app.get_position(proposal.target_position_id),
            s.PPK.official,
            self.app.policy,
            proposal.proposal_id,
            act=Act.SIGN_DECREE,
            proposal=proposal,
            on=effective_on,
            today=self.today,
        )
        assert case.effective_on == effective_on
        return assess_eligibility(case)

    @precondition(lambda self: self._round_is("announced") and bool(self._in_rounds("approved")))
    @rule(
        i=st.integers(0, 30),
        signing=st.sampled_from(["after_today", "before_decision", "since_decision", "after_window"]),
        sign_days=st.integers(0, 400),
        tmt=st.sampled_from(["before_period", "inside_period", "after_period", "around_signing"]),
        tmt_days=st.integers(0, 400),
        dates_override=st.booleans(),
        lift_others=st.booleans(),
        wait=st.sampled_from([0, 4, 8, 30]),
    )
    def issue_decree_with_drawn_dates(self, i, signing, sign_days, tmt, tmt_days, dates_override, lift_others, wait):
        """A decree with drawn dates is recorded exactly when the second binding moment allows it:
        signed not after today, nor before the decision, nor before the objection window closed (with
        nothing pending), a TMT inside the period and not before the signing (or a `decree_dates` override),
        and every other rule judged on the TMT passing or overridden. A refused one records nothing.
        The clock first moves `wait` days on (the objection window lasts a few working days)."""
        self.clock.today = min(self.today + timedelta(days=wait), LAST_DAY)
        approved = self._in_rounds("approved")
        _, proposal = approved[i % len(approved)]
        mutation_round = self._round(self.round_id)
        decided_on = proposal.decision.decided_on
        assert decided_on is not None and decided_on <= self.today
        closes_on = mutation_round.objection_window_closes_on(self.app.policy)
        after_window = max(decided_on, closes_on + timedelta(days=1))
        signed_on = {
            "after_today": self.today + timedelta(days=1 + sign_days % 30),
            "before_decision": decided_on - timedelta(days=1 + sign_days % 30),
            "since_decision": decided_on + timedelta(days=sign_days % ((self.today - decided_on).days + 1)),
            "after_window": after_window + timedelta(days=sign_days % max((self.today - after_window).days + 1, 1)),
        }[signing]
        starts, ends = mutation_round.period_starts_on, mutation_round.period_ends_on
        effective_on = {
            "before_period": starts - timedelta(days=1 + tmt_days % 60),
            "inside_period": starts + timedelta(days=tmt_days % ((ends - starts).days + 1)),
            "after_period": ends + timedelta(days=1 + tmt_days % 90),
            "around_signing": signed_on + timedelta(days=tmt_days % 60 - 20),
        }[tmt]

        report = self._judged_on_tmt(mutation_round, proposal, effective_on)
        failed = {o.rule for o in report.failed}
        dates_hold = signed_on <= effective_on and starts <= effective_on <= ends
        if not dates_hold:
            failed.add(DECREE_DATES)
        overrides = tuple(
            Override(o.rule, "authorised exception", DEPUTY) for o in report.failed if lift_others and o.overridable
        ) + ((Override(DECREE_DATES, "TMT set by the PPK", DEPUTY),) if dates_override else ())

        # signed (and recorded) after the objection window's last day, with no objection pending
        settled = min(self.today, signed_on) > closes_on and not any(
            o.proposal_id == proposal.proposal_id and o.is_pending for o in mutation_round.objections.values()
        )
        signing_ok = decided_on <= signed_on <= self.today
        not_a_year_early = effective_on >= add_years(signed_on, -1)
        names_failed = all(o.rule in failed for o in overrides)  # an override must name a failed rule
        uncovered = sorted(failed - {o.rule for o in overrides} - proposal.overridden)
        expected = settled and signing_ok and not_a_year_early and names_failed and not uncovered

        before = self._last_notification()
        try:
            self._issue_decree(self.round_id, proposal.proposal_id, signed_on, effective_on, overrides)
        except DomainError as error:
            assert not expected, f"a valid decree was refused: {error!r}"
            assert self._last_notification() == before, "a refused decree recorded something"
            if settled and not signing_ok:
                assert isinstance(error, InvalidValue), error
            elif signing_ok and not_a_year_early and not settled:
                assert isinstance(error, IllegalTransition), error
            elif signing_ok and not_a_year_early and settled and names_failed:
                assert isinstance(error, OverrideRequired) and list(error.rules) == uncovered, error
            return
        assert expected, (
            f"decree signed {signed_on}, TMT {effective_on} (decided {decided_on}, today {self.today}, "
            f"window closes {closes_on}) was recorded; failed {sorted(failed)}, "
            f"overrides {[o.rule for o in overrides]}"
        )
        assert self._last_notification() > before
        decree = self._round(self.round_id).proposal(proposal.proposal_id).decree
        assert (decree.signed_on, decree.effective_on) == (signed_on, effective_on)
        assert decree.overrides == overrides
        judged = {o.rule: o.passed for o in decree.eligibility}
        assert judged == {**{o.rule: o.passed for o in report.outcomes}, DECREE_DATES: dates_hold}

    # -- evaluations -------------------------------------------------------------

    @precondition(lambda self: bool(self._in_rounds("executed", all_rounds=True)))
    @rule(
        i=st.integers(0, 30),
        months=st.sampled_from([1, 3, 6, 12]),
        back=st.integers(0, 40),
        performance=st.sampled_from([Predikat.SANGAT_BAIK, Predikat.BAIK]),
    )
    def evaluate(self, i, months, back, performance):
        """An evaluation dated `back` days ago is recorded exactly when it is not earlier than the
        TMT plus its months, less the policy's early days (the performance never drops here)."""
        executed = self._in_rounds("executed", all_rounds=True)
        round_id, proposal = executed[i % len(executed)]
        evaluated_on = self.today - timedelta(days=back)
        findings = EvaluationFindings(
            months, evaluated_on, performance, Expectation.AS_EXPECTED, Expectation.AS_EXPECTED, "adapted well"
        )
        due = add_months(proposal.executed_on, months) - timedelta(days=self.app.policy.evaluation_early_days)
        before = self._last_notification()
        recorded = self._try(self.app.evaluate_transfer, s.OPERATOR, round_id, proposal.proposal_id, findings)
        assert (recorded is not None) == (evaluated_on >= due), (evaluated_on, due)
        assert (self._last_notification() > before) == (recorded is not None)

    # -- an official of another agency -------------------------------------------

    def _ready_for(self, step, mutation_round, proposal) -> bool:
        """True when the round and the proposal stand where `step` could be done by its rightful actor."""
        if step in ("recommend", "decide"):
            return mutation_round.status.value == "open" and proposal.status.value == "proposed"
        if step == "decree":
            return mutation_round.status.value != "closed" and proposal.status.value == "approved"
        if step == "execute":
            return (
                mutation_round.status.value != "closed"
                and proposal.status.value == "decreed"
                and proposal.decree.effective_on <= self.today
            )
        return True

    @rule(
        step=st.sampled_from(OUTSIDE_STEPS),
        i=st.integers(0, 30),
        e=st.integers(0, 5),
        p=st.integers(1, 3),
        approve=st.booleans(),
    )
    def act_for_another_agency(self, step, i, e, p, approve):
        """Whatever the step and whatever the state, an official of another agency is refused with
        OutsideAuthority and nothing is recorded (the step is tried on a proposal where it could be
        done, when there is one)."""
        mutation_round = self._round(self.round_id)
        proposals = list(mutation_round.proposals.values())
        candidates = [q for q in proposals if self._ready_for(step, mutation_round, q)] or proposals
        proposal = candidates[i % len(candidates)] if candidates else None
        if step == "propose":
            current = self.app.get_employee(self.employees[e]).position_id
            target = self.positions[(self.positions.index(current) + p) % 4]
            act = (self.app.propose, OUTSIDER, self.round_id, self.employees[e], target, "outside")
        elif step == "announce":
            act = (self.app.announce, OUTSIDER, self.round_id, self.today)
        elif proposal is None:
            return
        elif step == "recommend":
            act = (self.app.recommend, OUTSIDER, self.round_id, proposal.proposal_id, True, "outside")
        elif step == "decide":
            act = (self.app.decide, OUTSIDER, self.round_id, proposal.proposal_id, approve, "outside")
        elif step == "decree":
            decided_on = proposal.decision.decided_on if proposal.decision else None
            act = (
                self.app.issue_decree,
                OUTSIDER,
                self.round_id,
                proposal.proposal_id,
                "SK-OUTSIDE",
                decided_on or self.today,
                self.today,
            )
        else:
            act = (self.app.execute_transfer, OUTSIDER, self.round_id, proposal.proposal_id)
        before = self._last_notification()
        with pytest.raises(OutsideAuthority):
            act[0](*act[1:])
        assert self._last_notification() == before, f"{step} by another agency recorded something"

    # -- invariants --------------------------------------------------------------

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
                mutation_round = self._round(event.round_id)
                [proposal] = [
                    p
                    for p in mutation_round.proposals.values()
                    if p.employee_id == employee_id
                    and p.status.value == "executed"
                    and p.decree
                    and p.decree.number == event.decree_number
                ]
                assert proposal.decision is not None and proposal.decision.approved

    @invariant()
    def every_decree_was_signed_between_its_decision_and_its_recording(self):
        if not hasattr(self, "app"):
            return
        for _, proposal in self._in_rounds("decreed", "executed", all_rounds=True):
            decree, decision = proposal.decree, proposal.decision
            assert decree is not None and decision is not None and decision.approved
            assert decision.decided_on is not None
            assert decision.decided_on <= decree.signed_on <= self.decreed_on[proposal.proposal_id]
            if proposal.executed_on is not None:
                assert proposal.executed_on == decree.effective_on <= self.today

    @invariant()
    def every_rule_failed_at_the_decree_was_overridden(self):
        if not hasattr(self, "app"):
            return
        for _, proposal in self._in_rounds("decreed", "executed", all_rounds=True):
            failed = {o.rule for o in proposal.decree.eligibility if not o.passed}
            assert failed <= proposal.overridden, f"not overridden: {failed - proposal.overridden}"


RegisterMachine.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=35,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_random_commands_keep_the_invariants = RegisterMachine.TestCase
