"""What verification adds to a registration's page: its steps, attempts and evidence.

``registrations`` sits below this app and never imports it: the section is handed to its
detail page when this app is ready (see ``apps.py``).
"""

from django.http import HttpRequest

from registrations.models import Registration
from verification import selectors
from verification.forms import evidence_reason_form


def registration_section(request: HttpRequest, registration: Registration) -> dict:
    case = selectors.evidence_case(user=request.user, registration=registration)
    reason_form, evidence_reason = evidence_reason_form(request.GET)
    return {
        "verification": selectors.registration_verification(
            user=request.user, registration=registration
        ),
        "show_evidence": case is not None,
        "case": case,
        "reason_form": reason_form,
        "evidence_reason": evidence_reason,
    }
