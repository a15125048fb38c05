"""SKP rating: the PermenPANRB 6/2022 matrix from results and behaviour to a predikat."""

from __future__ import annotations

from domain.vocabulary import Expectation, Predikat

_B, _E, _A = Expectation.BELOW, Expectation.AS_EXPECTED, Expectation.ABOVE

# (results, behaviour) -> predikat, exactly the table in DOMAIN.md
PERFORMANCE_MATRIX: dict[tuple[Expectation, Expectation], Predikat] = {
    (_A, _B): Predikat.KURANG,
    (_A, _E): Predikat.BAIK,
    (_A, _A): Predikat.SANGAT_BAIK,
    (_E, _B): Predikat.KURANG,
    (_E, _E): Predikat.BAIK,
    (_E, _A): Predikat.BAIK,
    (_B, _B): Predikat.SANGAT_KURANG,
    (_B, _E): Predikat.BUTUH_PERBAIKAN,
    (_B, _A): Predikat.BUTUH_PERBAIKAN,
}


def predikat(results: Expectation, behaviour: Expectation) -> Predikat:
    """The SKP rating for a results rating and a behaviour rating."""
    return PERFORMANCE_MATRIX[(Expectation(results), Expectation(behaviour))]


def performance_level(rating: Predikat) -> Expectation:
    """A predikat as talent-map performance: Sangat Baik above, Baik as expected, the rest below."""
    if rating is Predikat.SANGAT_BAIK:
        return Expectation.ABOVE
    if rating is Predikat.BAIK:
        return Expectation.AS_EXPECTED
    return Expectation.BELOW
