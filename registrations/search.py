"""The registration list's search box: which kind of term was typed, normalised, and masked.

One box takes a mobile number, a SIM card number (ICCID) or an ID number, typed as people
copy them: with spaces or dashes, full-width digits from a Chinese input method, a +86 or
0086 before a mobile, a lower-case x at the end of an ID number. The term is recognised by
its shape, then matched exactly.

An ID number is sealed in the database and found through its keyed blind index
(``Subscriber.id_number_index_for``): a ``SearchTerm`` for one holds the indexes and the
masked number only, never the number itself, so that whatever keeps a search (the session)
or records it (the audit trail) never holds the number in clear.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.lib.masking import mask_iccid, mask_id_number, mask_msisdn
from registrations import rules
from registrations.errors import RegistrationCode, RegistrationError
from registrations.models import Subscriber

_SEPARATORS_RE = re.compile(r"[\s\-]")
_MOBILE_RE = re.compile(r"(\+86|0086|86)?1\d{10}", re.ASCII)
_ICCID_RE = re.compile(r"\d{19,20}", re.ASCII)
_RESIDENT_ID_RE = re.compile(r"\d{17}[\dX]", re.ASCII)
_FIRST_GENERATION_ID_RE = re.compile(r"\d{15}", re.ASCII)


class SearchKind(models.TextChoices):
    MSISDN = "msisdn", _("mobile number")
    ICCID = "iccid", _("SIM card number")
    ID_NUMBER = "id_number", _("ID number")


@dataclass(frozen=True)
class SearchTerm:
    """A recognised term: its kind, what the registrations are matched on (the E.164 mobile,
    the ICCID, or the ID number's blind indexes) and the masked form shown and audited."""

    kind: SearchKind
    match: tuple[str, ...]
    masked: str

    def as_dict(self) -> dict:
        return {"kind": str(self.kind), "match": list(self.match), "masked": self.masked}

    @classmethod
    def from_dict(cls, data) -> "SearchTerm | None":
        """A term kept by ``as_dict``, or None for anything else."""
        try:
            return cls(
                kind=SearchKind(data["kind"]),
                match=tuple(str(value) for value in data["match"]),
                masked=str(data["masked"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


class UnrecognisedTerm(ValueError):
    """The term is none of a mobile number, an ICCID or an ID number."""


def compact(raw: str) -> str:
    """The term without separators, full-width characters folded (NFKC), upper case."""
    return _SEPARATORS_RE.sub("", unicodedata.normalize("NFKC", raw)).upper()


def search_term(raw: str) -> SearchTerm:
    """Recognise ``raw`` by its shape.

    Raises ``UnrecognisedTerm`` for a shape of none of the three kinds, and the rules'
    ``RegistrationError`` for a term of a known shape that cannot exist (a wrong check digit,
    a mobile of a number range that is no mobile's).
    """
    term = compact(raw)
    # A mobile first: "0086" and eleven digits is fifteen digits, which would otherwise read
    # as a first-generation ID number (whose area code never starts with 0).
    if _MOBILE_RE.fullmatch(term) or (term.startswith("+") and len(term) > 1):
        return _mobile(term)
    if _ICCID_RE.fullmatch(term):
        return _iccid(term)
    if _RESIDENT_ID_RE.fullmatch(term):
        return _resident_id(term)
    if _FIRST_GENERATION_ID_RE.fullmatch(term):
        return _first_generation_id(term)
    # Nothing of the term in the exception: a traceback may be logged.
    raise UnrecognisedTerm


def _mobile(term: str) -> SearchTerm:
    e164 = rules.normalize_msisdn(term)
    return SearchTerm(SearchKind.MSISDN, (e164,), mask_msisdn(rules.national_msisdn(e164)))


def _iccid(term: str) -> SearchTerm:
    iccid = rules.validate_iccid(term)
    return SearchTerm(SearchKind.ICCID, (iccid,), mask_iccid(iccid))


def _resident_id(number: str) -> SearchTerm:
    if rules.resident_id_check_digit(number[:17]) != number[17]:
        raise RegistrationError(RegistrationCode.ID_CHECKSUM, field="id_number")
    return _id_number_term(number, indexed=[number])


def _first_generation_id(number: str) -> SearchTerm:
    """A 15-digit ID number of the first-generation card (no check digit, two-digit year).

    The card was replaced by the 18-character one, which inserts "19" before the year and
    adds a check character: a subscriber registered under the new number is found too.
    """
    first17 = number[:6] + "19" + number[6:]
    second_generation = first17 + rules.resident_id_check_digit(first17)
    return _id_number_term(number, indexed=[number, second_generation])


def _id_number_term(number: str, *, indexed: list[str]) -> SearchTerm:
    indexes = tuple(Subscriber.id_number_index_for(value) for value in indexed)
    return SearchTerm(SearchKind.ID_NUMBER, indexes, mask_id_number(number))
