"""Sign-ins, failed sign-ins, lockouts and sign-outs go to the audit trail."""

from collections.abc import Callable

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from portal.audit.actions import Action
from portal.audit.context import current_request_meta
from portal.audit.models import AuditEvent
from portal.audit.services import audit_in_transaction
from portal.lib.masking import mask_name

# Who says which province an account's sign-ins are about (for that province's inspectors):
# the audit trail knows nothing of outlets, so the accounts app adds its answer when ready.
ACCOUNT_PROVINCE: list[Callable[[object], str]] = []


def _province_of(user) -> str:
    return next((code for answer in ACCOUNT_PROVINCE if (code := answer(user))), "")


@receiver(user_logged_in, dispatch_uid="audit.login")
def record_login(sender, request, user, **kwargs):
    audit_in_transaction(
        action=Action.LOGIN,
        actor=user,
        obj=user,
        operator_id=user.operator_id,
        province_code=_province_of(user),
    )


@receiver(user_logged_out, dispatch_uid="audit.logout")
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_in_transaction(
            action=Action.LOGOUT,
            actor=user,
            obj=user,
            operator_id=user.operator_id,
            province_code=_province_of(user),
        )


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already removed the password from ``credentials``.
    attempted = str(credentials.get("username", ""))[:150]
    _record_once_per_window(Action.LOGIN_FAILED, _attempted_label(attempted))


@receiver(user_locked_out, dispatch_uid="audit.locked_out")
def record_locked_out(sender, request=None, username=None, **kwargs):
    # axes says this again for every try during the lock: the first one is the news.
    _record_once_per_window(Action.LOCKED_OUT, _attempted_label(str(username or "")[:150]))


def _record_once_per_window(action: Action, label: str) -> None:
    """One event per account (as labelled) and address per lockout window, however many
    tries: a script hammering the sign-in page cannot grow the audit trail without limit."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    address = current_request_meta().ip_address
    if address and ":" in address:
        address = clean_ipv6_address(address)  # as the trail stores it
    recorded = AuditEvent.objects.filter(
        action=action, actor_type="anonymous", actor_label=label, occurred_at__gte=since
    )
    if address:
        recorded = recorded.filter(ip_address=address)
    else:
        recorded = recorded.filter(ip_address__isnull=True)
    if not recorded.exists():
        audit_in_transaction(action=action, actor=label)


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
