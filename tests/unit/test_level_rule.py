"""Rule 10: the target is of the current level or an equivalent one (DOMAIN.md "Level of a transfer")."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from application.settings import RuleSettings, Settings
from domain.eligibility import RULES, assess_eligibility
from domain.eligibility.level import SameLevel
from domain.policy import RulePolicy
from domain.vocabulary import PositionType as T
from domain.vocabulary import Rank
from tests.unit.builders import case, employee, position

WIDE = (Rank.II_A, Rank.IV_E)


def level_of(current: T | None, target: T, policy: RulePolicy | None = None):
    origin = position("Origin", position_type=current, ranks=WIDE) if current else None
    who = employee(rank=Rank.III_C, at=origin)
    return SameLevel().check(case(who, origin, position("Target", position_type=target, ranks=WIDE), policy=policy))


def test_is_the_tenth_rule_and_runs_in_every_report():
    assert RULES[-1].code == "level" and len(RULES) == 10
    origin = position("Origin")
    who = employee(at=origin)

    assert assess_eligibility(case(who, origin, position("Target"))).outcome("level").passed


@pytest.mark.parametrize("level", list(T))
def test_the_same_level_passes(level):
    outcome = level_of(level, level)

    assert outcome.passed
    assert outcome.explanation.endswith(": the same level")


@pytest.mark.parametrize(
    "structural, functional",
    [
        (T.ADMINISTRATOR, T.FUNGSIONAL_AHLI_MADYA),
        (T.PENGAWAS, T.FUNGSIONAL_AHLI_MUDA),
        (T.PELAKSANA, T.FUNGSIONAL_AHLI_PERTAMA),
    ],
)
@pytest.mark.parametrize("backwards", [False, True], ids=["to-functional", "to-structural"])
def test_each_default_equivalence_passes_both_ways(structural, functional, backwards):
    current, target = (functional, structural) if backwards else (structural, functional)

    outcome = level_of(current, target)

    assert outcome.passed
    assert "equivalent levels (penyetaraan jabatan)" in outcome.explanation


def test_a_head_of_inspectorate_into_an_analyst_post_is_a_demotion():
    outcome = level_of(T.JPT_PRATAMA, T.FUNGSIONAL_AHLI_PERTAMA)

    assert not outcome.passed
    assert outcome.explanation == (
        "from JPT Pratama to Fungsional Ahli Pertama: a lower level: a demotion (penurunan jabatan), not a mutasi"
    )
    assert outcome.overridable  # a restructuring may justify it, with a recorded override


def test_a_pelaksana_into_an_administrator_post_is_a_promotion():
    outcome = level_of(T.PELAKSANA, T.ADMINISTRATOR)

    assert not outcome.passed
    assert outcome.explanation == "from Pelaksana to Administrator: a higher level: a promotion, not a mutasi"
    assert outcome.overridable


@pytest.mark.parametrize(
    "current, target, word",
    [
        (T.JPT_MADYA, T.FUNGSIONAL_AHLI_MUDA, "demotion"),  # JPT Madya > Pengawas ≈ Ahli Muda
        (T.FUNGSIONAL_AHLI_UTAMA, T.PELAKSANA, "demotion"),  # Ahli Utama > Ahli Pertama ≈ Pelaksana
        (T.FUNGSIONAL_AHLI_PERTAMA, T.PENGAWAS, "promotion"),  # Ahli Pertama < Ahli Muda ≈ Pengawas
        (T.FUNGSIONAL_MAHIR, T.FUNGSIONAL_PENYELIA, "promotion"),
        (T.FUNGSIONAL_MAHIR, T.FUNGSIONAL_TERAMPIL, "demotion"),
    ],
)
def test_levels_are_ordered_within_a_ladder_and_across_it_through_the_equivalences(current, target, word):
    outcome = level_of(current, target)

    assert not outcome.passed and word in outcome.explanation


def test_levels_no_equivalence_relates_are_incomparable():
    outcome = level_of(T.PELAKSANA, T.FUNGSIONAL_TERAMPIL)

    assert not outcome.passed
    assert outcome.explanation.startswith("from Pelaksana to Fungsional Terampil: levels that are neither")
    assert "(incomparable)" in outcome.explanation


def test_fails_when_the_employee_holds_no_position():
    outcome = level_of(None, T.FUNGSIONAL_AHLI_PERTAMA)

    assert not outcome.passed
    assert "holds no position" in outcome.explanation


# -- the equivalence table is configurable data -----------------------------------


def test_a_custom_equivalence_table_from_the_settings_is_honoured():
    policy = RuleSettings(level_equivalences=[["pengawas", "fungsional_mahir"]]).policy()

    assert policy.level_equivalences == ((T.PENGAWAS, T.FUNGSIONAL_MAHIR),)
    assert level_of(T.FUNGSIONAL_MAHIR, T.PENGAWAS, policy).passed
    no_longer = level_of(T.PENGAWAS, T.FUNGSIONAL_AHLI_MUDA, policy)
    assert not no_longer.passed and "incomparable" in no_longer.explanation


def test_an_empty_table_makes_structural_and_functional_levels_incomparable():
    outcome = level_of(T.ADMINISTRATOR, T.FUNGSIONAL_AHLI_MADYA, RulePolicy(level_equivalences=()))

    assert not outcome.passed and "incomparable" in outcome.explanation


def test_the_table_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("MUTASI_RULES__LEVEL_EQUIVALENCES", '[["administrator", "fungsional_ahli_muda"]]')

    policy = Settings().rules.policy()

    assert policy.level_equivalences == ((T.ADMINISTRATOR, T.FUNGSIONAL_AHLI_MUDA),)
    assert level_of(T.ADMINISTRATOR, T.FUNGSIONAL_AHLI_MUDA, policy).passed


@pytest.mark.parametrize(
    "pairs, message",
    [
        ([["pengawas", "administrator"]], "above itself"),  # two levels of one ladder
        ([["administrator", "fungsional_ahli_muda"], ["pengawas", "fungsional_ahli_madya"]], "above itself"),
        ([["pelaksana", "pelaksana"]], "with itself"),
        ([["pelaksana", "fungsional_tukang"]], "fungsional_tukang"),
    ],
)
def test_settings_refuse_a_table_that_contradicts_the_order_of_levels(pairs, message):
    with pytest.raises(ValidationError, match=message):
        RuleSettings(level_equivalences=pairs)
