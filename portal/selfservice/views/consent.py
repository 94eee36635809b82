"""A registration's biometric consent as a receipt the person keeps (a page and a JSON
document), and its withdrawal for what the law does not require."""

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.selfservice import selectors
from portal.selfservice.receipts import consent_receipt
from portal.selfservice.session import subscriber_required
from verification.consent_notice import consent_notice
from verification.models import Consent
from verification.services import consent_withdraw


def _mine(request, pk):
    """The person's registration and its consent, or 404 (another's, or none recorded)."""
    registration = selectors.my_registrations(subscriber=request.subscriber).filter(pk=pk).first()
    consent = Consent.objects.filter(registration=registration).first() if registration else None
    if consent is None:
        raise Http404("No such consent")
    return registration, consent


@never_cache
@subscriber_required
def receipt(request, pk):
    registration, consent = _mine(request, pk)
    context = {
        "registration": registration,
        "consent": consent,
        "receipt": consent_receipt(registration=registration, consent=consent),
        "notice": consent_notice(consent.text_version, consent.language or None),
        "number": selectors.last_four(registration.msisdn),
    }
    return render(request, "selfservice/consent_receipt.html", context)


@never_cache
@subscriber_required
def receipt_json(request, pk):
    registration, consent = _mine(request, pk)
    body = consent_receipt(registration=registration, consent=consent)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="consent-receipt-{body["consentReceiptID"]}.json"'
    )
    return response


@subscriber_required
@require_POST
def withdraw(request, pk):
    registration, consent = _mine(request, pk)
    consent_withdraw(consent=consent)
    messages.success(
        request,
        _(
            "Your consent is withdrawn: the capture video and the key frames will be deleted. "
            "The registration itself stays, as the law requires."
        ),
    )
    return redirect("selfservice:receipt", pk=registration.pk)
