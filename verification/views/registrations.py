"""What verification adds to a registration's page: its steps, attempts, evidence, and its
timeline grouped by attempt.

``registrations`` sits below this app and never imports it: the section is handed to its
detail page when this app is ready (see ``apps.py``).
"""

from django.http import HttpRequest

from portal.accounts.permissions import Perm, can
from registrations.models import Registration
from verification import selectors
from verification.errors import message_for
from verification.forms import EvidenceReasonForm
from verification.views.evidence import evidence_section


def registration_section(request: HttpRequest, registration: Registration) -> dict:
    case = selectors.evidence_case(user=request.user, registration=registration)
    context = {
        "verification": selectors.registration_verification(
            user=request.user, registration=registration
        ),
        # The automatic check's reasons as sentences (the codes mean nothing at a counter).
        "decision_reasons": [message_for(code) for code in registration.decision_reasons],
        "show_evidence": case is not None,
        "case": case,
    }
    if case is not None:
        context |= evidence_section(request, registration, back_to=EvidenceReasonForm.REGISTRATION)
    return context | timeline_section(request, registration)


def timeline_section(request: HttpRequest, registration: Registration) -> dict:
    """The registration's timeline grouped by attempt, for ``audit/_timeline.html``, to those
    who read the audit trail."""
    if not can(request.user, Perm.VIEW_AUDIT_TRAIL):
        return {}
    return {
        "show_timeline": True,
        "timeline_groups": selectors.registration_timeline(registration=registration),
    }
