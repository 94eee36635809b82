"""The subscriber behind a registration: one row per ID document, checked and kept current."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from registrations import rules
from registrations.errors import RegistrationCode as Code
from registrations.errors import RegistrationError
from registrations.models import Subscriber


@dataclass(frozen=True)
class SubscriberDetails:
    id_type: str
    id_number: str
    full_name: str
    birth_date: date | None  # read from a resident ID number when not given
    id_expiry: date | None

    def birth_date_for(self, id_number: str) -> date | None:
        """The date typed, or for a resident ID the one its number holds."""
        if self.birth_date is None and self.id_type == Subscriber.IdType.RESIDENT_ID:
            try:
                return rules.birth_date_from_resident_id(id_number)
            except RegistrationError:
                return None  # the number itself is refused, with its own message
        return self.birth_date


def validated_subscriber(details: SubscriberDetails, *, today: date) -> tuple[str, list]:
    """Normalize the ID number and collect every rule it breaks."""
    violations: list[RegistrationError] = []
    id_number = details.id_number.strip().upper()
    if details.id_type == Subscriber.IdType.RESIDENT_ID:
        try:
            id_number = rules.validate_resident_id(
                id_number, birth_date=details.birth_date, today=today
            )
        except RegistrationError as violation:
            violations.append(violation)
    else:
        if not id_number:
            violations.append(
                RegistrationError(
                    Code.INVALID_ID_NUMBER, _("Enter the ID number."), field="id_number"
                )
            )
        if details.birth_date is None:
            violations.append(
                RegistrationError(
                    Code.BIRTH_DATE_MISSING,
                    _("Enter the date of birth as it is on the passport or permit."),
                    field="birth_date",
                )
            )
    try:
        rules.validate_id_not_expired(details.id_expiry, today=today)
    except RegistrationError as violation:
        violations.append(violation)
    return id_number, violations


def subscriber_for(details: SubscriberDetails, id_number: str) -> Subscriber:
    """The locked subscriber row for an ID (created on first use); a name that differs from
    the one on record is refused."""
    # Found by its blind index: the number itself is sealed and cannot be compared in SQL.
    subscriber, created = Subscriber.objects.select_for_update().get_or_create(
        id_type=details.id_type,
        id_number_index=Subscriber.id_number_index_for(id_number),
        defaults={
            "id_number": id_number,
            "full_name": details.full_name.strip(),
            "birth_date": details.birth_date_for(id_number),
            "id_expiry": details.id_expiry,
        },
    )
    if created:
        return subscriber
    if subscriber.full_name != details.full_name.strip():
        raise RegistrationError(Code.NAME_MISMATCH, field="full_name")
    if subscriber.id_expiry != details.id_expiry:
        # A renewed card: keep the record current.
        subscriber.id_expiry = details.id_expiry
        subscriber.save(update_fields=["id_expiry"])
    return subscriber
