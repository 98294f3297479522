"""Coverage arithmetic and the cross-period plausibility check."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from bot.domain.coverage import (
    coverage,
    format_percent,
    format_points,
    half_up,
    soft_checks,
    trend_mark,
)
from bot.texts import membership as membership_texts


def test_coverage_matches_seed_document() -> None:
    # seed 002: 680 members of 763 workers = 89 %
    assert round(coverage(680, 763) or 0) == 89
    assert format_percent(coverage(680, 763)) == "89,1 %"


def test_coverage_undefined_without_workers() -> None:
    assert coverage(5, 0) is None
    assert coverage(None, 10) is None
    assert format_percent(None) == "—"


def test_points_and_trend() -> None:
    assert format_points(2.5) == "+2,5 п.п."
    assert format_points(-3.0) == "−3 п.п."
    assert format_points(0.01) == "±0 п.п."
    assert trend_mark(1.0) == "↑" and trend_mark(-1.0) == "↓" and trend_mark(None) == "→"


def test_shown_figures_round_half_up_like_the_tables() -> None:
    assert format_percent(79.25) == "79,3 %" and format_percent(coverage(317, 400)) == "79,3 %"
    assert format_points(0.05) == "+0,1 п.п." and format_points(-4.25) == "−4,3 п.п."
    assert trend_mark(0.05) == "↑" and trend_mark(0.049) == "→"


def _half_up_by_hand(value: float, digits: int) -> float:
    """The rule itself, for every value: the decimal figure (float noise dropped), half up."""
    exact = Decimal(repr(round(value, 9)))
    return float(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def test_half_up_agrees_with_the_rule_for_every_coverage_and_change() -> None:
    """Every coverage of up to 400 workers, its negative (a change) and a change between two
    of them: the shortcut for figures far from a half rounds them as the rule does."""
    values = {members / workers * 100 for workers in range(1, 401) for members in range(workers)}
    values |= {-value for value in values} | {79.25, -4.25, 0.05, 0.15, 1.005, 2.675}
    values |= {a - b for a, b in zip(sorted(values)[::97], sorted(values)[::89], strict=False)}
    for digits in (1, 2):
        wrong = [v for v in values if half_up(v, digits) != _half_up_by_hand(v, digits)]
        assert wrong == [], wrong[:5]


def test_shown_coverage_stays_in_its_tier() -> None:
    """Tiers: below 50, 50-80 inclusive, more than 80; the shown value never crosses them."""
    assert format_percent(49.98) == "49,9 %" and format_percent(49.95) == "49,9 %"
    assert format_percent(50.0) == "50 %" and format_percent(50.04) == "50 %"
    assert format_percent(79.96) == "80 %" and format_percent(80.0) == "80 %"
    assert format_percent(80.04) == "80,1 %" and format_percent(80.05) == "80,1 %"


def test_no_warning_when_numbers_add_up() -> None:
    previous = {"members": 100}
    assert soft_checks({"members": 105, "joined": 7, "left": 2}, previous) == []


def test_jump_over_ten_percent_is_flagged() -> None:
    found = soft_checks({"members": 89}, {"members": 100})
    assert [f.kind for f in found] == ["jump"]


def test_ten_percent_exactly_is_not_a_jump() -> None:
    assert soft_checks({"members": 90}, {"members": 100}) == []


def test_balance_mismatch_is_flagged_with_expected_value() -> None:
    found = soft_checks({"members": 100, "joined": 5, "left": 1}, {"members": 100})
    assert [(f.kind, f.expected) for f in found] == [("balance", 104)]


def test_first_report_has_nothing_to_compare() -> None:
    assert soft_checks({"members": 10}, None) == []


def test_a_fall_in_members_is_signed_like_the_fall_in_coverage() -> None:
    line = membership_texts.change_line("октябрь 2026", "−18,5 п.п.", -30)
    assert line.endswith("охват −18,5 п.п., членов −30 чел.")
    assert membership_texts.change_line("октябрь 2026", "+1,0 п.п.", 2).endswith("членов +2 чел.")
