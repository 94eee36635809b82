"""Legal holds: what pauses the retention rules of a registration's data.

The apps that know why a registration must be kept register a hold here (the subscriber's
open dispute, the ministry's open finding or notice); the purge leaves alone every
registration any hold names. Kept as a registry, not as rows copied from those apps, so a
hold ends the moment its reason does and cannot be forgotten open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from registrations.models import Registration


@dataclass(frozen=True)
class Hold:
    code: str
    label: str
    # The ids of the registrations on hold, as a query (a ``values_list(..., flat=True)``).
    registration_ids: Callable[[], QuerySet]


_HOLDS: dict[str, Hold] = {}


def hold_register(code: str, label, registration_ids: Callable[[], QuerySet]) -> None:
    _HOLDS[code] = Hold(code=code, label=label, registration_ids=registration_ids)


def holds() -> tuple[Hold, ...]:
    return tuple(_HOLDS.values())


def holds_on(registration_id) -> list[Hold]:
    """The holds that keep this registration's data now."""
    one = Registration.objects.filter(pk=registration_id)
    return [hold for hold in _HOLDS.values() if one.filter(pk__in=hold.registration_ids()).exists()]


def not_on_hold(registrations: QuerySet) -> QuerySet:
    """``registrations`` but those any hold keeps."""
    for hold in _HOLDS.values():
        registrations = registrations.exclude(pk__in=hold.registration_ids())
    return registrations
