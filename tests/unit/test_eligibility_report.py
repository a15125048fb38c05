"""assess_eligibility: all ten rules in DOMAIN.md's order, and the thresholds a RulePolicy sets."""

from datetime import date
from decimal import Decimal

from domain.eligibility import RULE_CODES, RULES, assess_eligibility
from domain.policy import RulePolicy
from domain.vocabulary import PositionType, Predikat, Rank, SanctionLevel
from tests.unit.builders import case, employee, position


def report_for(policy=None, placed_on=date(2022, 1, 3), **employee_args):
    origin = position("Origin")
    who = employee(at=origin, placed_on=placed_on, **employee_args)
    return assess_eligibility(case(who, origin, position("Target"), policy=policy)), who, origin


def test_runs_the_ten_rules_in_domain_order():
    assert RULE_CODES == (
        "tenure",
        "senior_executive_lock",
        "election_freeze",
        "performance",
        "discipline",
        "competency_fit",
        "rank",
        "vacancy",
        "conflict_of_interest",
        "level",
    )
    assert all(rule.title for rule in RULES)


def test_a_clean_candidate_passes_every_rule():
    report, _, _ = report_for()

    assert report.passed
    assert report.failed == ()
    assert [o.rule for o in report.outcomes] == list(RULE_CODES)


def test_lists_the_failed_rules_with_their_explanations():
    report, _, _ = report_for(placed_on=date(2025, 1, 1), rank=Rank.II_C, scores={"integritas": 1})

    assert not report.passed
    assert [o.rule for o in report.failed] == ["tenure", "competency_fit", "rank"]
    assert "fewer than the required 2" in report.outcome("tenure").explanation
    assert report.outcome("vacancy").passed


# -- configurable thresholds --------------------------------------------------------


def test_a_shorter_minimum_tenure_lets_one_year_pass():
    assert not report_for(placed_on=date(2025, 1, 1))[0].outcome("tenure").passed
    assert report_for(RulePolicy(min_tenure_years=1), placed_on=date(2025, 1, 1))[0].outcome("tenure").passed


def test_a_shorter_rotation_period_flags_earlier():
    report, _, _ = report_for(RulePolicy(rotation_due_years=3), placed_on=date(2022, 1, 3))

    assert report.outcome("tenure").flags == ("due_for_rotation",)
    assert "more than 3 years" in report.outcome("tenure").explanation


def test_a_longer_jpt_lock_holds_a_three_year_appointment():
    origin = position("Sekretaris Daerah", position_type=PositionType.JPT_PRATAMA, ranks=(Rank.IV_A, Rank.IV_E))
    who = employee(rank=Rank.IV_C, at=origin, placed_on=date(2023, 1, 2))
    target = position("Asisten", ranks=(Rank.IV_A, Rank.IV_E))

    assert assess_eligibility(case(who, origin, target)).outcome("senior_executive_lock").passed
    locked = assess_eligibility(case(who, origin, target, policy=RulePolicy(senior_executive_lock_years=4)))
    assert "under 4 years" in locked.outcome("senior_executive_lock").explanation


def test_more_rating_years_need_an_older_rating():
    report, _, _ = report_for(RulePolicy(rating_years=3))

    assert "no SKP rating for 2023" in report.outcome("performance").explanation


def test_a_higher_minimum_predikat_refuses_baik():
    report, _, _ = report_for(RulePolicy(min_predikat=Predikat.SANGAT_BAIK))

    assert "needs at least Sangat Baik" in report.outcome("performance").explanation


def test_a_shorter_lookback_forgets_an_older_sanction():
    origin = position("Origin")
    who = employee(at=origin)
    who.record_sanction(SanctionLevel.MODERATE, date(2024, 6, 1), date(2024, 12, 1), "HD-1")

    assert not assess_eligibility(case(who, origin, position("T"))).outcome("discipline").passed
    one_year = RulePolicy(sanction_lookback_years=1)
    assert assess_eligibility(case(who, origin, position("T"), policy=one_year)).outcome("discipline").passed


def test_light_sanctions_block_when_the_policy_says_so():
    origin = position("Origin")
    who = employee(at=origin)
    who.record_sanction(SanctionLevel.LIGHT, date(2025, 6, 1), date(2025, 12, 1), "HD-2")
    strict = RulePolicy(blocking_sanctions=tuple(SanctionLevel))

    assert not assess_eligibility(case(who, origin, position("T"), policy=strict)).outcome("discipline").passed


def test_a_higher_jpm_threshold_refuses_a_masih_memenuhi_syarat_match():
    scores = {"integritas": 3, "kerjasama": 3, "keuangan_daerah": 2}  # 80.00
    assert report_for(scores=scores)[0].outcome("competency_fit").passed

    report, _, _ = report_for(RulePolicy(min_jpm_for_transfer=Decimal(85)), scores=scores)

    assert "JPM 80.00 (MS) against a threshold of 85" in report.outcome("competency_fit").explanation
    assert not report.passed


def test_policy_defaults_are_domain_md_figures():
    policy = RulePolicy()

    assert (policy.min_tenure_years, policy.rotation_due_years, policy.senior_executive_lock_years) == (2, 5, 2)
    assert (policy.rating_years, policy.min_predikat, policy.sanction_lookback_years) == (2, Predikat.BAIK, 2)
    assert (policy.jpm_ms_threshold, policy.jpm_mms_threshold) == (80, 68)
    assert policy.blocking_sanctions == (SanctionLevel.MODERATE, SanctionLevel.SEVERE)
    assert (policy.rating_final_month, policy.rating_final_day) == (2, 1)
    assert policy.level_equivalences == (
        (PositionType.ADMINISTRATOR, PositionType.FUNGSIONAL_AHLI_MADYA),
        (PositionType.PENGAWAS, PositionType.FUNGSIONAL_AHLI_MUDA),
        (PositionType.PELAKSANA, PositionType.FUNGSIONAL_AHLI_PERTAMA),
    )
