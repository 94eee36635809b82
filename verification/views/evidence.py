"""The one way biometric evidence reaches a person: a viewing grant opened with a stated reason.

The viewer posts the reason (CSRF-checked): that opens a grant of a few minutes, written once
to the audit trail. The page's pictures and videos then name the grant, never the reason, so
the reason stays out of URLs and access logs, and a forged link opens nothing. The evidence
storage has no URL; a grant or file not the viewer's is a 404, like a missing one; the bytes
are never cached by the browser or a proxy, and never logged.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.accounts.decorators import permission_required, recent_second_factor_required
from portal.accounts.permissions import Perm
from portal.lib.errors import PortalError, add_to_form
from verification import selectors, services
from verification.errors import VerificationCode, VerificationError
from verification.forms import EvidenceReasonForm
from verification.models import BiometricEvidence
from verification.storage import EvidenceUnreadable

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "video/webm": "webm",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
}


def _filename(evidence: BiometricEvidence) -> str:
    extension = EXTENSIONS.get(evidence.content_type, "bin")
    return f"{evidence.kind}-{evidence.pk.hex[:8]}.{extension}"


def _refused(request, message: str, *, status: int, title: str | None = None, **context):
    context |= {"message": message, "title": title}
    return render(request, "verification/evidence_refused.html", context, status=status)


def _posted_from(request: HttpRequest) -> str:
    """The page a form was posted from: the review page, or else the registration's."""
    if request.POST.get("back_to") == EvidenceReasonForm.REVIEW:
        return EvidenceReasonForm.REVIEW
    return EvidenceReasonForm.REGISTRATION


def _back(request: HttpRequest, registration):
    if _posted_from(request) == EvidenceReasonForm.REVIEW:
        return redirect("review:detail", registration.pk)
    return redirect("registrations:detail", registration.pk)


def evidence_section(
    request: HttpRequest, registration, *, back_to: str, stated_purpose: str = ""
) -> dict:
    """What ``_evidence.html`` needs on a page: the viewer's live grant (the files are shown
    under it) or, without one, the reason form that opens one. A query string opens nothing.
    With ``stated_purpose`` (an assigned reviewer's), the form states it: one click, no typing."""
    return {
        "viewing_grant": selectors.viewing_grant_live(user=request.user, registration=registration),
        "reason_form": EvidenceReasonForm(),
        "evidence_back_to": back_to,
        "stated_purpose": stated_purpose,
    }


@require_POST
@permission_required(Perm.VIEW_EVIDENCE)
@recent_second_factor_required
def evidence_grant_open(request: HttpRequest, pk) -> HttpResponse:
    """Open a viewing grant for the posted reason, then back to the page that shows it."""
    registration = selectors.evidence_registration_get(user=request.user, pk=pk)
    form = EvidenceReasonForm(request.POST)
    if form.is_valid():
        try:
            services.viewing_grant_open(
                registration=registration, viewer=request.user, reason=form.cleaned_data["reason"]
            )
        except PortalError as refused:
            add_to_form(form, refused)
        else:
            return _back(request, registration)
    # The reason is asked for again on a page of its own, with what was wrong at its field.
    message = _("The evidence was not opened: see the reason below.")
    back_to = _posted_from(request)
    context = {"reason_form": form, "registration": registration, "evidence_back_to": back_to}
    return _refused(request, message, status=400, **context)


@require_POST
@permission_required(Perm.VIEW_EVIDENCE)
def evidence_grant_end(request: HttpRequest, grant_pk) -> HttpResponse:
    """The viewer is done before the grant runs out: its links stop serving now."""
    try:
        grant = selectors.viewing_grant_get(user=request.user, pk=grant_pk)
    except VerificationError as refused:
        return _refused(request, refused.message, status=refused.status)
    services.viewing_grant_end(grant=grant)
    messages.success(request, _("Your leave to view the evidence has ended."))
    return _back(request, grant.registration)


@require_GET
@permission_required(Perm.VIEW_EVIDENCE)
def evidence_view(request: HttpRequest, grant_pk, pk) -> HttpResponse:
    """One file under a live grant of this viewer: the grant's event already covers it."""
    try:
        _grant, evidence = selectors.evidence_under_grant(
            user=request.user, grant_pk=grant_pk, pk=pk
        )
        if evidence.purged_at:
            return _refused(request, evidence.purge_note, status=410, title=_("Evidence deleted"))
        data = selectors.evidence_read(evidence)
    except VerificationError as refused:
        return _refused(request, refused.message, status=refused.status)
    except (EvidenceUnreadable, FileNotFoundError):
        # A key removed before rotation, or a file lost: say so and serve nothing.
        message = VerificationCode.EVIDENCE_UNAVAILABLE.label
        return _refused(request, message, status=503, title=_("Evidence unavailable"))
    response = HttpResponse(data, content_type=evidence.content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{_filename(evidence)}"'
    return response
