"""Every permission the portal checks, by name, and the predicates built on them.

Views, services and templates ask "may this user do X?" with one of these names, never with
a role: which role holds which permission is ``roles.py``'s business alone. Two kinds:

- permissions a role holds everywhere (Django model permissions, granted to the role's group);
- grants on objects (django-guardian), which decide *scope*: which operator, outlet or
  province a user's rows come from (see ``scoping.py``).

A test fails when a permission granted in ``roles.py`` is checked nowhere, or one checked here
is granted to nobody.
"""

from enum import StrEnum


class Perm(StrEnum):
    # Pages at all: every role but the API partner's service accounts.
    USE_PAGES = "accounts.use_pages"
    USE_ADMIN_SITE = "accounts.use_admin_site"

    VIEW_REGISTRATION = "registrations.view_registration"
    ADD_REGISTRATION = "registrations.add_registration"
    SUBMIT_REGISTRATION = "registrations.submit_registration"
    REVIEW_REGISTRATION = "registrations.review_registration"
    CANCEL_REGISTRATION = "registrations.cancel_registration"
    MANAGE_OUTLETS = "registrations.manage_outlets"
    MANAGE_STAFF = "accounts.manage_staff"
    CHANGE_POLICY = "registrations.change_registrationpolicy"
    VIEW_AUDIT_TRAIL = "audit.view_auditevent"
    VIEW_EVIDENCE = "verification.view_biometricevidence"
    MANAGE_API_KEYS = "api.manage_api_keys"
    VIEW_WEBHOOKS = "api.view_webhookendpoint"
    MANAGE_WEBHOOKS = "api.change_webhookendpoint"
    # The ministry side (portal.supervision), and the carrier admin's side of it.
    VIEW_SUPERVISION = "supervision.view_dashboard"
    MANAGE_RISK_ALERTS = "supervision.manage_risk_alerts"
    RUN_SPOT_CHECKS = "supervision.run_spot_checks"
    ISSUE_NOTICES = "supervision.issue_notices"
    ANSWER_NOTICES = "supervision.answer_notices"
    # A subscriber's "not mine" on a registration, handled by the operator's carrier admins.
    HANDLE_DISPUTES = "selfservice.handle_disputes"
    # An inspector holds the notices to a person for an investigation (portal.selfservice).
    DEFER_NOTICES = "selfservice.defer_notices"
    # The ministry's list of subscribers' disputes past their deadline, in its provinces.
    VIEW_OVERDUE_DISPUTES = "selfservice.view_overdue_disputes"
    # The inspectors' read-only pages of the outlets and outlet staff in their scope.
    VIEW_OUTLET_DIRECTORY = "supervision.view_outlet_directory"


class Grant(StrEnum):
    """Object-level grants: held on one operator, outlet or province (or, for inspectors,
    globally, meaning the whole nation)."""

    INSPECT_PROVINCE = "registrations.inspect_province"
    MANAGE_OPERATOR = "registrations.manage_operator"
    USE_PARTNER_API = "registrations.use_partner_api"
    WORK_AT_OUTLET = "registrations.work_at_outlet"


def can(user, perm: Perm) -> bool:
    """Whether an active, signed-in user holds ``perm``."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return user.is_superuser or perm in _permissions_held(user)


def _permissions_held(user) -> frozenset[str]:
    """The user's permissions from every backend, asked once per user object (a page asks
    dozens of times: each link of the navigation), as ``has_perm`` would ask each backend
    each time; the backends cache on the same object, so a change shows on the next request."""
    held = getattr(user, "_portal_permissions", None)
    if held is None:
        held = user._portal_permissions = frozenset(user.get_all_permissions())
    return held


def can_use_pages(user, perm: Perm) -> bool:
    """The web pages' check: a person's account (not a service account) holding ``perm``."""
    return can(user, Perm.USE_PAGES) and can(user, perm)


def can_review(user, registration) -> bool:
    """Whether ``user`` may decide ``registration`` in manual review, if it is in review.

    The review queue (``registrations.scoping.registrations_for_review``) decides which cases
    a reviewer reaches; this adds that nobody decides a registration they submitted, and
    ``verification.selectors.review_conflict`` that nobody decides one they took part in.
    """
    return can(user, Perm.REVIEW_REGISTRATION) and registration.created_by_id != user.pk


def can_view_evidence(user, registration) -> bool:
    """Whether ``user`` may look at the biometric evidence of ``registration``, one they
    reached through scoping (``verification.selectors.registrations_with_evidence``).

    Always with a stated reason, recorded in the audit trail.
    """
    del registration  # its scope was decided when it was fetched; the rule is the same for all
    return can(user, Perm.VIEW_EVIDENCE)


# Whoever holds one of these sees biometrics, decides cases or runs accounts and the rules:
# the ministry admin, inspectors, carrier admins and appointed reviewers.
PERMISSIONS_NEEDING_A_SECOND_FACTOR = (
    Perm.USE_ADMIN_SITE,
    Perm.VIEW_EVIDENCE,
    Perm.REVIEW_REGISTRATION,
    Perm.MANAGE_STAFF,
    Perm.VIEW_AUDIT_TRAIL,
)


def second_factor_required(user) -> bool:
    """Whether ``user`` must sign in with a second factor (others may enrol one)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return any(user.has_perm(perm) for perm in PERMISSIONS_NEEDING_A_SECOND_FACTOR)
