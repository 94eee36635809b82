"""Registration pages: list, detail, the outlet's new-registration form and transitions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal.accounts import scoping
from portal.accounts.decorators import permission_required
from portal.accounts.roles import role_of
from portal.audit import selectors as audit_selectors
from portal.audit.views import AUDIT_READERS
from portal.listing import paginate
from registrations import selectors, services
from registrations.forms import RegistrationFilterForm, RegistrationForm
from verification import selectors as verification_selectors
from verification.review_forms import evidence_reason_form

PAGE_SIZE = 50


@permission_required("registrations.view_registration")
def registration_list(request):
    user = request.user
    form = RegistrationFilterForm(
        request.GET or None,
        operators=scoping.operators_in_scope(user),
        outlets=scoping.outlets_in_scope(user),
        provinces=scoping.provinces_in_scope(user),
    )
    registrations = selectors.registration_list(
        user=user, filters=form.filters() if form.is_bound else selectors.RegistrationFilters()
    )
    context = {
        "form": form,
        "can_create": user.has_perm("registrations.add_registration"),
        **paginate(request, registrations, per_page=PAGE_SIZE),
    }
    return render(request, "registrations/list.html", context)


@permission_required("registrations.view_registration")
def registration_detail(request, pk):
    registration = selectors.registration_get(user=request.user, pk=pk)
    user = request.user
    case = verification_selectors.evidence_case(user=user, registration=registration)
    reason_form, evidence_reason = evidence_reason_form(request.GET)
    return render(
        request,
        "registrations/detail.html",
        {
            "registration": registration,
            # At an outlet, submitting is the end of the live capture (verification flow).
            "can_submit": registration.status == "draft"
            and registration.channel != registration.Channel.OUTLET
            and user.has_perm("registrations.submit_registration"),
            "can_cancel": registration.status == "approved"
            and user.has_perm("registrations.cancel_registration"),
            "verification": verification_selectors.registration_verification(
                user=user, registration=registration
            ),
            "show_evidence": case is not None,
            "case": case,
            "reason_form": reason_form,
            "evidence_reason": evidence_reason,
            "show_timeline": role_of(user) in AUDIT_READERS,
            "timeline": audit_selectors.object_timeline(user=user, obj=registration),
        },
    )


def _subscriber_details(data) -> services.SubscriberDetails:
    return services.SubscriberDetails(
        id_type=data["id_type"],
        id_number=data["id_number"],
        full_name=data["full_name"],
        birth_date=data["birth_date"],
        id_expiry=data["id_expiry"],
    )


@permission_required("registrations.add_registration")
def registration_new(request):
    outlets = selectors.outlets_for_registration(user=request.user)
    form = RegistrationForm(request.POST or None, outlets=outlets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.registration_create(
                actor=request.user,
                subscriber=_subscriber_details(data),
                operator=data["outlet"].operator,
                outlet=data["outlet"],
                msisdn=data["msisdn"],
                iccid=data["iccid"],
            )
        except services.RegistrationError as error:
            for violation in error.violations:
                form.add_error(violation.field, violation.message)
        else:
            messages.success(request, "Registration saved as a draft. Next: the ID portrait.")
            return redirect("verification:portrait", pk=registration.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "registrations/new.html",
        {"form": form, "has_outlets": outlets.exists()},
        status=status,
    )


def _transition(request, pk, action, success_message):
    registration = selectors.registration_get(user=request.user, pk=pk)
    try:
        action(registration=registration, actor=request.user)
    except services.RegistrationError as error:
        for violation in error.violations:
            messages.error(request, violation.message)
    else:
        messages.success(request, success_message)
    return redirect("registrations:detail", pk=registration.pk)


@permission_required("registrations.submit_registration")
@require_POST
def registration_submit(request, pk):
    return _transition(request, pk, services.registration_submit, "Registration submitted.")


@permission_required("registrations.cancel_registration")
@require_POST
def registration_cancel(request, pk):
    def cancel(*, registration, actor):
        services.registration_cancel(
            registration=registration, actor=actor, note=request.POST.get("note", "")
        )

    return _transition(request, pk, cancel, "Registration cancelled: the number is free again.")
