"""Sign-ins, failed sign-ins and sign-outs go to the audit trail."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from portal.audit.actions import Action
from portal.audit.services import audit_in_transaction
from portal.lib.masking import mask_name


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
    audit_in_transaction(action=Action.LOGIN_FAILED, actor=_attempted_label(attempted))


def _attempted_label(attempted: str) -> str:
    """An account's username as it is (not a secret); anything else typed, masked.

    What was typed may be a password in the wrong box or someone's phone number, so unless
    it names an existing account only its first character is kept, with fixed stars.
    """
    if not attempted:
        return "unknown"
    user_model = get_user_model()
    lookup = {user_model.USERNAME_FIELD: attempted}
    if user_model._default_manager.filter(**lookup).exists():
        return attempted
    return mask_name(attempted)
