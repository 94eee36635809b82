"""The statistics behind the risk signals, against values computed by hand."""

import math

import pytest

from portal.supervision.risk import stats


def test_the_normal_tail_matches_the_textbook_values():
    assert stats.normal_sf(0.0) == pytest.approx(0.5)
    assert stats.normal_sf(1.959964) == pytest.approx(0.025, abs=1e-6)
    assert stats.normal_sf(2.326348) == pytest.approx(0.01, abs=1e-6)


def test_the_two_proportion_z_test_pools_the_variance():
    # 30/100 against 15/100: pooled 0.225, se = sqrt(0.225 * 0.775 * 0.02) = 0.05906
    z, p = stats.two_proportion_z(30, 100, 15, 100)
    assert z == pytest.approx(0.15 / math.sqrt(0.225 * 0.775 * 0.02))
    assert p == pytest.approx(stats.normal_sf(z))
    assert p < 0.01


def test_the_z_test_is_one_sided():
    z, p = stats.two_proportion_z(15, 100, 30, 100)
    assert z < 0 and p > 0.99


def test_no_variance_at_all_concludes_nothing():
    assert stats.two_proportion_z(0, 50, 0, 50) == (0.0, 1.0)
    assert stats.two_proportion_z(50, 50, 50, 50) == (0.0, 1.0)


@pytest.mark.parametrize(("k", "n", "p"), [(0, 10, 0.3), (3, 10, 0.3), (8, 10, 0.3), (40, 60, 0.5)])
def test_the_binomial_tail_is_the_exact_sum(k, n, p):
    exact = sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))
    assert stats.binomial_sf(k, n, p) == pytest.approx(exact, rel=1e-9)


def test_the_binomial_tail_at_the_edges():
    assert stats.binomial_sf(11, 10, 0.5) == 0.0
    assert stats.binomial_sf(1, 10, 0.0) == 0.0
    assert stats.binomial_sf(10, 10, 1.0) == 1.0


@pytest.mark.parametrize(("k", "mean"), [(0, 2.0), (1, 2.0), (5, 2.0), (15, 2.0), (20, 12.0)])
def test_the_poisson_tail_is_the_exact_sum(k, mean):
    below = sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(k))
    assert stats.poisson_sf(k, mean) == pytest.approx(1 - below, rel=1e-6, abs=1e-15)


def test_the_poisson_tail_far_above_the_mean_is_zero_and_ends():
    # Found at 10 M registrations: a burst hour of 2,024 against a usual 176 an hour made
    # every term underflow to 0.0, and the sum waited forever for a smaller one.
    assert stats.poisson_sf(2024, 176.05) == 0.0
    assert 0.0 < stats.poisson_sf(300, 176.05) < 1e-15


def test_the_score_is_minus_log10_of_p_and_is_capped():
    assert stats.evidence(0.01) == 2.0
    assert stats.evidence(1.0) == 0.0
    assert stats.evidence(0.0) == 12.0


def test_a_unit_under_the_minimum_volume_is_not_tested():
    assert (
        stats.rate_against_baseline(
            x=9, n=10, peer_x=0, peer_n=100, nation_x=0, nation_n=1000, min_volume=30
        )
        is None
    )


def test_peers_with_the_volume_are_the_baseline():
    test = stats.rate_against_baseline(
        x=20, n=40, peer_x=4, peer_n=80, nation_x=50, nation_n=1000, min_volume=30
    )
    assert test.baseline == "peers" and test.z is not None and test.p < 0.01
    assert test.rate == 0.5 and test.baseline_rate == 0.05


def test_too_few_peers_fall_back_to_the_nation_by_an_exact_binomial_test():
    test = stats.rate_against_baseline(
        x=20, n=40, peer_x=1, peer_n=10, nation_x=50, nation_n=1000, min_volume=30
    )
    assert test.baseline == "nation" and test.z is None
    assert test.p == pytest.approx(stats.binomial_sf(20, 40, 0.05))


def test_without_any_baseline_of_volume_nothing_is_concluded():
    assert (
        stats.rate_against_baseline(
            x=20, n=40, peer_x=1, peer_n=10, nation_x=1, nation_n=10, min_volume=30
        )
        is None
    )
