"""The statistics behind the risk signals: pure functions of counts, no Django.

Every test is one-sided (is this unit's rate *higher* than its baseline?) and returns a
p-value; ``evidence`` turns a p-value into the score the alerts are ranked by.
"""

import math
from dataclasses import dataclass

# The smallest p-value reported: beyond it, floating point has nothing more to say.
P_FLOOR = 1e-12


def normal_sf(z: float) -> float:
    """P(Z >= z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def two_proportion_z(x: int, n: int, peer_x: int, peer_n: int) -> tuple[float, float]:
    """One-sided z test that x/n is higher than peer_x/peer_n (pooled variance).

    Returns (z, p). With no variance at all (both rates 0 or both 1), z is 0 and p is 1.
    """
    if n <= 0 or peer_n <= 0:
        raise ValueError("both groups need at least one observation")
    pooled = (x + peer_x) / (n + peer_n)
    variance = pooled * (1.0 - pooled) * (1.0 / n + 1.0 / peer_n)
    if variance <= 0.0:
        return 0.0, 1.0
    z = (x / n - peer_x / peer_n) / math.sqrt(variance)
    return z, normal_sf(z)


def _log_binomial_pmf(k: int, n: int, p: float) -> float:
    return (
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + k * math.log(p)
        + (n - k) * math.log1p(-p)
    )


def binomial_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p): the exact upper tail."""
    if k < 0 or n < 0:
        raise ValueError("need 0 <= k and 0 <= n")
    if k == 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    total = 0.0
    for i in range(k, n + 1):
        term = math.exp(_log_binomial_pmf(i, n, p))
        total += term
        # Past the mode the terms only shrink: stop once they no longer count.
        if i > n * p and term <= total * 1e-15:
            break
    return min(1.0, total)


def poisson_sf(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean): the exact upper tail."""
    if k < 0 or mean < 0:
        raise ValueError("need k >= 0 and mean >= 0")
    if k == 0:
        return 1.0
    if mean == 0.0:
        return 0.0
    total = 0.0
    i = k
    while True:
        term = math.exp(i * math.log(mean) - mean - math.lgamma(i + 1))
        total += term
        # Past the mean the terms only shrink: stop once they no longer count, or once they
        # are all too small for a float (k far above the mean: the tail is 0.0, and waiting
        # for a term smaller than 0.0 would never end).
        if i > mean and term <= total * 1e-15:
            break
        i += 1
    return min(1.0, total)


def evidence(p: float) -> float:
    """The score of a p-value: -log10(p), 2.0 at p = 0.01, capped at 12."""
    return round(-math.log10(max(p, P_FLOOR)), 3)


@dataclass(frozen=True)
class RateTest:
    """A unit's rate against its baseline, and the verdict."""

    x: int
    n: int
    baseline_x: int
    baseline_n: int
    baseline: str  # "peers" (same operator and province) or "nation" (every other unit)
    z: float | None
    p: float

    @property
    def rate(self) -> float:
        return self.x / self.n if self.n else 0.0

    @property
    def baseline_rate(self) -> float:
        return self.baseline_x / self.baseline_n if self.baseline_n else 0.0

    def as_detail(self) -> dict:
        return {
            "x": self.x,
            "n": self.n,
            "rate": round(self.rate, 4),
            "baseline": self.baseline,
            "baseline_x": self.baseline_x,
            "baseline_n": self.baseline_n,
            "baseline_rate": round(self.baseline_rate, 4),
            "z": None if self.z is None else round(self.z, 3),
            "p": float(f"{self.p:.3g}"),
        }


def rate_against_baseline(
    *,
    x: int,
    n: int,
    peer_x: int,
    peer_n: int,
    nation_x: int,
    nation_n: int,
    min_volume: int,
) -> RateTest | None:
    """Test x/n against its peers when they are numerous enough (a two-proportion z test),
    else against the rest of the nation (an exact binomial test with the nation's rate).

    None when the unit itself is under ``min_volume``, or no baseline has the volume: too
    little to conclude anything.
    """
    if n < min_volume:
        return None
    if peer_n >= min_volume:
        z, p = two_proportion_z(x, n, peer_x, peer_n)
        return RateTest(x, n, peer_x, peer_n, "peers", z, p)
    if nation_n >= min_volume:
        p = binomial_sf(x, n, nation_x / nation_n)
        return RateTest(x, n, nation_x, nation_n, "nation", None, p)
    return None
