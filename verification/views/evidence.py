"""The one way biometric evidence reaches a person: an audited view with a stated reason.

The evidence storage has no URL. A row outside the viewer's scope is a 404, like a missing
one; the bytes are never cached by the browser or a proxy, and never logged.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm
from verification import selectors, services
from verification.errors import VerificationCode, VerificationError
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


def _refused(request, evidence, message: str, *, status: int, title: str | None = None):
    context = {"message": message, "evidence": evidence, "title": title}
    return render(request, "verification/evidence_refused.html", context, status=status)


@require_GET
@permission_required(Perm.VIEW_EVIDENCE)
def evidence_view(request: HttpRequest, pk) -> HttpResponse:
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    try:
        data = services.evidence_view(
            evidence=evidence, viewer=request.user, reason=request.GET.get("reason", "")
        )
    except VerificationError as refused:
        return _refused(request, evidence, refused.message, status=refused.status)
    except (EvidenceUnreadable, FileNotFoundError):
        # A key removed before rotation, or a file lost: say so, serve nothing, record nothing.
        message = VerificationCode.EVIDENCE_UNAVAILABLE.label
        return _refused(request, evidence, message, status=503, title=_("Evidence unavailable"))
    response = HttpResponse(data, content_type=evidence.content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{_filename(evidence)}"'
    return response
