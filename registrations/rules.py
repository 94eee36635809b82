"""Registration rules for real-name SIM registration, as pure functions.

Nothing here touches the database (only Django's translation of the messages), so the rules
can be tested exhaustively and reused by forms, API serializers, model constraints and
demo-data scripts alike. A broken rule raises ``RegistrationError`` with its code.
"""

from __future__ import annotations

import operator
import re
from datetime import date

from django.utils.translation import gettext as _

from registrations.errors import RegistrationCode as Code
from registrations.errors import RegistrationError

__all__ = [
    "ICCID_PATTERN",
    "MSISDN_E164_PATTERN",
    "RESIDENT_ID_PATTERN",
    "birth_date_from_resident_id",
    "check_cap",
    "is_luhn_valid",
    "luhn_check_digit",
    "make_iccid",
    "make_resident_id",
    "display_msisdn",
    "national_msisdn",
    "normalize_msisdn",
    "normalize_resident_id",
    "province_code_from_resident_id",
    "resident_id_check_digit",
    "sex_from_resident_id",
    "validate_iccid",
    "validate_id_not_expired",
    "validate_resident_id",
]

RESIDENT_ID_PATTERN = r"^\d{17}[\dX]$"
MSISDN_E164_PATTERN = r"^\+861[3-9]\d{9}$"
ICCID_PATTERN = r"^89\d{17,18}$"

# re.ASCII: in Python `\d` would otherwise accept Arabic-Indic and other Unicode digits,
# which the database patterns and every downstream system would reject.
_RESIDENT_ID_RE = re.compile(RESIDENT_ID_PATTERN, re.ASCII)
_MSISDN_E164_RE = re.compile(MSISDN_E164_PATTERN, re.ASCII)
_ICCID_RE = re.compile(ICCID_PATTERN, re.ASCII)
_NATIONAL_MSISDN_RE = re.compile(r"1[3-9]\d{9}", re.ASCII)
_DIGITS_RE = re.compile(r"\d+", re.ASCII)
_MSISDN_SEPARATORS_RE = re.compile(r"[\s\-]")

# GB 11643 does not cover people born before 1900, so such a date means a typing error.
_EARLIEST_BIRTH_DATE = date(1900, 1, 1)

# GB 11643 weights: 2^(17-i) mod 11 for the digit at (0-based) position i.
_RESIDENT_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


def _invalid_id(message: str) -> RegistrationError:
    return RegistrationError(Code.INVALID_ID_NUMBER, message, field="id_number")


def _not_eighteen_characters() -> RegistrationError:
    return _invalid_id(
        _("An ID number has 18 characters: 17 digits, then a digit or the letter X.")
    )


def resident_id_check_digit(first17: str) -> str:
    """Check character (0-9 or X) for the first 17 digits of a resident ID (ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not _DIGITS_RE.fullmatch(first17):
        raise ValueError("expected exactly 17 ASCII digits")
    total = sum(map(operator.mul, map(int, first17), _RESIDENT_ID_WEIGHTS))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def normalize_resident_id(raw: str) -> str:
    """Remove whitespace and upper-case a trailing x; does not validate."""
    # Numbers are often copied in groups ("110105 19491231 002X"), and the check
    # character is often typed as a lower-case x.
    compact = "".join(raw.split())
    if compact.endswith("x"):
        compact = compact[:-1] + "X"
    return compact


def _embedded_birth_date(id_number: str) -> date:
    digits = id_number[6:14]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise _invalid_id(
            _(
                "The date of birth inside the ID number (%(date)s) is not a real date: "
                "check the ID number was typed correctly."
            )
            % {"date": f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"}
        ) from None


def validate_resident_id(id_number: str, *, birth_date: date | None = None, today: date) -> str:
    """Check an 18-character resident ID number and return it normalized."""
    number = normalize_resident_id(id_number)
    if not _RESIDENT_ID_RE.fullmatch(number):
        raise _not_eighteen_characters()
    # The checksum is checked before the embedded date because a single mistyped digit is
    # the likeliest error, and the checksum message tells the assistant exactly that.
    if resident_id_check_digit(number[:17]) != number[17]:
        raise RegistrationError(Code.ID_CHECKSUM, field="id_number")
    embedded = _embedded_birth_date(number)
    if embedded > today:
        raise _invalid_id(
            _(
                "The date of birth inside the ID number (%(date)s) is in the future: "
                "check the ID number was typed correctly."
            )
            % {"date": embedded.isoformat()}
        )
    if embedded < _EARLIEST_BIRTH_DATE:
        raise _invalid_id(
            _(
                "The date of birth inside the ID number (%(date)s) is before 1900: "
                "check the ID number was typed correctly."
            )
            % {"date": embedded.isoformat()}
        )
    if birth_date is not None and birth_date != embedded:
        raise RegistrationError(
            Code.BIRTH_DATE_MISMATCH,
            _(
                "The date of birth entered (%(entered)s) is not the one in the ID number "
                "(%(embedded)s): check both against the ID card."
            )
            % {"entered": birth_date.isoformat(), "embedded": embedded.isoformat()},
            field="birth_date",
        )
    return number


def birth_date_from_resident_id(id_number: str) -> date:
    """Date of birth embedded in a resident ID (characters 7-14, YYYYMMDD)."""
    number = normalize_resident_id(id_number)
    if not _RESIDENT_ID_RE.fullmatch(number):
        raise _not_eighteen_characters()
    return _embedded_birth_date(number)


def sex_from_resident_id(id_number: str) -> str | None:
    """ "male" or "female" from the 17th character of a resident ID number (odd: male,
    even: female), None when the number is not 18 characters."""
    number = normalize_resident_id(id_number)
    if not _RESIDENT_ID_RE.fullmatch(number):
        return None
    return "male" if int(number[16]) % 2 else "female"


def province_code_from_resident_id(id_number: str) -> str:
    """GB/T 2260 provincial code of the issuing area, e.g. "440000"."""
    number = normalize_resident_id(id_number)
    if not _RESIDENT_ID_RE.fullmatch(number):
        raise _not_eighteen_characters()
    return number[:2] + "0000"


def validate_id_not_expired(expiry: date | None, *, today: date) -> None:
    """Refuse an ID card whose validity ended before today; None means long-term (长期)."""
    # The expiry printed on the card is the last valid day, so expiring today is still fine.
    if expiry is not None and expiry < today:
        raise RegistrationError(
            Code.ID_EXPIRED,
            _("This ID card expired on %(date)s. The customer needs a valid ID card to register.")
            % {"date": expiry.isoformat()},
            field="id_expiry",
        )


def normalize_msisdn(raw: str) -> str:
    """Turn a mainland China mobile number in any common format into E.164 (+86...)."""
    compact = _MSISDN_SEPARATORS_RE.sub("", raw)
    if compact.startswith("+"):
        national = compact[3:] if compact.startswith("+86") else ""
    elif compact.startswith("0086"):
        national = compact[4:]
    elif compact.startswith("86"):
        # A national mobile number always starts with 1, so a leading 86 can only be the
        # country code typed without + or 00.
        national = compact[2:]
    else:
        national = compact
    if not _NATIONAL_MSISDN_RE.fullmatch(national):
        raise RegistrationError(
            Code.INVALID_MSISDN,
            _(
                "This is not a mainland China mobile number: it should have 11 digits "
                "and start with 13 to 19, e.g. 138 1234 5678."
            ),
            field="msisdn",
        )
    return "+86" + national


def display_msisdn(e164: str) -> str:
    """A mobile number as every page shows it: 3, 4 and 4 digits (``138 0013 8000``), the way
    it is read out and printed on Chinese SIM packs; a masked number keeps its stars in place
    (``138 **** 8000``)."""
    national = e164[3:] if e164.startswith("+86") else e164
    if len(national) != 11:
        return national
    return f"{national[:3]} {national[3:7]} {national[7:]}"


def national_msisdn(e164: str) -> str:
    """The 11-digit national form of an E.164 number, for display."""
    if not _MSISDN_E164_RE.fullmatch(e164):
        raise RegistrationError(
            Code.INVALID_MSISDN,
            _("This is not a mainland China mobile number in +86 format."),
            field="msisdn",
        )
    return e164[3:]


# Each digit replaced by the digits of its double summed (Luhn): 5 -> 10 -> 1.
_LUHN_DOUBLED = str.maketrans("0123456789", "0246813579")


def _digit_sum(digits: str) -> int:
    # The ASCII codes summed at C speed, less '0' for each: summing int(c) for every
    # character made the check digit a tenth of the cost of a demo registration.
    return sum(digits.encode("ascii")) - 48 * len(digits)


def _luhn_sum(digits: str, *, double_first: bool) -> int:
    # From the right, every second digit is doubled: the rightmost one if double_first.
    from_right = digits[::-1]
    doubled, plain = (
        (from_right[0::2], from_right[1::2])
        if double_first
        else (from_right[1::2], from_right[0::2])
    )
    return _digit_sum(plain) + _digit_sum(doubled.translate(_LUHN_DOUBLED))


def luhn_check_digit(payload: str) -> str:
    """The digit that, appended to `payload`, makes a Luhn-valid number."""
    if not _DIGITS_RE.fullmatch(payload):
        raise ValueError("expected one or more ASCII digits")
    # The rightmost payload digit sits next to the check digit, so it is doubled.
    return str(-_luhn_sum(payload, double_first=True) % 10)


def is_luhn_valid(number: str) -> bool:
    """Whether `number` (digits only, check digit last) passes the Luhn check."""
    if len(number) < 2 or not _DIGITS_RE.fullmatch(number):
        return False
    return _luhn_sum(number, double_first=False) % 10 == 0


def validate_iccid(raw: str) -> str:
    """Check a SIM card's ICCID (19-20 digits, starting 89, Luhn check digit) and return it."""
    digits = "".join(raw.split())
    if not _ICCID_RE.fullmatch(digits):
        raise RegistrationError(
            Code.INVALID_ICCID,
            _(
                "A SIM card number (ICCID) has 19 or 20 digits and starts with 89: "
                "copy it from the SIM card or its packaging."
            ),
            field="iccid",
        )
    if not is_luhn_valid(digits):
        raise RegistrationError(Code.ICCID_CHECKSUM, field="iccid")
    return digits


def check_cap(*, holding_count: int, cap: int) -> None:
    """Refuse another registration once an ID holds `cap` pending or active numbers."""
    if holding_count >= cap:
        raise RegistrationError(
            Code.CAP_REACHED,
            _(
                "This ID already has %(count)d numbers with this operator, and the most allowed "
                "is %(cap)d. A number must be cancelled before another can be registered."
            )
            % {"count": holding_count, "cap": cap},
        )


def make_resident_id(*, area_code: str, birth_date: date, sequence: int) -> str:
    """Build a well-formed 18-character resident ID with a correct check digit.

    Does not check the birth date against today: callers pick realistic dates.
    """
    if len(area_code) != 6 or not _DIGITS_RE.fullmatch(area_code):
        raise ValueError("area_code must be 6 ASCII digits")
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be between 0 and 999")
    # Formatted by hand because strftime("%Y") does not zero-pad years before 1000 everywhere.
    first17 = (
        f"{area_code}{birth_date.year:04d}{birth_date.month:02d}{birth_date.day:02d}{sequence:03d}"
    )
    return first17 + resident_id_check_digit(first17)


def make_iccid(*, body: str) -> str:
    """Append the Luhn check digit to an 18- or 19-digit ICCID body starting with 89."""
    if len(body) not in (18, 19) or not body.startswith("89") or not _DIGITS_RE.fullmatch(body):
        raise ValueError("body must be 18 or 19 ASCII digits starting with 89")
    return body + luhn_check_digit(body)
