"""The 9-box talent map (PermenPANRB 3/2020): performance x potential."""

import pytest

from domain.talent import TALENT_MAP, talent_box
from domain.vocabulary import Expectation, Potential

B, E, A = Expectation.BELOW, Expectation.AS_EXPECTED, Expectation.ABOVE
L, M, H = Potential.LOW, Potential.MEDIUM, Potential.HIGH


@pytest.mark.parametrize(
    "performance, potential, box, follow_up",
    [
        (A, H, 9, "promote; succession pool"),
        (E, H, 8, "retain; succession pool; rotate/enlarge"),
        (A, M, 7, "retain; rotate/enlarge"),
        (B, H, 6, "coaching, competency development"),
        (E, M, 5, "suitable placement; development"),
        (A, L, 4, "suitable placement; development"),
        (B, M, 3, "coaching, development"),
        (E, L, 2, "development"),
        (B, L, 1, "handle under performance and discipline rules"),
    ],
)
def test_places_each_combination_in_its_box(performance, potential, box, follow_up):
    found = talent_box(performance, potential)

    assert found.box == box
    assert found.follow_up == follow_up
    assert (found.performance, found.potential) == (performance, potential)


def test_every_box_appears_once():
    assert sorted(b.box for b in TALENT_MAP.values()) == list(range(1, 10))


def test_accepts_string_values():
    assert talent_box("above", "high").box == 9
