"""Registration pages: list, detail, the outlet's new-registration form and transitions."""

import dataclasses
from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm, can
from portal.audit.selectors import object_timeline
from portal.lib import ratelimit
from portal.lib.errors import PortalError, add_to_form, add_to_messages
from portal.lib.forms import posted, render_form
from portal.lib.listing import PAGE_PARAMETERS, keyset_page
from portal.lib.page_cache import kept_html, rows_key
from registrations import lifecycle, scoping, selectors, services
from registrations.errors import RegistrationCode
from registrations.forms import (
    CancellationForm,
    DraftEditForm,
    RegistrationFilterForm,
    RegistrationForm,
    RegistrationSearchForm,
)
from registrations.lifecycle import Step
from registrations.models import Registration
from registrations.selectors import RegistrationFilters
from registrations.views.search_session import SEARCH_PARAMETER, recalled_search, remember_search

PAGE_SIZE = 50
# Newest first, from a cursor (no OFFSET); counted no further than this (past it: "more than").
LIST_ORDER = ("created_at", "id")
COUNT_CAP = 1000
# Who holds one of these sees the list as it is now; the others (the ministry, who change no
# registration) may be shown rows rendered a few seconds ago (portal/lib/page_cache.py).
REGISTRATION_CHANGES = (
    Perm.ADD_REGISTRATION,
    Perm.SUBMIT_REGISTRATION,
    Perm.REVIEW_REGISTRATION,
    Perm.CANCEL_REGISTRATION,
)

# What the layers above add to a registration's page (verification adds its steps, attempts
# and evidence): each callable returns more context. Filled in by their AppConfig.ready(), so
# this app never imports them.
DETAIL_SECTIONS: list[Callable[[HttpRequest, Registration], dict]] = []
# The outlet flow's next page for a draft (the ID portrait, the consent or the capture): set
# by the verification layer's AppConfig.ready(), like DETAIL_SECTIONS.
NEXT_STEP_URL: Callable[[Registration], str] | None = None


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@permission_required(Perm.VIEW_REGISTRATION)
def registration_list(request):
    return _list_page(request, search_form=RegistrationSearchForm())


@permission_required(Perm.VIEW_REGISTRATION)
def registration_search(request):
    """The search box. A POST, never a GET: the term (an ID number, say) must not be in a
    URL. Each search is audited once, here, with the term masked; the list then shows its
    results under an opaque id (``search_session``)."""
    if request.method != "POST":
        # The links of a refused search's page (its pages, its filters) lead back to the list.
        query = request.GET.copy()
        query.pop("term", None)
        return redirect(_list_url(query.urlencode()))
    form = RegistrationSearchForm(request.POST)
    if not form.is_valid():
        return _list_page(request, search_form=form, status=400)
    term = form.cleaned_data["term"]
    found = selectors.registration_list(
        user=request.user, filters=RegistrationFilters(search=term)
    ).count()
    services.registration_search_record(actor=request.user, term=term, found=found)
    search_id = remember_search(request, term)
    return redirect(_list_url(urlencode({SEARCH_PARAMETER: search_id})))


def _list_url(query: str) -> str:
    url = reverse("registrations:list")
    return f"{url}?{query}" if query else url


def _filter_form(user, data) -> RegistrationFilterForm:
    return RegistrationFilterForm(
        data,
        operators=scoping.operators_in_scope(user),
        outlets=scoping.outlets_in_scope(user),
        provinces=scoping.provinces_in_scope(user),
    )


def _list_page(request, *, search_form, status=200):
    user = request.user
    # Without a query the filters are none, and the form is made only if its rows are
    # rendered: a kept first page does without it.
    form = _filter_form(user, request.GET) if request.GET else None
    search_id, search = recalled_search(request)
    filters = dataclasses.replace(form.filters() if form else RegistrationFilters(), search=search)
    registrations = selectors.registration_list(user=user, filters=filters)
    context = {
        "search_form": search_form,
        "search": search,
        "search_id": search_id if search else "",
        "search_expired": bool(search_id) and search is None,
        "without_search": _query_without(request, SEARCH_PARAMETER, *PAGE_PARAMETERS),
        "without_staff": _query_without(request, "staff", *PAGE_PARAMETERS),
        "can_create": can(user, Perm.ADD_REGISTRATION),
    }

    def results() -> str:
        page = keyset_page(
            request, registrations, keys=LIST_ORDER, per_page=PAGE_SIZE, count_cap=COUNT_CAP
        )
        # Filtered by who created them, the page's first registration names that person:
        # named only when the viewer's list holds one of theirs, so a bare id reveals no one.
        first = next(iter(page["page"]), None) if filters.staff else None
        staff_member = first.created_by if first else None
        shown = {**context, **page, "staff_member": staff_member}
        return render_to_string(
            "registrations/_results.html", {**shown, "form": form or _filter_form(user, None)}
        )

    if search is None and not any(can(user, perm) for perm in REGISTRATION_CHANGES):
        context["results"] = kept_html(rows_key(request, registrations), results)
    else:
        context["results"] = results()
    return render(request, "registrations/list.html", context, status=status)


@permission_required(Perm.VIEW_REGISTRATION)
def registration_detail(request, pk):
    registration = selectors.registration_get(user=request.user, pk=pk)
    actions = lifecycle.actions_for(request.user, registration)
    context = {
        "registration": registration,
        # At an outlet, submitting is the end of the live capture (the verification steps).
        "can_submit": Step.SUBMIT in actions
        and registration.channel != Registration.Channel.OUTLET,
        "can_cancel": Step.CANCEL in actions,
        # Whoever may register at the outlet may correct or drop its draft.
        "can_edit_draft": Step.DISCARD in actions
        and registration.channel == Registration.Channel.OUTLET,
        "show_timeline": can(request.user, Perm.VIEW_AUDIT_TRAIL),
        "timeline": object_timeline(obj=registration),
    }
    for section in DETAIL_SECTIONS:
        context.update(section(request, registration))
    services.registration_viewed(registration=registration, actor=request.user)
    return render(request, "registrations/detail.html", context)


def _subscriber_details(data) -> services.SubscriberDetails:
    return services.SubscriberDetails(
        id_type=data["id_type"],
        id_number=data["id_number"],
        full_name=data["full_name"],
        birth_date=data["birth_date"],
        id_expiry=data["id_expiry"],
    )


def _next_step(registration: Registration):
    """Where the outlet flow goes on from a draft: the verification layer's next step, as
    the registration's page offers it (this app does not import that layer)."""
    next_url = NEXT_STEP_URL(registration) if NEXT_STEP_URL else None
    return redirect(next_url or registration_detail_url(registration))


@permission_required(Perm.ADD_REGISTRATION)
def registration_new(request):
    outlets = selectors.outlets_for_registration(user=request.user)
    form = RegistrationForm(posted(request), outlets=outlets)
    refusal = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            ratelimit.enforce("registration", account=request.user.pk, outlet=data["outlet"].pk)
            opened = services.registration_draft_open(
                actor=request.user,
                subscriber=_subscriber_details(data),
                outlet=data["outlet"],
                msisdn=data["msisdn"],
                iccid=data["iccid"],
            )
        except PortalError as error:
            add_to_form(form, error)
            refusal = error
        else:
            return _opened(request, opened)
    context = {"form": form, "has_outlets": outlets.exists()}
    # Over a rate limit, the refused form is a 429 with Retry-After.
    return ratelimit.with_retry_after(
        render_form(request, "registrations/new.html", context), refusal
    )


def _opened(request, opened: services.DraftOpened):
    registration = opened.registration
    if not opened.resumed:
        messages.success(request, _("Registration saved as a draft. Next: the ID portrait."))
        return _next_step(registration)
    if opened.same_details:
        messages.info(
            request,
            _(
                "This number already had a draft at this outlet: it is opened again, "
                "nothing was saved twice. Go on from where it stopped."
            ),
        )
        return _next_step(registration)
    messages.warning(
        request,
        _(
            "This number or SIM card already has a draft at this outlet, with other details: "
            "it is opened here, unchanged. Correct it and save, or discard it."
        ),
    )
    return redirect("registrations:edit", pk=registration.pk)


def registration_detail_url(registration: Registration) -> str:
    return reverse("registrations:detail", args=[registration.pk])


def _outlet_draft(request, pk) -> Registration:
    """A registration of one of the user's outlets (an online one is not the outlet's: 404)."""
    registration = selectors.registration_get(user=request.user, pk=pk)
    if registration.channel != Registration.Channel.OUTLET:
        raise Http404("No such record")
    return registration


def _not_a_draft(request, registration: Registration):
    messages.info(request, RegistrationCode.NOT_A_DRAFT.label)
    return redirect("registrations:detail", pk=registration.pk)


@permission_required(Perm.ADD_REGISTRATION)
def registration_edit(request, pk):
    registration = _outlet_draft(request, pk)
    if registration.status != Registration.Status.DRAFT:
        return _not_a_draft(request, registration)
    form = DraftEditForm(
        posted(request),
        subscriber=registration.subscriber,
        initial=DraftEditForm.initial_for(registration),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        subscriber = registration.subscriber
        try:
            services.registration_draft_update(
                registration=registration,
                actor=request.user,
                subscriber=_subscriber_details(
                    {
                        "birth_date": None,  # read again from a resident ID number
                        **data,
                        "id_type": subscriber.id_type,
                        "id_number": subscriber.id_number,
                    }
                ),
                msisdn=data["msisdn"],
                iccid=data["iccid"],
            )
        except PortalError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return _next_step(registration)
    context = {"form": form, "registration": registration}
    return render_form(request, "registrations/edit.html", context)


@permission_required(Perm.ADD_REGISTRATION)
def registration_discard(request, pk):
    """GET: the confirmation; POST: the draft is discarded and its number is free again."""
    registration = _outlet_draft(request, pk)
    if registration.status != Registration.Status.DRAFT:
        return _not_a_draft(request, registration)
    if request.method != "POST":
        return render(request, "registrations/discard.html", {"registration": registration})
    try:
        services.registration_discard(registration=registration, actor=request.user)
    except PortalError as error:
        add_to_messages(request, error)
        return redirect("registrations:detail", pk=registration.pk)
    messages.success(
        request,
        _("Draft discarded: the mobile number and the SIM card can be registered again."),
    )
    return redirect("registrations:list")


def _transition(request, pk, action, success_message):
    registration = selectors.registration_get(user=request.user, pk=pk)
    try:
        action(registration=registration, actor=request.user)
    except PortalError as error:
        add_to_messages(request, error)
    else:
        messages.success(request, success_message)
    return redirect("registrations:detail", pk=registration.pk)


@permission_required(Perm.SUBMIT_REGISTRATION)
@require_POST
def registration_submit(request, pk):
    return _transition(request, pk, services.registration_submit, _("Registration submitted."))


@permission_required(Perm.CANCEL_REGISTRATION)
def registration_cancel(request, pk):
    """GET: the confirmation, asking why; POST: the number is given up, with the reason."""
    registration = selectors.registration_get(user=request.user, pk=pk)
    if not lifecycle.is_open_for(registration, Step.CANCEL):
        add_to_messages(request, services.refused_step(registration, Step.CANCEL))
        return redirect("registrations:detail", pk=registration.pk)
    form = CancellationForm(posted(request))
    if form.is_bound and form.is_valid():
        try:
            services.registration_cancel(
                registration=registration,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except PortalError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Registration cancelled: the number is free again."))
            return redirect("registrations:detail", pk=registration.pk)
    context = {"form": form, "registration": registration}
    return render_form(request, "registrations/cancel.html", context)
