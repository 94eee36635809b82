"""The arithmetic of spot checks, as pure functions (no Django): how many registrations to draw
from a population, how to share them among strata, which ones, and how sure the result is.

- ``iso2859_sample_size``: the sample size of ISO 2859-1 for a lot (population) size, general
  inspection level II, single sampling, normal inspection.
- ``allocate``: proportional allocation over strata, at least one per non-empty stratum,
  largest-remainder rounding, then oversampling of chosen strata (capped by their size).
- ``order_key`` / ``draw``: a reproducible draw: a stratum's members ordered by
  HMAC-SHA256(seed, member id), the first n taken. The same seed gives the same sample, and
  nobody can steer which members come first without knowing the seed. ``hmac_keys`` lets a
  database compute the same order.
- ``wilson_interval``: the Wilson score interval of a proportion.
"""

import hashlib
import heapq
import hmac
import math
import secrets
from bisect import bisect_right
from collections.abc import Hashable, Iterable, Mapping

# ISO 2859-1:1999 (identical to ANSI/ASQ Z1.4 and GB/T 2828.1-2012), Table 1 "Sample size code
# letters", column "General inspection levels, II": (smallest lot size of the row, code letter).
# The lot-size rows are 2-8, 9-15, 16-25, 26-50, 51-90, 91-150, 151-280, 281-500, 501-1 200,
# 1 201-3 200, 3 201-10 000, 10 001-35 000, 35 001-150 000, 150 001-500 000, 500 001 and over.
CODE_LETTERS_LEVEL_II: tuple[tuple[int, str], ...] = (
    (2, "A"),
    (9, "B"),
    (16, "C"),
    (26, "D"),
    (51, "E"),
    (91, "F"),
    (151, "G"),
    (281, "H"),
    (501, "J"),
    (1201, "K"),
    (3201, "L"),
    (10001, "M"),
    (35001, "N"),
    (150001, "P"),
    (500001, "Q"),
)
# ISO 2859-1:1999, Table 2-A "Single sampling plans for normal inspection (Master table)":
# the sample size of each code letter (R is reached at level III only).
SAMPLE_SIZES: dict[str, int] = {
    "A": 2,
    "B": 3,
    "C": 5,
    "D": 8,
    "E": 13,
    "F": 20,
    "G": 32,
    "H": 50,
    "J": 80,
    "K": 125,
    "L": 200,
    "M": 315,
    "N": 500,
    "P": 800,
    "Q": 1250,
    "R": 2000,
}
_LOWER_BOUNDS = [low for low, _letter in CODE_LETTERS_LEVEL_II]

# Oversampled strata get this many times their proportional share (capped by their size).
DEFAULT_OVERSAMPLING_FACTOR = 2
# z for a two-sided 95 % interval.
Z_95 = 1.959963984540054


def iso2859_code_letter(lot_size: int) -> str | None:
    """The code letter of general inspection level II for ``lot_size``; None under 2."""
    if lot_size < 2:
        return None
    return CODE_LETTERS_LEVEL_II[bisect_right(_LOWER_BOUNDS, lot_size) - 1][1]


def iso2859_sample_size(lot_size: int) -> int:
    """The sample size for ``lot_size`` (single sampling, normal inspection, level II).

    A lot of one is checked whole; an empty lot needs no sample.
    """
    letter = iso2859_code_letter(lot_size)
    if letter is None:
        return max(lot_size, 0)
    return min(SAMPLE_SIZES[letter], lot_size)


def allocate(
    sizes: Mapping[Hashable, int],
    n: int,
    *,
    oversampled: Iterable[Hashable] = (),
    factor: int = DEFAULT_OVERSAMPLING_FACTOR,
) -> dict[Hashable, int]:
    """How many of ``n`` to draw from each stratum of ``sizes`` (stratum -> its size).

    Proportional to the strata's sizes, with at least one from each non-empty stratum: a
    stratum whose share is under one gets one, and the rest is shared again among the others
    (so the total stays ``n``); the shares are rounded by largest remainder (ties go to the
    larger stratum, then to the stratum first in sort order, so the result never depends on
    the order of ``sizes``). When ``n`` is under the number of non-empty strata, each gets one
    (the total is then that number); when it is at least the population, everything is taken.
    Then each stratum in ``oversampled`` gets ``factor`` times its share, capped by its size.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if factor < 1:
        raise ValueError("the oversampling factor is at least 1")
    strata = sorted((key for key, size in sizes.items() if size > 0), key=repr)
    population = sum(sizes[key] for key in strata)
    shares: dict[Hashable, int] = dict.fromkeys(sizes, 0)
    if n == 0 or not strata:
        return shares
    if n >= population:
        shares.update({key: sizes[key] for key in strata})
    elif n <= len(strata):
        shares.update(dict.fromkeys(strata, 1))
    else:
        shares.update(_proportional(sizes, strata, n))
    for key in oversampled:
        if shares.get(key):
            shares[key] = min(sizes[key], shares[key] * factor)
    return shares


def _proportional(sizes, strata: list, n: int) -> dict:
    """Proportional shares summing to ``n`` (more than the number of strata, less than the
    population), each at least one and at most the stratum's size."""
    fixed: dict = {}
    rest = list(strata)
    # Strata whose share is under one get one; the others share what is left, and a stratum
    # can fall under one again in the next round.
    while True:
        left = n - len(fixed)
        total = sum(sizes[key] for key in rest)
        small = [key for key in rest if left * sizes[key] < total]
        if not small:
            break
        fixed.update(dict.fromkeys(small, 1))
        rest = [key for key in rest if key not in fixed]
    left = n - len(fixed)
    total = sum(sizes[key] for key in rest)
    # Exact integer arithmetic: quota = left * size / total, as (whole, remainder).
    quotas = {key: divmod(left * sizes[key], total) for key in rest}
    shares = {key: whole for key, (whole, _remainder) in quotas.items()}
    missing = left - sum(shares.values())
    by_remainder = sorted(rest, key=lambda key: (-quotas[key][1], -sizes[key], repr(key)))
    for key in by_remainder[:missing]:
        shares[key] += 1
    return {**fixed, **shares}


def new_seed() -> str:
    """A fresh random seed (256 bits, hex), to be stored with the draw."""
    return secrets.token_hex(32)


def order_key(seed: str, member_id: object) -> str:
    """HMAC-SHA256 of ``member_id`` (as text) under ``seed``, hex: the draw's sort key."""
    return hmac.new(seed.encode(), str(member_id).encode(), hashlib.sha256).hexdigest()


_SHA256_BLOCK = 64  # bytes


def hmac_keys(seed: str) -> tuple[bytes, bytes]:
    """The inner and outer keys of HMAC-SHA256 under ``seed`` (RFC 2104): ``order_key`` is
    SHA-256(outer + SHA-256(inner + member id)), which a database with SHA-256 but no HMAC
    can compute over a whole population."""
    key = seed.encode()
    if len(key) > _SHA256_BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_SHA256_BLOCK, b"\0")
    return bytes(byte ^ 0x36 for byte in key), bytes(byte ^ 0x5C for byte in key)


def draw(seed: str, member_ids: Iterable[object], k: int) -> list[tuple[str, object]]:
    """The first ``k`` members in the order of their ``order_key``: (key, member id) pairs.

    The same seed and members give the same sample whatever order the members come in.
    ``member_ids`` may be a stream: only the ``k`` smallest keys are kept in memory.
    """
    if k <= 0:
        return []
    keyer = hmac.new(seed.encode(), digestmod=hashlib.sha256)  # order_key, keyed once

    def keyed():
        for member in member_ids:
            text = str(member)
            digest = keyer.copy()
            digest.update(text.encode())
            yield digest.hexdigest(), text, member

    return [(key, member) for key, _text, member in heapq.nsmallest(k, keyed())]


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval of ``successes`` out of ``trials`` (None with no trial).

    centre = (p + z²/2n) / (1 + z²/n), half-width = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n).
    """
    if trials <= 0:
        return None
    if not 0 <= successes <= trials:
        raise ValueError("successes must be between 0 and the number of trials")
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    # At 0 or every success the bound is exactly 0 or 1 (not 1 - 1e-16 of rounding).
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high
