"""Fairness monitoring at /supervision/fairness/: how the decisions of a period fall on age
bands, sexes and provinces, in the user's scope (the overview's period and filters)."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm
from portal.supervision.fairness import THRESHOLD
from portal.supervision.forms.overview import OverviewForm
from portal.supervision.selectors.fairness import fairness_comparisons
from portal.supervision.selectors.summary import summary_filters


@permission_required(Perm.VIEW_SUPERVISION)
@require_safe
def fairness(request):
    form = OverviewForm.from_query(request.GET, user=request.user)
    context = {"form": form, "title": _("Fairness"), "here": request.path, "threshold": THRESHOLD}
    if not form.is_valid():
        return render(request, "supervision/fairness.html", context, status=400)
    data = form.cleaned_data
    form.show_period(data["first"], data["last"])
    filters = summary_filters(
        user=request.user,
        first=data["first"],
        last=data["last"],
        operator=data.get("operator") or "",
        province=data.get("province") or "",
        channel=data.get("channel") or "",
    )
    if filters.outlet or filters.staff:
        raise Http404("Fairness is compared over operators and provinces, not outlets")
    comparisons = fairness_comparisons(user=request.user, filters=filters)
    context.update(
        filters=filters,
        comparisons=[
            {
                "dimension": comparison.dimension,
                "title": comparison.title,
                "warnings": comparison.warnings,
                "rows": [_row(label, group) for label, group in comparison.groups],
            }
            for comparison in comparisons
        ],
    )
    return render(request, "supervision/fairness.html", context)


def _percent(rate, interval) -> str:
    if rate is None:
        return "–"
    shown = f"{rate * 100:.1f} %"
    return f"{shown} ({interval[0] * 100:.1f}–{interval[1] * 100:.1f})" if interval else shown


def _row(label: str, group) -> dict:
    ratio = "–"
    if group.ratio is not None:
        ratio = f"{group.ratio:.2f}"
        if group.ratio_ci:
            ratio += f" ({group.ratio_ci[0]:.2f}–{group.ratio_ci[1]:.2f})"
    return {
        "label": label,
        "verdict": group.verdict,
        "decided": group.counts.decided,
        "approval": _percent(group.approval, group.approval_ci),
        "rejection": _percent(group.rejection, group.rejection_ci),
        "retake": _percent(group.retake, group.retake_ci),
        "ratio": ratio,
    }
