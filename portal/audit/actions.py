"""The fixed vocabulary of audited actions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "auth.login", _("Signed in")
    LOGIN_FAILED = "auth.login_failed", _("Failed sign-in")
    LOGOUT = "auth.logout", _("Signed out")
    LOCKED_OUT = "auth.locked_out", _("Sign-in locked after repeated failures")
    SESSION_EXPIRED = "auth.session_expired", _("Session ended for inactivity")
    SECOND_FACTOR_VERIFIED = "auth.second_factor_verified", _("Second factor verified")
    SECOND_FACTOR_FAILED = "auth.second_factor_failed", _("Wrong second-factor code")
    DEVICE_ADDED = "auth.device_added", _("Second-factor device added")
    DEVICE_REMOVED = "auth.device_removed", _("Second-factor device removed")
    BACKUP_CODES_ISSUED = "auth.backup_codes_issued", _("Backup codes issued")

    REGISTRATION_CREATED = "registration.created", _("Registration created")
    REGISTRATION_SUBMITTED = "registration.submitted", _("Registration submitted")
    REGISTRATION_VERIFYING = "registration.verifying", _("Verification started")
    REGISTRATION_DECIDED = "registration.decided", _("Registration decided by verification")
    REGISTRATION_REVIEWED = "registration.reviewed", _("Registration decided in review")
    REGISTRATION_CANCELLED = "registration.cancelled", _("Registration cancelled")
    REGISTRATION_EDITED = "registration.edited", _("Draft registration edited")
    REGISTRATION_DISCARDED = "registration.discarded", _("Draft registration discarded")
    REGISTRATIONS_SEARCHED = "registration.searched", _("Registrations searched")
    REGISTRATION_VIEWED = "registration.viewed", _("Registration page viewed")

    POLICY_CHANGED = "policy.changed", _("Registration policy changed")
    OPERATOR_CREATED = "operator.created", _("Operator created")
    OPERATOR_CHANGED = "operator.changed", _("Operator changed")
    OUTLET_CREATED = "outlet.created", _("Outlet created")
    OUTLET_CHANGED = "outlet.changed", _("Outlet changed")
    USER_CREATED = "user.created", _("Account created")
    USER_CHANGED = "user.changed", _("Account changed")
    ROLE_CHANGED = "user.role_changed", _("Role changed")
    SCOPE_CHANGED = "user.scope_changed", _("Scope changed")
    PASSWORD_RESET_ISSUED = "user.password_reset_issued", _("Password reset link issued")
    API_KEY_CREATED = "api_key.created", _("API key created")
    API_KEY_REVOKED = "api_key.revoked", _("API key revoked")
    WEBHOOK_ENDPOINT_CREATED = "webhook.endpoint_created", _("Webhook endpoint added")
    WEBHOOK_ENDPOINT_CHANGED = "webhook.endpoint_changed", _("Webhook endpoint changed")
    WEBHOOK_ENDPOINT_DELETED = "webhook.endpoint_deleted", _("Webhook endpoint removed")
    WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated", _("Webhook signing secret rotated")
    WEBHOOK_ENDPOINT_DISABLED = "webhook.endpoint_disabled", _("Webhook endpoint disabled")
    WEBHOOK_REDELIVERED = "webhook.redelivered", _("Webhook message sent again")

    CHALLENGE_ISSUED = "verification.challenge_issued", _("Liveness challenge issued")
    CONSENT_RECORDED = "verification.consent_recorded", _("Biometric consent recorded")
    CONSENT_WITHDRAWN = "verification.consent_withdrawn", _("Biometric consent withdrawn")
    EVIDENCE_STORED = "evidence.stored", _("Biometric evidence stored")
    EVIDENCE_PURGED = "evidence.purged", _("Data deleted under the retention rules")
    VERIFICATION_QUEUED = "verification.queued", _("Verification queued")
    VERIFICATION_COMPLETED = "verification.completed", _("Verification completed")
    VERIFICATION_REQUEUED = "verification.requeued", _("Stuck verification queued again")
    REVIEWER_APPOINTED = "user.reviewer_changed", _("Reviewer appointment changed")

    # The ministry's supervision (portal.supervision).
    RISK_ALERT_RAISED = "risk_alert.raised", _("Risk alert raised")
    RISK_ALERT_CHANGED = "risk_alert.changed", _("Risk alert changed")
    SPOT_CHECK_CREATED = "spot_check.created", _("Spot check defined and drawn")
    SPOT_CHECK_ADJUDICATED = "spot_check.adjudicated", _("Spot check sample re-adjudicated")
    SPOT_CHECK_CLOSED = "spot_check.closed", _("Spot check closed")
    FINDING_RECORDED = "finding.recorded", _("Finding recorded")
    FINDING_CHANGED = "finding.changed", _("Finding changed")
    NOTICE_ISSUED = "notice.issued", _("Rectification notice issued")
    NOTICE_ANSWERED = "notice.answered", _("Rectification notice answered")
    NOTICE_ACCEPTED = "notice.accepted", _("Rectification notice accepted")
    NOTICE_REOPENED = "notice.reopened", _("Rectification notice reopened")
    ROLLUPS_REBUILT = "supervision.rollups_rebuilt", _("Supervision figures recomputed")

    # The subscriber's own side (portal.selfservice).
    SUBSCRIBER_CODE_SENT = "subscriber.code_sent", _("Sign-in code sent to a subscriber")
    SUBSCRIBER_SIGNED_IN = "subscriber.signed_in", _("Subscriber signed in")
    SUBSCRIBER_SIGN_IN_FAILED = "subscriber.sign_in_failed", _("Wrong sign-in code of a subscriber")
    SUBSCRIBER_SIGNED_OUT = "subscriber.signed_out", _("Subscriber signed out")
    SUBSCRIBER_NUMBERS_VIEWED = "subscriber.numbers_viewed", _("Subscriber looked at their numbers")
    NOTICES_DEFERRED = "subscriber.notices_deferred", _("Notices to a subscriber deferred")
    DISPUTE_OPENED = "dispute.opened", _("Subscriber disputed a registration")
    DISPUTE_UPHELD = "dispute.upheld", _("Dispute upheld by the operator")
    DISPUTE_ANSWERED = "dispute.answered", _("Dispute answered by the operator")

    EVIDENCE_VIEWED = "evidence.viewed", _("Biometric evidence viewed")
    VIEWING_GRANT_OPENED = "evidence.grant_opened", _("Leave to view biometric evidence opened")
    EVIDENCE_DOWNLOADED = "evidence.downloaded", _("Biometric evidence downloaded")
    EXPORTED = "data.exported", _("Data exported")
    DEMO_DATA_LOADED = "system.demo_data_loaded", _("Demo data loaded")


# Looking at someone's biometrics always needs a stated reason.
ACTIONS_REQUIRING_REASON = frozenset(
    {Action.EVIDENCE_VIEWED, Action.EVIDENCE_DOWNLOADED, Action.VIEWING_GRANT_OPENED}
)
