"""Every write of registrations: one module per noun, the public functions gathered here."""

from registrations.services.drafts import (
    DraftOpened,
    registration_discard,
    registration_draft_open,
    registration_draft_update,
)
from registrations.services.outlets import outlet_create, outlet_row_lock, outlet_update
from registrations.services.policy import registration_cap, registration_policy_update
from registrations.services.registrations import (
    refused_step,
    registration_cancel,
    registration_create,
    registration_decide,
    registration_review,
    registration_start_verification,
    registration_submit,
    registration_viewed,
)
from registrations.services.search import registration_search_record
from registrations.services.subscribers import SubscriberDetails

__all__ = [
    "DraftOpened",
    "SubscriberDetails",
    "outlet_create",
    "outlet_row_lock",
    "outlet_update",
    "registration_cancel",
    "registration_viewed",
    "registration_cap",
    "registration_create",
    "registration_decide",
    "registration_discard",
    "registration_draft_open",
    "registration_draft_update",
    "registration_policy_update",
    "registration_review",
    "registration_search_record",
    "registration_start_verification",
    "registration_submit",
    "refused_step",
]
