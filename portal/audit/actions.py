"""The fixed vocabulary of audited actions."""

from django.db import models


class Action(models.TextChoices):
    LOGIN = "auth.login", "Signed in"
    LOGIN_FAILED = "auth.login_failed", "Failed sign-in"
    LOGOUT = "auth.logout", "Signed out"

    REGISTRATION_CREATED = "registration.created", "Registration created"
    REGISTRATION_SUBMITTED = "registration.submitted", "Registration submitted"
    REGISTRATION_VERIFYING = "registration.verifying", "Verification started"
    REGISTRATION_DECIDED = "registration.decided", "Registration decided by verification"
    REGISTRATION_REVIEWED = "registration.reviewed", "Registration decided in review"
    REGISTRATION_CANCELLED = "registration.cancelled", "Registration cancelled"

    POLICY_CHANGED = "policy.changed", "Registration policy changed"
    OPERATOR_CREATED = "operator.created", "Operator created"
    OPERATOR_CHANGED = "operator.changed", "Operator changed"
    OUTLET_CREATED = "outlet.created", "Outlet created"
    OUTLET_CHANGED = "outlet.changed", "Outlet changed"
    USER_CREATED = "user.created", "Account created"
    USER_CHANGED = "user.changed", "Account changed"
    ROLE_CHANGED = "user.role_changed", "Role changed"
    SCOPE_CHANGED = "user.scope_changed", "Scope changed"

    CONSENT_RECORDED = "verification.consent_recorded", "Biometric consent recorded"
    EVIDENCE_STORED = "evidence.stored", "Biometric evidence stored"
    VERIFICATION_QUEUED = "verification.queued", "Verification queued"
    VERIFICATION_COMPLETED = "verification.completed", "Verification completed"
    VERIFICATION_REQUEUED = "verification.requeued", "Stuck verification queued again"
    REVIEWER_APPOINTED = "user.reviewer_changed", "Reviewer appointment changed"

    EVIDENCE_VIEWED = "evidence.viewed", "Biometric evidence viewed"
    EVIDENCE_DOWNLOADED = "evidence.downloaded", "Biometric evidence downloaded"
    EXPORTED = "data.exported", "Data exported"
    DEMO_DATA_LOADED = "system.demo_data_loaded", "Demo data loaded"


# Looking at someone's biometrics always needs a stated reason.
ACTIONS_REQUIRING_REASON = frozenset({Action.EVIDENCE_VIEWED, Action.EVIDENCE_DOWNLOADED})
