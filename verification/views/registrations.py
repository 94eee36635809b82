"""What verification adds to a registration's page: its steps, attempts and evidence.

``registrations`` sits below this app and never imports it: the section is handed to its
detail page when this app is ready (see ``apps.py``).
"""

from django.http import HttpRequest

from registrations.models import Registration
from verification import selectors
from verification.forms import EvidenceReasonForm
from verification.views.evidence import evidence_section


def registration_section(request: HttpRequest, registration: Registration) -> dict:
    case = selectors.evidence_case(user=request.user, registration=registration)
    context = {
        "verification": selectors.registration_verification(
            user=request.user, registration=registration
        ),
        "show_evidence": case is not None,
        "case": case,
    }
    if case is not None:
        context |= evidence_section(request, registration, back_to=EvidenceReasonForm.REGISTRATION)
    return context
