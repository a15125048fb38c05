"""Properties of a round over random candidates: approvals without an override never promise a seat twice."""

from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.mutation_round import OverrideRequired
from tests.unit.builders import Scene


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
        scene.recommend(proposal_id, who)
        try:
            scene.approve(proposal_id, who)
            approved += 1
        except OverrideRequired as error:
            assert error.rules == ("vacancy",)

    assert approved == min(candidates, max(formasi - holders, 0))
    assert scene.round.seats_promised(scene.target.id) == approved
