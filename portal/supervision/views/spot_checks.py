"""Spot checks: the campaigns, a new one, one with its report, and the blind page of a sample.

The blind page shows a sample's evidence (the ID portrait and the last capture's best frames)
under a viewing grant whose reason is the campaign, opened by a posted button; it never shows
the registration's status, decision, reasons or the engine's scores, nor links to the pages
that do. Out of scope is a 404 (the selectors).
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import permission_required, recent_second_factor_required
from portal.accounts.permissions import Perm
from portal.lib.errors import PortalError, add_to_form, add_to_messages
from portal.lib.forms import form_status, posted
from portal.lib.listing import paginate
from portal.supervision.forms.spot_checks import AdjudicationForm, SpotCheckForm
from portal.supervision.selectors import spot_checks as selectors
from portal.supervision.services import spot_checks as services

PAGE_SIZE = 25


@permission_required(Perm.RUN_SPOT_CHECKS)
def spot_check_list(request: HttpRequest) -> HttpResponse:
    campaigns = selectors.spot_check_list(user=request.user)
    return render(
        request,
        "supervision/spot_check_list.html",
        paginate(request, campaigns, per_page=PAGE_SIZE),
    )


@permission_required(Perm.RUN_SPOT_CHECKS)
def spot_check_new(request: HttpRequest) -> HttpResponse:
    form = SpotCheckForm(posted(request), user=request.user)
    if form.is_bound and form.is_valid():
        population = form.population
        try:
            spot_check = services.spot_check_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                population=population,
                fixed_size=form.fixed_size_value,
                oversampled_strata=services.oversampled_strata_suggested(
                    user=request.user, population=population
                ),
            )
        except PortalError as refused:
            add_to_form(form, refused)
        else:
            messages.success(
                request,
                _("%(count)d registrations drawn out of %(population)d.")
                % {"count": spot_check.drawn_size, "population": spot_check.population_size},
            )
            return redirect("spot_checks:detail", spot_check.pk)
    context = {"form": form}
    return render(request, "supervision/spot_check_new.html", context, status=form_status(form))


@permission_required(Perm.RUN_SPOT_CHECKS)
def spot_check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    spot_check = selectors.spot_check_get(user=request.user, pk=pk)
    context = {
        "spot_check": spot_check,
        "report": selectors.spot_check_report(spot_check=spot_check),
        "next_sample": selectors.next_pending_sample(spot_check=spot_check),
        **paginate(request, selectors.spot_check_samples(spot_check=spot_check), per_page=50),
    }
    return render(request, "supervision/spot_check_detail.html", context)


@require_POST
@permission_required(Perm.RUN_SPOT_CHECKS)
def spot_check_close(request: HttpRequest, pk: int) -> HttpResponse:
    spot_check = selectors.spot_check_get(user=request.user, pk=pk)
    try:
        services.spot_check_close(spot_check=spot_check, actor=request.user)
    except PortalError as refused:
        add_to_messages(request, refused)
    else:
        messages.success(request, _("The campaign is closed."))
    return redirect("spot_checks:detail", spot_check.pk)


def _sample(request: HttpRequest, pk: int, sample_pk: int):
    spot_check = selectors.spot_check_get(user=request.user, pk=pk)
    return selectors.spot_check_sample_get(user=request.user, spot_check=spot_check, pk=sample_pk)


@permission_required(Perm.RUN_SPOT_CHECKS)
def spot_check_sample(request: HttpRequest, pk: int, sample_pk: int) -> HttpResponse:
    """The blind page: the evidence, and the verdict form (POST records it)."""
    sample = _sample(request, pk, sample_pk)
    form = AdjudicationForm(posted(request))
    if form.is_bound and form.is_valid():
        try:
            services.spot_check_sample_adjudicate(
                sample=sample,
                actor=request.user,
                verdict=form.cleaned_data["verdict"],
                note=form.cleaned_data["note"],
            )
        except PortalError as refused:
            add_to_form(form, refused)
            status = refused.status
        else:
            messages.success(request, _("Verdict recorded."))
            following = selectors.next_pending_sample(spot_check=sample.spot_check, after=sample)
            if following is not None:
                return redirect("spot_checks:sample", sample.spot_check_id, following.pk)
            return redirect("spot_checks:detail", sample.spot_check_id)
    else:
        status = form_status(form)
    context = {
        "spot_check": sample.spot_check,
        "sample": sample,
        "evidence": selectors.blind_evidence(user=request.user, sample=sample),
        "form": form,
    }
    return render(request, "supervision/spot_check_sample.html", context, status=status)


@require_POST
@permission_required(Perm.RUN_SPOT_CHECKS)
@permission_required(Perm.VIEW_EVIDENCE)
@recent_second_factor_required
def spot_check_sample_evidence(request: HttpRequest, pk: int, sample_pk: int) -> HttpResponse:
    """Open the sample's evidence: the campaign is the stated reason, recorded automatically."""
    sample = _sample(request, pk, sample_pk)
    try:
        services.spot_check_evidence_open(sample=sample, actor=request.user)
    except PortalError as refused:
        add_to_messages(request, refused)
    return redirect("spot_checks:sample", sample.spot_check_id, sample.pk)
