"""What an audit event may say about a person: masked personal data, never biometrics."""

from collections.abc import Callable
from datetime import date

from portal.lib.masking import (
    mask_completely,
    mask_email,
    mask_iccid,
    mask_id_number,
    mask_msisdn,
    mask_name,
)

MASKS: dict[str, Callable[[object], str]] = {
    "id_number": lambda value: mask_id_number(str(value)),
    "full_name": mask_name,
    "email": mask_email,
    "birth_date": mask_completely,
    "msisdn": mask_msisdn,
    "iccid": mask_iccid,
    "password": mask_completely,
}

BINARY_PLACEHOLDER = "<binary content omitted>"


def masked(field: str, value):
    """A value as the audit trail may hold it."""
    if value is None or value == "":
        return value
    if isinstance(value, bytes | bytearray | memoryview) or hasattr(value, "read"):
        return BINARY_PLACEHOLDER  # biometric media never enters the trail
    if field in MASKS:
        return MASKS[field](value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [masked(field, item) for item in value]
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def masked_changes(changes: dict[str, tuple]) -> dict[str, list]:
    """``{field: (before, after)}`` with every personal value masked."""
    return {
        field: [masked(field, before), masked(field, after)]
        for field, (before, after) in sorted(changes.items())
    }


def changed_fields(before: dict, after: dict) -> dict[str, tuple]:
    """The fields whose value differs, as ``{field: (before, after)}``."""
    return {
        field: (before.get(field), value)
        for field, value in after.items()
        if before.get(field) != value
    }
