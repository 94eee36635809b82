"""Registration pages: list, detail, the outlet's new-registration form and transitions."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm, can
from portal.audit.selectors import object_timeline
from portal.lib import ratelimit
from portal.lib.errors import PortalError, add_to_form, add_to_messages
from portal.lib.forms import posted, render_form
from portal.lib.listing import paginate
from registrations import lifecycle, scoping, selectors, services
from registrations.forms import RegistrationFilterForm, RegistrationForm
from registrations.lifecycle import Step
from registrations.models import Registration

PAGE_SIZE = 50

# What the layers above add to a registration's page (verification adds its steps, attempts
# and evidence): each callable returns more context. Filled in by their AppConfig.ready(), so
# this app never imports them.
DETAIL_SECTIONS: list[Callable[[HttpRequest, Registration], dict]] = []


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@permission_required(Perm.VIEW_REGISTRATION)
def registration_list(request):
    user = request.user
    form = RegistrationFilterForm(
        request.GET or None,
        operators=scoping.operators_in_scope(user),
        outlets=scoping.outlets_in_scope(user),
        provinces=scoping.provinces_in_scope(user),
    )
    filters = form.filters()
    registrations = selectors.registration_list(user=user, filters=filters)
    page = paginate(request, registrations, per_page=PAGE_SIZE)
    # Filtered by who created them, the page's first registration names that person: named
    # only when the viewer's list holds one of theirs, so a bare id reveals no one.
    first = next(iter(page["page_obj"]), None) if filters.staff else None
    context = {
        "form": form,
        "staff_member": first.created_by if first else None,
        "without_staff": _query_without(request, "staff", "page"),
        "can_create": can(user, Perm.ADD_REGISTRATION),
        **page,
    }
    return render(request, "registrations/list.html", context)


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
        "show_timeline": can(request.user, Perm.VIEW_AUDIT_TRAIL),
        "timeline": object_timeline(obj=registration),
    }
    for section in DETAIL_SECTIONS:
        context.update(section(request, registration))
    return render(request, "registrations/detail.html", context)


def _subscriber_details(data) -> services.SubscriberDetails:
    return services.SubscriberDetails(
        id_type=data["id_type"],
        id_number=data["id_number"],
        full_name=data["full_name"],
        birth_date=data["birth_date"],
        id_expiry=data["id_expiry"],
    )


@permission_required(Perm.ADD_REGISTRATION)
def registration_new(request):
    outlets = selectors.outlets_for_registration(user=request.user)
    form = RegistrationForm(posted(request), outlets=outlets)
    refusal = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            ratelimit.enforce("registration", account=request.user.pk, outlet=data["outlet"].pk)
            registration = services.registration_create(
                actor=request.user,
                subscriber=_subscriber_details(data),
                operator=data["outlet"].operator,
                outlet=data["outlet"],
                msisdn=data["msisdn"],
                iccid=data["iccid"],
            )
        except PortalError as error:
            add_to_form(form, error)
            refusal = error
        else:
            messages.success(request, _("Registration saved as a draft. Next: the ID portrait."))
            return redirect("verification:portrait", pk=registration.pk)
    context = {"form": form, "has_outlets": outlets.exists()}
    # Over a rate limit, the refused form is a 429 with Retry-After.
    return ratelimit.with_retry_after(
        render_form(request, "registrations/new.html", context), refusal
    )


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
@require_POST
def registration_cancel(request, pk):
    def cancel(*, registration, actor):
        services.registration_cancel(
            registration=registration, actor=actor, note=request.POST.get("note", "")
        )

    return _transition(request, pk, cancel, _("Registration cancelled: the number is free again."))
