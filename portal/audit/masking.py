"""What an audit event may say about a person: masked personal data, never biometrics."""

from collections.abc import Callable
from datetime import date

from registrations import rules


def mask_name(value: str) -> str:
    """Keep the first character only: "Wang Fang" -> "W********", "王芳" -> "王*"."""
    value = str(value)
    return value[:1] + "*" * max(len(value) - 1, 1) if value else ""


def mask_msisdn(value: str) -> str:
    """Keep the network prefix and the last four digits: "+86138****8000"."""
    value = str(value)
    return value[:-8] + "****" + value[-4:] if len(value) >= 8 else "*" * len(value)


def mask_iccid(value: str) -> str:
    value = str(value)
    return "*" * max(len(value) - 4, 0) + value[-4:]


def mask_completely(value) -> str:
    return "********"


MASKS: dict[str, Callable[[object], str]] = {
    "id_number": lambda value: rules.mask_id_number(str(value)),
    "full_name": mask_name,
    "first_name": mask_name,
    "last_name": mask_name,
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
