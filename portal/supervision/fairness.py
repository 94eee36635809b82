"""Whether decisions fall evenly on groups of people: pure arithmetic, no Django.

Each group's approval rate is compared with the best group's (the "four-fifths rule" of
adverse-impact analysis): a ratio under ``THRESHOLD`` is a warning, but only when the volume
allows a conclusion, that is when the upper end of the ratio's 95 % confidence interval
(Katz's log method) is itself under the threshold. Groups smaller than the minimum volume
are shown and never judged.
"""

import math
from dataclasses import dataclass
from enum import StrEnum

from portal.supervision.sampling import Z_95, wilson_interval

THRESHOLD = 0.8


class Verdict(StrEnum):
    REFERENCE = "reference"  # the best group, the others' yardstick
    FAIR = "fair"  # ratio at or over the threshold, or not significantly under it
    INCONCLUSIVE = "inconclusive"  # under the threshold, but the interval reaches over it
    BELOW = "below"  # significantly under the threshold: a warning
    TOO_FEW = "too_few"  # under the minimum volume: not judged


@dataclass(frozen=True)
class GroupCounts:
    key: str
    decided: int
    approved: int
    rejected: int
    retaken: int


@dataclass(frozen=True)
class GroupFigures:
    counts: GroupCounts
    approval: float | None
    approval_ci: tuple[float, float] | None
    rejection: float | None
    rejection_ci: tuple[float, float] | None
    retake: float | None
    retake_ci: tuple[float, float] | None
    ratio: float | None
    ratio_ci: tuple[float, float] | None
    verdict: Verdict

    @property
    def warning(self) -> bool:
        return self.verdict == Verdict.BELOW


def ratio_interval(
    x1: int, n1: int, x0: int, n0: int, z: float = Z_95
) -> tuple[float, float] | None:
    """Katz's log interval of (x1/n1) / (x0/n0); half a case is added to zero counts."""
    if n1 <= 0 or n0 <= 0:
        return None
    if x1 == 0 or x0 == 0:
        x1, x0, n1, n0 = x1 + 0.5, x0 + 0.5, n1 + 0.5, n0 + 0.5
    p1, p0 = x1 / n1, x0 / n0
    spread = z * math.sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0)
    centre = math.log(p1 / p0)
    return (round(math.exp(centre - spread), 4), round(math.exp(centre + spread), 4))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def compare(groups: list[GroupCounts], *, min_volume: int) -> list[GroupFigures]:
    """Every group's rates with their intervals, and its approval rate against the best
    group's among those with at least ``min_volume`` decisions; in the order given."""
    judged = [group for group in groups if group.decided >= min_volume]
    best = max(judged, key=lambda group: group.approved / group.decided, default=None)
    return [_figures(group, best, min_volume) for group in groups]


def _figures(group: GroupCounts, best: GroupCounts | None, min_volume: int) -> GroupFigures:
    ratio = ratio_ci = None
    if best is not None and group.decided and best.approved:
        ratio = round((group.approved / group.decided) / (best.approved / best.decided), 4)
        ratio_ci = ratio_interval(group.approved, group.decided, best.approved, best.decided)
    return GroupFigures(
        counts=group,
        approval=_share(group.approved, group.decided),
        approval_ci=wilson_interval(group.approved, group.decided),
        rejection=_share(group.rejected, group.decided),
        rejection_ci=wilson_interval(group.rejected, group.decided),
        retake=_share(group.retaken, group.decided),
        retake_ci=wilson_interval(group.retaken, group.decided),
        ratio=ratio,
        ratio_ci=ratio_ci,
        verdict=_verdict(group, best, ratio, ratio_ci, min_volume),
    )


def _verdict(group, best, ratio, ratio_ci, min_volume: int) -> Verdict:
    if group.decided < min_volume:
        return Verdict.TOO_FEW
    if ratio is None:  # no group was approved at all: nothing to compare
        return Verdict.FAIR
    if group is best:
        return Verdict.REFERENCE
    if ratio >= THRESHOLD:
        return Verdict.FAIR
    return Verdict.BELOW if ratio_ci[1] < THRESHOLD else Verdict.INCONCLUSIVE
