"""Fairness arithmetic (portal.supervision.fairness): the ratio to the best group, its
interval, and when a ratio under 0.8 is a warning."""

import math

import pytest

from portal.supervision.fairness import GroupCounts, Verdict, compare, ratio_interval


def group(key, decided, approved, retaken=0):
    return GroupCounts(
        key=key, decided=decided, approved=approved, rejected=decided - approved, retaken=retaken
    )


def by_key(figures):
    return {f.counts.key: f for f in figures}


def test_the_katz_interval_matches_its_formula():
    low, high = ratio_interval(60, 100, 90, 100)
    spread = 1.959963984540054 * math.sqrt(1 / 60 - 1 / 100 + 1 / 90 - 1 / 100)
    assert low == pytest.approx(math.exp(math.log(0.6 / 0.9) - spread), abs=1e-4)
    assert high == pytest.approx(math.exp(math.log(0.6 / 0.9) + spread), abs=1e-4)
    assert low < 0.6 / 0.9 < high


def test_a_zero_count_still_gets_an_interval():
    low, high = ratio_interval(0, 200, 180, 200)
    assert 0 < low < high < 0.05


def test_a_group_far_under_the_best_with_volume_is_a_warning():
    figures = by_key(
        compare([group("18-29", 1000, 900), group("60-69", 1000, 600)], min_volume=100)
    )
    assert figures["18-29"].verdict == Verdict.REFERENCE
    assert figures["60-69"].ratio == pytest.approx(0.6667, abs=1e-4)
    assert figures["60-69"].verdict == Verdict.BELOW and figures["60-69"].warning


def test_the_same_gap_on_few_cases_is_not_conclusive():
    # 6/10 against 9/10: a ratio of 0.67, but the interval reaches over 0.8.
    figures = by_key(compare([group("a", 10, 9), group("b", 10, 6)], min_volume=10))
    assert figures["b"].ratio < 0.8
    assert figures["b"].ratio_ci[1] >= 0.8
    assert figures["b"].verdict == Verdict.INCONCLUSIVE and not figures["b"].warning


def test_a_small_gap_is_within_the_threshold():
    figures = by_key(compare([group("a", 1000, 900), group("b", 1000, 850)], min_volume=100))
    assert figures["b"].verdict == Verdict.FAIR


def test_groups_under_the_minimum_volume_are_shown_and_never_judged_or_the_reference():
    figures = by_key(
        compare(
            [group("big", 500, 400), group("tiny", 20, 20), group("low", 500, 100)], min_volume=100
        )
    )
    assert figures["tiny"].verdict == Verdict.TOO_FEW
    assert figures["tiny"].approval == 1.0  # still shown
    assert figures["big"].verdict == Verdict.REFERENCE  # the tiny group's 100 % does not count
    assert figures["low"].verdict == Verdict.BELOW


def test_rates_come_with_wilson_intervals():
    figures = by_key(compare([group("a", 200, 150, retaken=20)], min_volume=100))
    a = figures["a"]
    assert (a.approval, a.rejection, a.retake) == (0.75, 0.25, 0.1)
    for rate, (low, high) in ((a.approval, a.approval_ci), (a.retake, a.retake_ci)):
        assert low < rate < high


def test_no_approval_anywhere_compares_nothing():
    figures = compare([group("a", 200, 0), group("b", 200, 0)], min_volume=100)
    assert all(f.ratio is None and f.verdict == Verdict.FAIR for f in figures)
