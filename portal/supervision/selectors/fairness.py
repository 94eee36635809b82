"""Fairness monitoring's figures: decisions by age band, sex and province, from the rollups
(``DecisionRollup``), in the user's scope and the overview's filters."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from portal.supervision.fairness import GroupCounts, GroupFigures, compare
from portal.supervision.models.rollups import DecisionRollup
from portal.supervision.selectors.rollups import rollup_rows
from portal.supervision.selectors.summary import SummaryFilters, province_name
from registrations.models import Province, Registration

Status = Registration.Status

# The dimensions compared, by the DecisionRollup field that holds them.
DIMENSIONS = {
    "age_band": _("Age band"),
    "sex": _("Sex"),
    "province_code": _("Province"),
}
SEXES = {"female": _("Female"), "male": _("Male"), "unknown": _("Unknown")}


@dataclass(frozen=True)
class Comparison:
    dimension: str
    title: str
    groups: list[tuple[str, GroupFigures]]  # (label, figures), in a fixed order

    @property
    def warnings(self) -> int:
        return sum(figures.warning for _label, figures in self.groups)


def fairness_comparisons(*, user, filters: SummaryFilters) -> list[Comparison]:
    """One comparison per dimension, each group's approval rate against the best group's."""
    min_volume = settings.SUPERVISION_FAIRNESS_MIN_VOLUME
    return [
        Comparison(
            dimension=dimension,
            title=str(title),
            groups=_labelled(
                dimension, compare(_counts(user, filters, dimension), min_volume=min_volume)
            ),
        )
        for dimension, title in DIMENSIONS.items()
    ]


def _counts(user, filters: SummaryFilters, dimension: str) -> list[GroupCounts]:
    rows = rollup_rows(
        DecisionRollup,
        user=user,
        first=filters.period.first,
        last=filters.period.last,
        operator_id=filters.operator.pk if filters.operator else None,
        province_code=filters.province.code if filters.province else None,
        channel=filters.channel or None,
    )
    sums = (
        rows.values(dimension)
        .annotate(
            decided=Sum("n"),
            approved=Sum("n", filter=Q(outcome=Status.APPROVED)),
            rejected=Sum("n", filter=Q(outcome=Status.REJECTED)),
            retaken=Sum("n", filter=Q(attempts__gt=1)),
        )
        .order_by(dimension)
    )
    return [
        GroupCounts(
            key=row[dimension],
            decided=row["decided"] or 0,
            approved=row["approved"] or 0,
            rejected=row["rejected"] or 0,
            retaken=row["retaken"] or 0,
        )
        for row in sums
    ]


def _labelled(dimension: str, figures: list[GroupFigures]) -> list[tuple[str, GroupFigures]]:
    if dimension == "sex":
        return [(str(SEXES.get(f.counts.key, f.counts.key)), f) for f in figures]
    if dimension == "province_code":
        names = {
            p.code: province_name(p)
            for p in Province.objects.filter(code__in=[f.counts.key for f in figures])
        }
        return [(names.get(f.counts.key, f.counts.key), f) for f in figures]
    return [(str(_("Unknown")) if f.counts.key == "unknown" else f.counts.key, f) for f in figures]
