"""Every write of registrations: one module per noun, the public functions gathered here."""

from registrations.services.outlets import outlet_create, outlet_update
from registrations.services.policy import registration_cap, registration_policy_update
from registrations.services.registrations import (
    registration_cancel,
    registration_create,
    registration_decide,
    registration_review,
    registration_start_verification,
    registration_submit,
)
from registrations.services.subscribers import SubscriberDetails

__all__ = [
    "SubscriberDetails",
    "outlet_create",
    "outlet_update",
    "registration_cancel",
    "registration_cap",
    "registration_create",
    "registration_decide",
    "registration_policy_update",
    "registration_review",
    "registration_start_verification",
    "registration_submit",
]
