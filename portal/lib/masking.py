"""How personal data is shown when it must be shown at all: masked, the same everywhere.

Pure functions on strings, used by the pages, the audit trail and the exports.
"""


def mask_id_number(id_number: str) -> str:
    """Hide an ID number for display and records: "110105********1234"."""
    # A resident ID keeps its area code and last four, the audit format the ministry uses;
    # the birth date in the middle is always hidden. Other documents (passports, permits)
    # keep two characters at each end, and very short ones are hidden entirely.
    if len(id_number) == 18:
        return id_number[:6] + "*" * 8 + id_number[-4:]
    if len(id_number) < 8:
        return "*" * len(id_number)
    return id_number[:2] + "*" * (len(id_number) - 4) + id_number[-2:]


def mask_name(value: str) -> str:
    """Keep the first character only, then a fixed "**": "Wang Fang" -> "W**", "王芳" -> "王**".

    The stars do not follow the length, which would tell a two-character name from a longer
    one (and a short typed secret from a long one).
    """
    value = str(value) if value else ""  # None: a name deleted under its retention rule
    return value[:1] + "**" if value else ""


def mask_email(value: str) -> str:
    """Keep the first character of the local part and the domain: "w*****@example.cn".

    The stars are fixed, like a name's; text without an "@" is masked the same way.
    """
    value = str(value)
    if not value:
        return ""
    local, at, domain = value.rpartition("@")
    if not at:
        return value[:1] + "*****"
    return local[:1] + "*****@" + domain


def mask_msisdn(value: str) -> str:
    """Keep the network prefix and the last four digits: "+86138****8000"."""
    value = str(value)
    return value[:-8] + "****" + value[-4:] if len(value) >= 8 else "*" * len(value)


def mask_iccid(value: str) -> str:
    value = str(value)
    return "*" * max(len(value) - 4, 0) + value[-4:]


def mask_completely(value) -> str:
    return "********"
