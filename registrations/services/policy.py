"""The ministry's registration policy: the cap of numbers one ID may hold per operator."""

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


@transaction.atomic
def registration_policy_update(*, actor, cap_per_operator: int) -> RegistrationPolicy:
    if cap_per_operator < 1:
        raise RegistrationError(RegistrationCode.INVALID_CAP, field="cap_per_operator")
    before = registration_cap()
    policy, _ = RegistrationPolicy.objects.update_or_create(
        pk=1, defaults={"cap_per_operator": cap_per_operator, "updated_by": actor}
    )
    audit_record(
        action=Action.POLICY_CHANGED,
        actor=actor,
        obj=policy,
        changes={"cap_per_operator": (before, cap_per_operator)},
    )
    return policy
