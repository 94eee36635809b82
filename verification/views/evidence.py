"""The one way biometric evidence reaches a person: an audited view with a stated reason.

The evidence storage has no URL. A row outside the viewer's scope is a 404, like a missing
one; the bytes are never cached by the browser or a proxy, and never logged.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.accounts import scoping
from portal.accounts.decorators import permission_required
from verification import evidence_services
from verification.models import BiometricEvidence
from verification.storage import EvidenceUnreadable

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "video/webm": "webm",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
}


def _evidence_in_scope(user, pk) -> BiometricEvidence:
    evidence = BiometricEvidence.objects.select_related("registration").filter(
        registration__in=scoping.registrations_with_evidence(user)
    )
    return scoping.get_in_scope_or_404(evidence, pk=pk)


def _filename(evidence: BiometricEvidence) -> str:
    extension = EXTENSIONS.get(evidence.content_type, "bin")
    return f"{evidence.kind}-{evidence.pk.hex[:8]}.{extension}"


@require_GET
@permission_required(scoping.VIEW_EVIDENCE)
def evidence_view(request: HttpRequest, pk) -> HttpResponse:
    evidence = _evidence_in_scope(request.user, pk)
    try:
        data = evidence_services.evidence_view(
            evidence=evidence, viewer=request.user, reason=request.GET.get("reason", "")
        )
    except evidence_services.ReasonRequired as refused:
        context = {"message": str(refused), "evidence": evidence}
        return render(request, "review/evidence_reason_required.html", context, status=400)
    except (EvidenceUnreadable, FileNotFoundError):
        # A key removed before rotation, or a file lost: say so, serve nothing, record nothing.
        context = {
            "message": "This file cannot be decrypted or is missing. Tell the portal's "
            "administrators (the evidence keys may have been rotated without it).",
            "evidence": evidence,
            "title": "Evidence unavailable",
        }
        return render(request, "review/evidence_reason_required.html", context, status=503)
    response = HttpResponse(data, content_type=evidence.content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{_filename(evidence)}"'
    return response
