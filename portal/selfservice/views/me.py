"""The subscriber's pages at /me/: sign in with the ID details and a code by SMS, then the
numbers registered under that ID. Thin: the services decide, the session module remembers."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.lib import ratelimit
from portal.lib.client_ip import client_ip_address
from portal.lib.errors import PortalError, add_to_form
from portal.lib.forms import posted, render_form
from portal.selfservice import selectors
from portal.selfservice.errors import SelfServiceCode
from portal.selfservice.forms import CodeForm, NumberForm, StartForm
from portal.selfservice.services.sign_in import (
    sign_in_code_check,
    sign_in_code_send,
    sign_in_start,
)
from portal.selfservice.services.visits import subscriber_numbers_viewed, subscriber_signed_out
from portal.selfservice.session import (
    pending_get,
    pending_keep,
    subscriber_required,
    subscriber_session_end,
    subscriber_session_start,
)
from verification.retention import retention_of


@never_cache
def start(request):
    form = StartForm(posted(request))
    refusal = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            pending = sign_in_start(
                id_type=data["id_type"],
                id_number=data["id_number"],
                full_name=data["full_name"],
                address=client_ip_address(request),
            )
        except PortalError as error:
            add_to_form(form, error)
            refusal = error
        else:
            pending_keep(request, pending)
            return redirect("selfservice:number")
    response = render_form(request, "selfservice/start.html", {"form": form})
    return ratelimit.with_retry_after(response, refusal)


def _not_started(request):
    messages.info(request, SelfServiceCode.NOT_STARTED.label)
    return redirect("selfservice:start")


@never_cache
def number(request):
    pending = pending_get(request)
    if pending is None:
        return _not_started(request)
    form = NumberForm(posted(request), choices=pending.choices)
    refusal = None
    if form.is_bound and form.is_valid():
        try:
            masked = sign_in_code_send(pending=pending, token=form.cleaned_data["number"])
        except PortalError as error:
            add_to_form(form, error)
            refusal = error
        else:
            pending_keep(request, pending)
            messages.info(
                request,
                _("If the details match, a code was sent to %(number)s. It is valid for 5 minutes.")
                % {"number": masked},
            )
            return redirect("selfservice:code")
    response = render_form(request, "selfservice/number.html", {"form": form})
    return ratelimit.with_retry_after(response, refusal)


@never_cache
def code(request):
    pending = pending_get(request)
    if pending is None or not pending.picked:
        return _not_started(request)
    form = CodeForm(posted(request))
    if form.is_bound and form.is_valid():
        try:
            checked = sign_in_code_check(
                pending=pending, code=form.cleaned_data["code"], address=client_ip_address(request)
            )
        except PortalError as error:
            add_to_form(form, error)
            return ratelimit.with_retry_after(_code_page(request, form), error)
        if checked.subscriber_id is not None:
            subscriber_session_start(request, checked.subscriber_id)
            return redirect("selfservice:numbers")
        pending_keep(request, pending)  # the wrong tries counted
        form.add_error("code", checked.refusal.label)
    return _code_page(request, form)


def _code_page(request, form):
    return render_form(request, "selfservice/code.html", {"form": form})


@never_cache
@subscriber_required
def numbers(request):
    registrations = selectors.my_registrations(subscriber=request.subscriber)
    disputes = selectors.my_disputes(subscriber=request.subscriber)
    withdrawn = selectors.consents_withdrawn(subscriber=request.subscriber)
    consents = selectors.registrations_with_consent(subscriber=request.subscriber)
    deleted = selectors.data_deleted(subscriber=request.subscriber)
    rows = [
        (
            registration,
            selectors.last_four(registration.msisdn),
            disputes.get(registration.pk),
            [
                (data_class, until, deleted.get((registration.pk, data_class.code)))
                for data_class, until in retention_of(
                    registration, withdrawn_at=withdrawn.get(registration.pk)
                )
            ],
            registration.pk in consents,
        )
        for registration in registrations
    ]
    subscriber_numbers_viewed(subscriber_id=request.subscriber.pk)
    return render(request, "selfservice/numbers.html", {"rows": rows})


@never_cache
@subscriber_required
def access(request):
    context = {
        "rows": selectors.who_looked(subscriber=request.subscriber),
        "deferrals": selectors.ended_deferrals(subscriber=request.subscriber),
    }
    return render(request, "selfservice/access.html", context)


@require_POST
def sign_out(request):
    subscriber_id = subscriber_session_end(request)
    if subscriber_id is not None:
        subscriber_signed_out(subscriber_id=subscriber_id)
    messages.success(request, _("You are signed out."))
    return redirect("selfservice:start")
