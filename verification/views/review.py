"""Manual review: the queue of an operator's registrations in review, and deciding one.

Carrier admins and the outlet staff they appoint as reviewers open these pages; which cases
each sees is decided by ``portal.accounts.scoping.registrations_for_review``. The evidence
is shown only after the reviewer states why, and each file is then fetched through the
audited evidence view.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from portal.accounts import scoping
from portal.accounts.decorators import permission_required
from portal.listing import paginate
from registrations.models import Registration
from registrations.services import RegistrationError, registration_review
from verification import selectors
from verification.review_forms import ReviewDecisionForm, evidence_reason_form

PAGE_SIZE = 25


@permission_required(scoping.REVIEW_REGISTRATION)
def review_list(request: HttpRequest) -> HttpResponse:
    context = paginate(request, selectors.review_queue(user=request.user), per_page=PAGE_SIZE)
    reasons = selectors.last_attempt_reasons(context["page_obj"])
    context["rows"] = [(case, reasons.get(case.pk, [])) for case in context["page_obj"]]
    return render(request, "review/list.html", context)


def _decide(request: HttpRequest, registration: Registration, form: ReviewDecisionForm) -> bool:
    """Call the review service; its refusals become errors on the form."""
    try:
        registration_review(
            registration=registration,
            reviewer=request.user,
            approve=form.approve,
            note=form.cleaned_data["note"],
        )
    except RegistrationError as refused:
        for violation in refused.violations:
            field = violation.field if violation.field in form.fields else None
            form.add_error(field, violation.message)
        return False
    return True


@permission_required(scoping.REVIEW_REGISTRATION)
def review_detail(request: HttpRequest, pk) -> HttpResponse:
    registration = selectors.review_case_get(user=request.user, pk=pk)
    form = ReviewDecisionForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid() and _decide(request, registration, form):
        verb = "approved" if form.approve else "rejected"
        messages.success(request, f"Registration of {registration.msisdn_national} {verb}.")
        return redirect("review:list")
    if form.is_bound and form.errors:
        messages.error(request, "The decision was not saved: see the errors below.")
    reason_form, evidence_reason = evidence_reason_form(request.GET)
    context = {
        "case": selectors.review_case(registration=registration),
        "form": form,
        "reason_form": reason_form,
        "evidence_reason": evidence_reason,
        "own_registration": registration.created_by_id == request.user.pk,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "review/detail.html", context, status=status)
