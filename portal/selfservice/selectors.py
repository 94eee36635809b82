"""What a signed-in subscriber may read: only what is registered under their own ID."""

from registrations.models import Registration, Subscriber

SHOWN_STATUSES = tuple(
    status
    for status in Registration.Status.values
    if status not in (Registration.Status.DRAFT, Registration.Status.DISCARDED)
)


def my_registrations(*, subscriber: Subscriber):
    """Every registration under the subscriber's ID, at every operator, newest first."""
    return (
        Registration.objects.filter(subscriber=subscriber, status__in=SHOWN_STATUSES)
        .select_related("operator", "outlet", "province")
        .order_by("-created_at")
    )


def last_four(msisdn: str) -> str:
    """``+8613800138000`` -> ``*******8000``: the number masked but for its last 4 digits."""
    national = msisdn[3:] if msisdn.startswith("+86") else msisdn
    return "*" * (len(national) - 4) + national[-4:]
