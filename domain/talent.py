"""The 9-box talent map (PermenPANRB 3/2020): performance x potential."""

from __future__ import annotations

from dataclasses import dataclass

from domain.vocabulary import Expectation, Potential

_B, _E, _A = Expectation.BELOW, Expectation.AS_EXPECTED, Expectation.ABOVE
_L, _M, _H = Potential.LOW, Potential.MEDIUM, Potential.HIGH


@dataclass(frozen=True)
class TalentBox:
    """One box of the talent map with its usual follow-up."""

    box: int
    performance: Expectation
    potential: Potential
    follow_up: str


_BOXES = (
    TalentBox(9, _A, _H, "promote; succession pool"),
    TalentBox(8, _E, _H, "retain; succession pool; rotate/enlarge"),
    TalentBox(7, _A, _M, "retain; rotate/enlarge"),
    TalentBox(6, _B, _H, "coaching, competency development"),
    TalentBox(5, _E, _M, "suitable placement; development"),
    TalentBox(4, _A, _L, "suitable placement; development"),
    TalentBox(3, _B, _M, "coaching, development"),
    TalentBox(2, _E, _L, "development"),
    TalentBox(1, _B, _L, "handle under performance and discipline rules"),
)
TALENT_MAP: dict[tuple[Expectation, Potential], TalentBox] = {(b.performance, b.potential): b for b in _BOXES}


def talent_box(performance: Expectation, potential: Potential) -> TalentBox:
    """The box for a performance level and a potential."""
    return TALENT_MAP[(Expectation(performance), Potential(potential))]
