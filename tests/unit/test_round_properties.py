"""Properties of a round over random candidates and officials: approvals without an override never
promise a seat twice; any act by any official is refused exactly when the official does not act for
the round's agency (DOMAIN.md "Who may act for an agency")."""

from datetime import date
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.authority import OutsideAuthority, check_may_decide
from domain.mutation_round import OverrideRequired
from domain.official import NATIONAL, Official
from domain.proposal import EvaluationFindings
from domain.vocabulary import Expectation, Office, Predikat, TransferKind
from tests.unit.builders import (
    AGENCY,
    COMMITTEE,
    DECIDED_ON,
    DECIDERS,
    OPERATOR,
    OTHER_AGENCY,
    Scene,
    recorded,
    refused,
)


@settings(max_examples=30, deadline=None)
@given(formasi=st.integers(0, 3), holders=st.integers(0, 3), candidates=st.integers(1, 5))
def test_approvals_without_override_fill_exactly_the_free_seats(formasi, holders, candidates):
    scene = Scene.build(target_formasi=max(formasi, holders))
    for n in range(holders):
        scene.target.add_holder(UUID(int=n + 1), scene.round.period_starts_on, f"SK-H{n}")
    scene.target.revise_formasi(formasi, "ABK")
    people = [scene.employee] + [scene.another(n + 2) for n in range(candidates - 1)]
    proposals = [(scene.propose(who), who) for who in people]
    approved = 0
    for proposal_id, who in proposals:
        scene.recommend(proposal_id)
        try:
            scene.approve(proposal_id, who)
            approved += 1
        except OverrideRequired as error:
            assert error.rules == ("vacancy",)

    assert approved == min(candidates, max(formasi - holders, 0))
    assert scene.round.seats_promised(scene.target.id) == approved


# -- who may act for an agency (DOMAIN.md), over random officials and acts ------------------------

OFFICIALS = st.one_of(
    st.builds(
        lambda agencies, office: Official("pejabat-acak", agencies=agencies, office=office),
        st.sampled_from(
            [(), (AGENCY,), (OTHER_AGENCY,), (NATIONAL,), (AGENCY, OTHER_AGENCY), ("Pemerintah Kota Sibolga",)]
        ),
        st.sampled_from([None, *Office]),
    ),
    st.sampled_from(list(DECIDERS.values())),  # the PPK, the Governor, the Minister, the Head of BKN
)
"""Officials serving the round's agency, another one, both, every agency ("*") or none, with or
without a deciding office."""
ACTS = ("propose", "withdraw", "recommend", "approve", "reject", "announce", "decree", "execute", "evaluate", "close")
DECIDING_ACTS = ("approve", "reject", "decree")
RECORDS = {
    "propose": "Proposed",
    "withdraw": "ProposalWithdrawn",
    "recommend": "Recommended",
    "approve": "Decided",
    "reject": "Decided",
    "announce": "Announced",
    "decree": "DecreeIssued",
    "execute": "TransferExecuted",
    "evaluate": "TransferEvaluated",
    "close": "Closed",
}
FINDINGS = EvaluationFindings(
    3, date(2026, 6, 1), Predikat.BAIK, Expectation.AS_EXPECTED, Expectation.AS_EXPECTED, "settled in"
)


def _ready_for(scene: Scene, act: str) -> UUID | None:
    """Take the scene, with the rightful actors, to where `act` is the next step; the proposal's id."""
    if act == "propose":
        return None
    proposal_id = scene.propose()
    if act in ("withdraw", "recommend"):
        return proposal_id
    scene.paperwork(proposal_id)
    if act in ("approve", "reject"):
        return proposal_id
    scene.approve(proposal_id)
    if act == "announce":
        return proposal_id
    if act == "decree":
        scene.announce()
        return proposal_id
    scene.decree(proposal_id)
    if act == "execute":
        return proposal_id
    scene.execute(proposal_id)
    return proposal_id


def _do(scene: Scene, act: str, proposal_id: UUID | None, by: Official) -> None:
    """Do `act` as `by`: everything else as the rightful actors would."""
    if act == "propose":
        scene.propose(by=by)
    elif act == "withdraw":
        scene.round.withdraw(proposal_id, by, "no longer needed")
    elif act == "recommend":
        scene.recommend(proposal_id, by=by)
    elif act == "approve":
        scene.approve(proposal_id, by=by)
    elif act == "reject":
        scene.round.reject(proposal_id, by, "another candidate fits better", scene.origin.agency, DECIDED_ON)
    elif act == "announce":
        scene.announce(by=by)
    elif act == "decree":
        scene.decree(proposal_id, by=by)
    elif act == "execute":
        scene.execute(proposal_id, by=by)
    elif act == "evaluate":
        scene.evaluate(proposal_id, FINDINGS, by=by)
    else:
        scene.round.close(by, date(2026, 6, 30))


def _may(official: Official, act: str, kind: TransferKind, releasing: str) -> bool:
    """DOMAIN.md's answer: someone serving the round's agency (a national official serves every one);
    a decision or a decree across agencies, the office of the table, serving both agencies."""

    def serves(agency: str) -> bool:
        return NATIONAL in official.agencies or agency in official.agencies

    if act not in DECIDING_ACTS or kind.deciding_office is None:
        return serves(AGENCY)
    return official.office is kind.deciding_office and serves(AGENCY) and serves(releasing)


def _aggregates(scene: Scene, act: str) -> tuple:
    if act == "execute":
        return scene.round, scene.employee, scene.origin, scene.target
    if act == "evaluate":
        return scene.round, scene.employee
    return (scene.round,)


@settings(max_examples=1200, deadline=None)
@given(official=OFFICIALS, act=st.sampled_from(ACTS), kind=st.sampled_from(list(TransferKind)))
def test_an_act_is_refused_exactly_when_the_official_does_not_act_for_the_rounds_agency(official, act, kind):
    """Any act on a round, by any official: refused with OutsideAuthority, nothing recorded and
    nothing changed, exactly when the official does not serve the round's agency (decisions and
    decrees: exactly when `check_may_decide` refuses); otherwise recorded. After a refusal the
    rightful actor can still do the act."""
    scene = Scene.build(kind=kind)
    proposal_id = _ready_for(scene, act)
    allowed = _may(official, act, kind, scene.origin.agency)
    if act in DECIDING_ACTS:
        try:
            check_may_decide(official, kind, AGENCY, scene.origin.agency)
            decides = True
        except OutsideAuthority:
            decides = False
        assert decides == allowed
    for aggregate in _aggregates(scene, act):
        aggregate.collect_events()

    if allowed:
        _do(scene, act, proposal_id, official)
        assert RECORDS[act] in recorded(scene.round)
        return
    with refused(OutsideAuthority, *_aggregates(scene, act)):
        _do(scene, act, proposal_id, official)
    rightful = scene.decider if act in DECIDING_ACTS else COMMITTEE if act == "recommend" else OPERATOR
    _do(scene, act, proposal_id, rightful)
    assert RECORDS[act] in recorded(scene.round)
