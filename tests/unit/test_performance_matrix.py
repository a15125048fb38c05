"""SKP predikat from results x behaviour (PermenPANRB 6/2022), and predikat as talent-map performance."""

import pytest

from domain.performance import PERFORMANCE_MATRIX, performance_level, predikat
from domain.vocabulary import Expectation, Predikat

B, E, A = Expectation.BELOW, Expectation.AS_EXPECTED, Expectation.ABOVE


@pytest.mark.parametrize(
    "results, behaviour, expected",
    [
        (A, B, Predikat.KURANG),
        (A, E, Predikat.BAIK),
        (A, A, Predikat.SANGAT_BAIK),
        (E, B, Predikat.KURANG),
        (E, E, Predikat.BAIK),
        (E, A, Predikat.BAIK),
        (B, B, Predikat.SANGAT_KURANG),
        (B, E, Predikat.BUTUH_PERBAIKAN),
        (B, A, Predikat.BUTUH_PERBAIKAN),
    ],
)
def test_rates_each_cell_of_the_matrix(results, behaviour, expected):
    assert predikat(results, behaviour) is expected


def test_matrix_has_exactly_nine_cells():
    assert len(PERFORMANCE_MATRIX) == 9


def test_accepts_the_ratings_as_their_string_values():
    assert predikat("above", "above") is Predikat.SANGAT_BAIK


def test_orders_predikat_best_first():
    order = [Predikat.SANGAT_BAIK, Predikat.BAIK, Predikat.BUTUH_PERBAIKAN, Predikat.KURANG, Predikat.SANGAT_KURANG]
    assert [p.rank for p in order] == [0, 1, 2, 3, 4]
    assert Predikat.SANGAT_BAIK.at_least(Predikat.BAIK)
    assert Predikat.BAIK.at_least(Predikat.BAIK)
    assert not Predikat.BUTUH_PERBAIKAN.at_least(Predikat.BAIK)


@pytest.mark.parametrize(
    "rating, level",
    [
        (Predikat.SANGAT_BAIK, A),
        (Predikat.BAIK, E),
        (Predikat.BUTUH_PERBAIKAN, B),
        (Predikat.KURANG, B),
        (Predikat.SANGAT_KURANG, B),
    ],
)
def test_maps_predikat_to_talent_map_performance(rating, level):
    assert performance_level(rating) is level
