"""The ministry's registration policy: the cap of numbers one ID may hold per operator, and
whether outlets may upload a recorded clip instead of a live capture."""

from django.conf import settings
from django.db import transaction

from portal.audit.actions import Action
from portal.audit.services import audit_record
from registrations.errors import RegistrationCode, RegistrationError
from registrations.models import RegistrationPolicy


def registration_cap() -> int:
    """The cap in force: the ministry's setting, or the deployment default."""
    cap = RegistrationPolicy.objects.filter(pk=1).values_list("cap_per_operator", flat=True).first()
    return cap or settings.REGISTRATION_CAP_PER_OPERATOR


def uploaded_captures_allowed() -> bool:
    """The ministry's switch for the capture page's upload fallback: on until it says no
    (the model's default). The deployment's VERIFICATION_ALLOW_UPLOADS may still forbid it."""
    allowed = (
        RegistrationPolicy.objects.filter(pk=1)
        .values_list("allow_uploaded_captures", flat=True)
        .first()
    )
    return allowed is not False


@transaction.atomic
def registration_policy_update(
    *, actor, cap_per_operator: int, allow_uploaded_captures: bool | None = None
) -> RegistrationPolicy:
    """Set the cap and, when given, the upload switch (None leaves it as it is). The switch
    is recorded in the audit event only when it changes."""
    if cap_per_operator < 1:
        raise RegistrationError(RegistrationCode.INVALID_CAP, field="cap_per_operator")
    changes = {"cap_per_operator": (registration_cap(), cap_per_operator)}
    values = {"cap_per_operator": cap_per_operator, "updated_by": actor}
    before = uploaded_captures_allowed()
    if allow_uploaded_captures is not None and allow_uploaded_captures != before:
        changes["allow_uploaded_captures"] = (before, allow_uploaded_captures)
        values["allow_uploaded_captures"] = allow_uploaded_captures
    policy, _ = RegistrationPolicy.objects.update_or_create(pk=1, defaults=values)
    audit_record(action=Action.POLICY_CHANGED, actor=actor, obj=policy, changes=changes)
    return policy
