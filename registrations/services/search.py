"""A search of the registration list, recorded: who looked for which number, masked."""

from django.db import transaction

from portal.audit.actions import Action
from portal.audit.services import audit_record
from registrations.search import SearchTerm


@transaction.atomic
def registration_search_record(*, actor, term: SearchTerm, found: int) -> None:
    """Record one search in the audit trail: the kind of term, the term masked (a
    ``SearchTerm`` holds no ID number in clear), and how many registrations it found."""
    audit_record(
        action=Action.REGISTRATIONS_SEARCHED,
        actor=actor,
        object_type="registration",
        operator_id=actor.operator_id,
        changes={
            "kind": (None, str(term.kind)),
            "term": (None, term.masked),
            "found": (None, found),
        },
    )
