"""Manual review: the queue of an operator's registrations in review, and deciding one.

Carrier admins and the outlet staff they appoint as reviewers open these pages; which cases
each sees is decided by ``registrations.scoping.registrations_for_review``. The evidence is
shown under a short viewing grant opened with a stated purpose (one audit event for the
viewing, however many files it shows): an assigned reviewer's purpose, the review of the case,
is stated for them the first time they open it; anyone else types theirs in a posted form.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm
from portal.accounts.second_factor import verified_within
from portal.lib.errors import PortalError, add_to_form
from portal.lib.forms import form_status, posted
from portal.lib.listing import keyset_page
from registrations.models import Registration
from verification import selectors, services
from verification.errors import VerificationError
from verification.forms import EvidenceReasonForm, ReviewDecisionForm, ReviewFilterForm
from verification.views.evidence import evidence_section
from verification.views.registrations import timeline_section

PAGE_SIZE = 25
COUNT_CAP = 1000  # past it the page says "more than"


@permission_required(Perm.REVIEW_REGISTRATION)
def review_list(request: HttpRequest) -> HttpResponse:
    form = ReviewFilterForm(
        request.GET or None, outlets=selectors.review_outlets(user=request.user)
    )
    queue = selectors.review_queue(user=request.user, filters=form.filters())
    # The pages keep the filters (``querystring``) and the queue's order, from a cursor.
    pages = keyset_page(request, queue, keys=selectors.REVIEW_ORDER, per_page=PAGE_SIZE,
                        count_cap=COUNT_CAP, newest_first=False)  # fmt: skip
    context = {"form": form, **pages}
    reasons = selectors.review_reasons(pages["page"].rows)
    context["rows"] = [(case, reasons.get(case.pk, [])) for case in pages["page"]]
    return render(request, "verification/review_list.html", context)


def _decide(request: HttpRequest, registration: Registration, form: ReviewDecisionForm) -> bool:
    """Call the review service; its refusals become errors on the form."""
    try:
        services.review_decide(
            registration=registration,
            reviewer=request.user,
            approve=form.approve,
            note=form.cleaned_data["note"],
        )
    except PortalError as refused:
        add_to_form(form, refused)
        return False
    return True


@permission_required(Perm.REVIEW_REGISTRATION)
def review_detail(request: HttpRequest, pk) -> HttpResponse:
    registration = selectors.review_case_get(user=request.user, pk=pk)
    form = ReviewDecisionForm(posted(request))
    if form.is_bound and form.is_valid() and _decide(request, registration, form):
        message = (
            _("Registration of %(number)s approved.")
            if form.approve
            else _("Registration of %(number)s rejected.")
        )
        messages.success(request, message % {"number": registration.msisdn_display})
        return redirect("review:list")
    if form.is_bound and form.errors:
        messages.error(request, _("The decision was not saved: see the errors below."))
    # The case's assigned reviewer looks for one purpose, the review: it is stated for them.
    purpose = ""
    if selectors.is_assigned_reviewer(user=request.user, registration=registration):
        purpose = _review_purpose_stated(request, registration)
    context = {
        "case": selectors.review_case(registration=registration),
        "form": form,
        # Anyone else opens a viewing grant with a reason, as on the registration page.
        **evidence_section(
            request, registration, back_to=EvidenceReasonForm.REVIEW, stated_purpose=purpose
        ),
        "review_conflict": selectors.review_conflict(user=request.user, registration=registration),
        **timeline_section(request, registration),
    }
    return render(request, "verification/review_detail.html", context, status=form_status(form))


def _review_purpose_stated(request: HttpRequest, registration) -> str:
    """The assigned reviewer's purpose, recorded for them on opening the case; or "" when it
    is refused (a purpose the rules do not take, say a too short translation): the page then
    asks for a reason like anyone else's, rather than failing."""
    purpose = services.review_purpose()
    if request.method != "GET" or not verified_within(request, settings.SECOND_FACTOR_STEP_UP_S):
        return purpose
    try:
        services.viewing_grant_for_review(registration=registration, reviewer=request.user)
    except VerificationError:
        return ""
    return purpose
