"""The arithmetic of spot checks: ISO 2859-1 sizes, allocation over strata, the keyed draw
and the Wilson interval. Pure functions: no database."""

import math

import pytest

from portal.supervision import sampling

# Each row of ISO 2859-1 Table 1 (level II) at both ends, with Table 2-A's sample size.
ISO_ROWS = [
    (2, 8, "A", 2),
    (9, 15, "B", 3),
    (16, 25, "C", 5),
    (26, 50, "D", 8),
    (51, 90, "E", 13),
    (91, 150, "F", 20),
    (151, 280, "G", 32),
    (281, 500, "H", 50),
    (501, 1200, "J", 80),
    (1201, 3200, "K", 125),
    (3201, 10000, "L", 200),
    (10001, 35000, "M", 315),
    (35001, 150000, "N", 500),
    (150001, 500000, "P", 800),
]


@pytest.mark.parametrize(("low", "high", "letter", "size"), ISO_ROWS)
def test_each_lot_size_row_gives_its_code_letter_and_sample_size_at_both_ends(
    low, high, letter, size
):
    for lot in (low, high):
        assert sampling.iso2859_code_letter(lot) == letter
        assert sampling.iso2859_sample_size(lot) == size


def test_the_row_changes_exactly_at_each_boundary():
    for (_low, high, letter, _size), (next_low, _h, next_letter, _s) in zip(
        ISO_ROWS, ISO_ROWS[1:], strict=False
    ):
        assert next_low == high + 1
        assert sampling.iso2859_code_letter(high) == letter
        assert sampling.iso2859_code_letter(high + 1) == next_letter


def test_half_a_million_and_one_and_more_is_code_letter_q_of_1250():
    assert sampling.iso2859_code_letter(500000) == "P"
    assert sampling.iso2859_code_letter(500001) == "Q"
    assert sampling.iso2859_sample_size(500001) == 1250
    assert sampling.iso2859_sample_size(10_000_000) == 1250


def test_a_lot_of_one_is_checked_whole_and_an_empty_lot_not_at_all():
    assert sampling.iso2859_code_letter(1) is None
    assert sampling.iso2859_sample_size(1) == 1
    assert sampling.iso2859_sample_size(0) == 0


def test_the_sample_never_exceeds_the_lot():
    for lot in range(1, 600):
        assert sampling.iso2859_sample_size(lot) <= lot


# -- allocation ---------------------------------------------------------------------------------


def test_allocation_is_proportional_and_sums_to_n():
    shares = sampling.allocate({"a": 600, "b": 300, "c": 100}, 50)
    assert shares == {"a": 30, "b": 15, "c": 5}
    assert sum(shares.values()) == 50


def test_rounding_gives_the_leftover_to_the_largest_remainders():
    # Quotas 3.33, 3.33, 3.33 -> one left: the tie goes to the first in sort order.
    assert sampling.allocate({"b": 10, "a": 10, "c": 10}, 10) == {"a": 4, "b": 3, "c": 3}
    # Quotas 5.6, 2.8, 1.6 -> floors 5, 2, 1 and two left, to the largest remainders (.8, .6).
    assert sampling.allocate({"x": 56, "y": 28, "z": 16}, 10) == {"x": 6, "y": 3, "z": 1}


def test_every_non_empty_stratum_gets_at_least_one_and_the_total_stays_n():
    sizes = {"big": 9_970, "small": 10, "tiny": 1, "empty": 0}
    shares = sampling.allocate(sizes, 200)
    assert shares["small"] == 1 and shares["tiny"] == 1
    assert shares["empty"] == 0
    assert shares["big"] == 198
    assert sum(shares.values()) == 200


def test_fewer_samples_than_strata_takes_one_from_each():
    shares = sampling.allocate({"a": 50, "b": 5, "c": 1}, 2)
    assert shares == {"a": 1, "b": 1, "c": 1}


def test_a_sample_as_large_as_the_population_takes_everything():
    assert sampling.allocate({"a": 3, "b": 2}, 9) == {"a": 3, "b": 2}


def test_no_share_ever_exceeds_its_stratum_and_the_sum_is_exact_on_many_mixes():
    import random

    generator = random.Random(7)
    for _ in range(300):
        sizes = {f"s{i}": generator.choice([0, 1, 2, 5, 40, 900]) for i in range(6)}
        population = sum(sizes.values())
        non_empty = sum(1 for size in sizes.values() if size)
        if not population:
            continue
        n = generator.randint(1, population)
        shares = sampling.allocate(sizes, n)
        assert all(0 <= shares[key] <= sizes[key] for key in sizes)
        assert all(shares[key] >= 1 for key in sizes if sizes[key])
        assert sum(shares.values()) == max(n, non_empty) if n < population else population


def test_oversampled_strata_get_twice_their_share_capped_by_their_size():
    sizes = {"a": 600, "b": 300, "c": 100, "d": 7}
    plain = sampling.allocate(sizes, 50)
    shares = sampling.allocate(sizes, 50, oversampled=["b", "d"])
    assert shares["b"] == 2 * plain["b"]
    assert shares["d"] == min(7, 2 * plain["d"])
    assert shares["a"] == plain["a"] and shares["c"] == plain["c"]
    capped = sampling.allocate({"a": 100, "b": 3}, 50, oversampled=["b"], factor=10)
    assert capped["b"] == 3


def test_an_oversampled_stratum_not_in_the_population_changes_nothing():
    sizes = {"a": 10, "b": 10}
    assert sampling.allocate(sizes, 4, oversampled=["zz"]) == sampling.allocate(sizes, 4)


# -- the draw -------------------------------------------------------------------------------------


def test_the_order_key_is_hmac_sha256_of_the_id_under_the_seed():
    import hashlib
    import hmac

    expected = hmac.new(b"seed", b"id-1", hashlib.sha256).hexdigest()
    assert sampling.order_key("seed", "id-1") == expected


@pytest.mark.parametrize(
    "seed",
    ["", "s", "k" * 63, "k" * 64, "k" * 65, "抽查" * 40],
    ids=["empty", "short", "under-a-block", "one-block", "over-a-block", "chinese"],
)
def test_the_hmac_keys_give_the_order_key_from_two_plain_hashes(seed):
    import hashlib

    inner, outer = sampling.hmac_keys(seed)
    for member in ("id-1", "7d0f2c1e-61f5-5a39-9c1b-0c6e1f1e2a3b", "成员"):
        digest = hashlib.sha256(inner + member.encode()).digest()
        assert hashlib.sha256(outer + digest).hexdigest() == sampling.order_key(seed, member)


def test_the_same_seed_draws_the_same_members_whatever_their_order():
    members = [f"reg-{i}" for i in range(100)]
    first = sampling.draw("seed-1", members, 10)
    again = sampling.draw("seed-1", list(reversed(members)), 10)
    assert first == again
    assert len({member for _key, member in first}) == 10


def test_another_seed_draws_other_members():
    members = [f"reg-{i}" for i in range(100)]
    one = {member for _key, member in sampling.draw("seed-1", members, 10)}
    other = {member for _key, member in sampling.draw("seed-2", members, 10)}
    assert one != other


def test_a_fresh_seed_is_256_random_bits():
    assert len(sampling.new_seed()) == 64
    assert sampling.new_seed() != sampling.new_seed()


# -- the Wilson interval ---------------------------------------------------------------------------


def test_wilson_interval_of_a_known_case():
    # 8 of 10 at 95 %: 0.4902 to 0.9433 (as published tables and statsmodels give it).
    low, high = sampling.wilson_interval(8, 10)
    assert math.isclose(low, 0.4902, abs_tol=1e-4)
    assert math.isclose(high, 0.9433, abs_tol=1e-4)


def test_wilson_interval_stays_inside_zero_and_one_at_the_extremes():
    low, high = sampling.wilson_interval(10, 10)
    assert high == 1.0 and math.isclose(low, 0.7225, abs_tol=1e-4)
    low, high = sampling.wilson_interval(0, 10)
    assert low == 0.0 and math.isclose(high, 0.2775, abs_tol=1e-4)


def test_wilson_interval_without_trials_is_none_and_impossible_counts_are_refused():
    assert sampling.wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        sampling.wilson_interval(11, 10)
