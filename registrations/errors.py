"""The codes of every refusal about registrations, outlets and the registration policy.

The label is the default message; most rules give a more precise one when they refuse.
"""

from django.utils.translation import gettext_lazy as _

from portal.lib.errors import ErrorCode, PortalError


class RegistrationCode(ErrorCode):
    INVALID_ID_NUMBER = "invalid_id_number", _("Enter a valid ID number.")
    ID_CHECKSUM = (
        "id_checksum",
        _("The ID number's last character does not match the rest: check it was typed correctly."),
    )
    BIRTH_DATE_MISMATCH = (
        "birth_date_mismatch",
        _(
            "The date of birth entered is not the one in the ID number: check both against the "
            "ID card."
        ),
    )
    BIRTH_DATE_MISSING = (
        "birth_date_missing",
        _("Enter the date of birth: only a resident ID number holds it."),
    )
    ID_EXPIRED = "id_expired", _("This ID card has expired.")
    INVALID_MSISDN = "invalid_msisdn", _("This is not a mainland China mobile number.")
    INVALID_ICCID = "invalid_iccid", _("This is not a valid SIM card number (ICCID).")
    ICCID_CHECKSUM = (
        "iccid_checksum",
        _(
            "The SIM card number's last digit does not match the rest: "
            "check it was typed correctly."
        ),
    )
    MSISDN_IN_USE = (
        "msisdn_in_use",
        _("This number is already registered to someone: choose another number."),
    )
    CAP_REACHED = "cap_reached", _("This ID already holds the most numbers allowed.")
    NAME_MISMATCH = (
        "name_mismatch",
        _(
            "This ID number is on record under a different name: "
            "check the name against the ID card."
        ),
    )
    OUTLET_UNAVAILABLE = "outlet_unavailable", _("This outlet cannot take registrations.")
    CAPTURE_REQUIRED = (
        "capture_required",
        _(
            "At an outlet a registration is submitted by its live capture: upload the ID portrait, "
            "record the consent and make the capture."
        ),
    )
    PROVINCE_UNKNOWN = "province_unknown", _("Choose the subscriber's province.")
    INVALID_TRANSITION = "invalid_transition", _("This registration cannot do that now.")
    REASON_REQUIRED = "reason_required", _("Write the reason for the decision.")
    OWN_REGISTRATION = "own_registration", _("You cannot review a registration you submitted.")
    INVALID_CAP = "invalid_cap", _("The cap must be at least 1.")
    OUTLET_CODE_TAKEN = (
        "outlet_code_taken",
        _("Your operator already has an outlet with this code: choose another code."),
    )
    OUTLET_STATUS_UNKNOWN = "outlet_status_unknown", _("Unknown outlet status.")
    NOT_A_DRAFT = (
        "not_a_draft",
        _("This registration has been submitted: only a draft can be edited or discarded."),
    )
    DRAFT_EXISTS = (
        "draft_exists",
        _(
            "Another draft at this outlet already has this number or SIM card: "
            "open that draft, or discard it first."
        ),
    )
    CANCELLATION_REASON_REQUIRED = (
        "cancellation_reason_required",
        _("Choose why the number is given up."),
    )
    CANCELLATION_NOTE_REQUIRED = (
        "cancellation_note_required",
        _("Write why the number is given up."),
    )


class RegistrationError(PortalError):
    """A registration rule refused a write. Nothing was saved."""
