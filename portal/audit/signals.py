"""Sign-ins, failed sign-ins and sign-outs go to the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from portal.audit.actions import Action
from portal.audit.services import audit_in_transaction


@receiver(user_logged_in, dispatch_uid="audit.login")
def record_login(sender, request, user, **kwargs):
    audit_in_transaction(action=Action.LOGIN, actor=user, obj=user, operator_id=user.operator_id)


@receiver(user_logged_out, dispatch_uid="audit.logout")
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_in_transaction(
            action=Action.LOGOUT, actor=user, obj=user, operator_id=user.operator_id
        )


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already removed the password from ``credentials``.
    attempted = str(credentials.get("username", ""))[:150]
    audit_in_transaction(action=Action.LOGIN_FAILED, actor=attempted or "unknown")
