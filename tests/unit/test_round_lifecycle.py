"""MutationRound after the decisions: announce, decree, execute, evaluate, close — and their illegal orders."""

from datetime import date

import pytest

from domain.eligibility import FreezeWindow
from domain.errors import ConflictOfInterest, IllegalTransition, InvalidValue, RuleViolation
from domain.mutation_round import (
    CorrectiveActionRequired,
    DecreeMissing,
    RoundNotOpen,
    RoundStatus,
    TransferNotExecuted,
)
from domain.official import Official
from domain.proposal import EvaluationFindings, ProposalStatus
from domain.vocabulary import Expectation, Predikat
from tests.unit.builders import AGENCY, EFFECTIVE, OPERATOR, PPK, Scene, override, recorded, refused

E = Expectation.AS_EXPECTED
EVALUATOR = Official("kepala-bpkad", agencies=(AGENCY,))


def findings(performance_after=Predikat.BAIK, months=3, on=date(2026, 6, 1), corrective_action=None):
    """Findings of an evaluation; 1 June is three months after the TMT (1 March)."""
    return EvaluationFindings(months, on, performance_after, E, E, "settled in", corrective_action)


def executed(scene):
    proposal_id = scene.decreed()
    scene.execute(proposal_id)
    return proposal_id


# -- announce -----------------------------------------------------------------------


def test_announces_the_decided_list_and_stops_taking_proposals():
    scene = Scene.build()
    scene.approved()
    scene.announce()

    assert recorded(scene.round)[-1] == "Announced"
    assert (scene.round.status, scene.round.announced_on) == (RoundStatus.ANNOUNCED, date(2026, 2, 15))


def test_errors_for_announcing_before_any_decision():
    scene = Scene.build()
    scene.propose()
    with refused(IllegalTransition, scene.round, match="nothing has been decided yet"):
        scene.announce()


def test_errors_for_announcing_twice():
    scene = Scene.build()
    scene.approved()
    scene.announce()
    with refused(RoundNotOpen, scene.round, match="is announced"):
        scene.announce(on=date(2026, 2, 16))


# -- decree -------------------------------------------------------------------------


def test_issues_the_decree_of_an_approved_proposal_also_after_the_announcement():
    scene = Scene.build()
    proposal_id = scene.approved()
    scene.announce()
    scene.decree(proposal_id)

    proposal = scene.round.proposal(proposal_id)
    assert recorded(scene.round)[-1] == "DecreeIssued"
    assert proposal.status is ProposalStatus.DECREED
    assert proposal.decree.number == "SK 821/12/BKPSDM/2026"
    assert scene.round.seats_promised(scene.target.id) == 1  # still promised until executed


def test_errors_for_a_decree_of_a_proposal_not_approved():
    scene = Scene.build()
    proposed = scene.propose()
    with refused(IllegalTransition, scene.round, match=f"{proposed} is proposed"):
        scene.decree(proposed)
    scene.round.reject(proposed, PPK, "no", AGENCY)
    scene.announce()
    with refused(IllegalTransition, scene.round, match="is rejected"):
        scene.decree(proposed)


def test_errors_for_a_second_decree():
    scene = Scene.build()
    proposal_id = scene.decreed()
    with refused(IllegalTransition, scene.round, match="is decreed"):
        scene.decree(proposal_id, number="SK-2")


def test_errors_for_a_decree_without_a_number():
    scene = Scene.build()
    proposal_id = scene.announced()
    with refused(InvalidValue, scene.round, match="decree number"):
        scene.decree(proposal_id, number=" ")


def test_errors_for_a_decree_effective_more_than_a_year_before_its_signing():
    scene = Scene.build()
    proposal_id = scene.announced()
    with refused(InvalidValue, scene.round, match="more than a year before the signing date"):
        scene.decree(proposal_id, signed_on=date(2026, 2, 20), effective_on=date(2025, 2, 19))
    scene.decree(
        proposal_id,
        signed_on=date(2026, 2, 20),
        effective_on=date(2025, 2, 20),
        overrides=(
            override("decree_dates", "correcting a decree lost in 2025"),
            override("performance", "the 2023 rating was lost in a flood"),
        ),
    )


# -- execute ------------------------------------------------------------------------


def test_executes_a_decreed_transfer_on_its_effective_date():
    scene = Scene.build()
    proposal_id = scene.decreed()

    scene.execute(proposal_id)
    proposal = scene.round.proposal(proposal_id)

    assert recorded(scene.round)[-1] == "TransferExecuted"
    assert (proposal.status, proposal.executed_on) == (ProposalStatus.EXECUTED, EFFECTIVE)
    assert scene.round.seats_promised(scene.target.id) == 0


def test_errors_for_executing_before_the_decree():
    scene = Scene.build()
    proposal_id = scene.approved()
    with refused(DecreeMissing, scene.round, match="has no decree \\(status approved\\)"):
        scene.execute(proposal_id)


def test_errors_for_executing_a_proposal_that_was_never_approved():
    scene = Scene.build()
    proposal_id = scene.propose()
    with refused(DecreeMissing, scene.round, match="status proposed"):
        scene.execute(proposal_id)


def test_errors_for_executing_before_the_effective_date():
    scene = Scene.build()
    proposal_id = scene.decreed()
    with refused(IllegalTransition, scene.round, match="takes effect on 2026-03-01, after 2026-02-28"):
        scene.execute(proposal_id, date(2026, 2, 28))


def test_errors_for_executing_twice():
    scene = Scene.build()
    proposal_id = executed(scene)
    with refused(IllegalTransition, scene.round, match="already executed"):
        scene.execute(proposal_id)


def test_errors_for_executing_in_a_closed_round():
    scene = Scene.build()
    proposal_id = scene.announced()
    scene.round.close(OPERATOR, date(2026, 6, 30))
    with refused(RoundNotOpen, scene.round, match="is closed"):
        scene.execute(proposal_id)
    with refused(RoundNotOpen, scene.round, match="is closed"):
        scene.decree(proposal_id, "SK-9", date(2026, 7, 1), date(2026, 7, 1), today=date(2026, 7, 1))


# -- evaluate -----------------------------------------------------------------------


def test_records_an_evaluation_after_the_transfer():
    scene = Scene.build()
    proposal_id = executed(scene)
    scene.round.evaluate(proposal_id, findings(), Predikat.BAIK, EVALUATOR, date(2027, 1, 1), scene.policy)

    assert recorded(scene.round)[-1] == "TransferEvaluated"
    assert scene.round.proposal(proposal_id).evaluations == [findings()]


def test_errors_for_evaluating_before_the_transfer():
    scene = Scene.build()
    proposal_id = scene.decreed()
    with refused(TransferNotExecuted, scene.round, match="has not been executed yet"):
        scene.round.evaluate(proposal_id, findings(), Predikat.BAIK, EVALUATOR, date(2027, 1, 1), scene.policy)


def test_errors_for_the_employee_evaluating_their_own_transfer():
    scene = Scene.build()
    proposal_id = executed(scene)
    with refused(ConflictOfInterest, scene.round, match="may not evaluate their own transfer"):
        scene.round.evaluate(
            proposal_id,
            findings(),
            Predikat.BAIK,
            Official("self", scene.employee.nip, (AGENCY,)),
            date(2027, 1, 1),
            scene.policy,
        )


@pytest.mark.parametrize("months", [0, 121])
def test_errors_for_an_evaluation_month_outside_1_to_120(months):
    scene = Scene.build()
    proposal_id = executed(scene)
    with refused(InvalidValue, scene.round, match="months after the transfer"):
        scene.round.evaluate(proposal_id, findings(months=months), None, EVALUATOR, date(2027, 1, 1), scene.policy)


def test_errors_for_an_evaluation_dated_before_the_transfer():
    scene = Scene.build()
    proposal_id = executed(scene)
    with refused(InvalidValue, scene.round, match="too early for an evaluation 3 months after"):
        scene.round.evaluate(
            proposal_id,
            findings(on=date(2026, 2, 28)),
            None,
            EVALUATOR,
            date(2027, 1, 1),
            scene.policy,
        )


@pytest.mark.parametrize(
    "before, after",
    [
        (Predikat.BAIK, Predikat.BUTUH_PERBAIKAN),
        (Predikat.SANGAT_BAIK, Predikat.BAIK),
        (Predikat.KURANG, Predikat.SANGAT_KURANG),
    ],
)
def test_errors_for_a_performance_drop_without_a_corrective_action(before, after):
    scene = Scene.build()
    proposal_id = executed(scene)
    with refused(
        CorrectiveActionRequired,
        scene.round,
        match=f"dropped from {before.value} to {after.value}: name a corrective action",
    ) as error:
        scene.round.evaluate(
            proposal_id,
            findings(after, corrective_action="  "),
            before,
            EVALUATOR,
            date(2027, 1, 1),
            scene.policy,
        )

    assert error.value.rules == ("evaluation",)


def test_a_performance_drop_with_a_corrective_action_is_recorded():
    scene = Scene.build()
    proposal_id = executed(scene)
    scene.round.evaluate(
        proposal_id,
        findings(Predikat.KURANG, corrective_action="mentoring by the head of unit"),
        Predikat.BAIK,
        EVALUATOR,
        date(2027, 1, 1),
        scene.policy,
    )

    assert scene.round.proposal(proposal_id).evaluations[0].corrective_action == "mentoring by the head of unit"


@pytest.mark.parametrize("before", [None, Predikat.BAIK, Predikat.BUTUH_PERBAIKAN])
def test_an_equal_or_better_performance_needs_no_corrective_action(before):
    scene = Scene.build()
    proposal_id = executed(scene)
    scene.round.evaluate(proposal_id, findings(Predikat.BAIK), before, EVALUATOR, date(2027, 1, 1), scene.policy)

    assert len(scene.round.proposal(proposal_id).evaluations) == 1


def test_evaluations_go_on_after_the_round_is_closed():
    scene = Scene.build()
    proposal_id = executed(scene)
    scene.round.close(OPERATOR, date(2026, 6, 30))
    scene.round.evaluate(
        proposal_id,
        findings(months=6, on=date(2026, 9, 1)),
        None,
        EVALUATOR,
        date(2027, 1, 1),
        scene.policy,
    )

    assert recorded(scene.round)[-2:] == ["Closed", "TransferEvaluated"]


# -- close --------------------------------------------------------------------------


def test_closes_the_round():
    scene = Scene.build()
    executed(scene)
    scene.round.close(OPERATOR, date(2026, 6, 30))

    assert recorded(scene.round)[-1] == "Closed"
    assert (scene.round.status, scene.round.closed_on) == (RoundStatus.CLOSED, date(2026, 6, 30))


def test_errors_for_closing_while_a_decreed_transfer_awaits_execution():
    scene = Scene.build()
    scene.decreed()
    with refused(IllegalTransition, scene.round, match="1 decreed transfers are not executed yet"):
        scene.round.close(OPERATOR, date(2026, 6, 30))


def test_errors_for_closing_twice():
    scene = Scene.build()
    scene.round.close(OPERATOR, date(2026, 6, 30))
    with refused(RoundNotOpen, scene.round, match="is closed"):
        scene.round.close(OPERATOR, date(2026, 7, 1))


# -- a decree's effective date and the election freeze ------------------------------

PILKADA = FreezeWindow(date(2026, 4, 1), date(2026, 9, 30), "Pilkada 2026")


@pytest.mark.parametrize("effective_on", [date(2026, 4, 1), date(2026, 9, 30)])
def test_errors_for_a_decree_taking_effect_on_the_first_or_last_day_of_a_freeze(effective_on):
    scene = Scene.build(freeze_windows=(PILKADA,))  # planned for 1 March, before the window
    proposal_id = scene.announced()
    with refused(
        RuleViolation, scene.round, match=f"election_freeze: {effective_on} lies in the freeze window"
    ) as error:
        scene.decree(
            proposal_id,
            effective_on=effective_on,
            overrides=(override("decree_dates", "the school year ends in the autumn"),)
            if effective_on > date(2026, 6, 30)
            else (),
        )

    assert error.value.rules == ("election_freeze",)


@pytest.mark.parametrize("effective_on", [date(2026, 3, 31), date(2026, 10, 1)])
def test_a_decree_may_take_effect_the_day_before_or_after_a_freeze(effective_on):
    scene = Scene.build(freeze_windows=(PILKADA,))
    proposal_id = scene.approved()
    dates = (
        (override("decree_dates", "the school year ends in the autumn"),) if effective_on > date(2026, 6, 30) else ()
    )
    scene.decree(proposal_id, effective_on=effective_on, overrides=dates)

    assert scene.round.proposal(proposal_id).decree.effective_on == effective_on


def test_a_decree_may_take_effect_inside_a_freeze_whose_rule_the_approval_overrode():
    scene = Scene.build(freeze_windows=(PILKADA,), effective_on=date(2026, 4, 1))
    proposal_id = scene.approved(overrides=(override("election_freeze", "Mendagri approval 100.2/123"),))
    scene.decree(proposal_id, effective_on=date(2026, 4, 1))

    assert scene.round.proposal(proposal_id).status is ProposalStatus.DECREED
