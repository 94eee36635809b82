"""Sign-in without an account: the person's ID details, then a code by SMS to one of the
numbers registered under that ID.

Nothing the person sees tells whether the ID is known: for an unknown ID, or a known one
with another name, the numbers offered are decoys derived from what was typed (the same
decoys each time), picking one says "if the details match, a code was sent", and every code
typed for it is wrong. The same queries run either way, and the SMS leaves through the
worker, so the answer takes the same time too. Limits per ID, per number and per address
stop a loop of guesses.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.actions import Action
from portal.audit.services import audit_record
from portal.lib import ratelimit
from portal.selfservice.errors import SelfServiceCode as Code
from portal.selfservice.errors import SelfServiceError
from portal.selfservice.models import SignInCode
from portal.selfservice.services.sms import sms_queue
from registrations import rules
from registrations.models import Registration, Subscriber

CODE_DIGITS = 6
# Prefixes of mainland mobile networks, for the decoys.
_DECOY_PREFIXES = ("134", "135", "136", "137", "138", "139", "150", "151", "152", "157",
                   "158", "159", "182", "183", "187", "188", "130", "131", "132", "155",
                   "156", "185", "186", "133", "153", "180", "181", "189", "199")  # fmt: skip


def masked_national(msisdn: str) -> str:
    """``+8613800138000`` -> ``138****8000``: what the person recognises as theirs."""
    national = rules.national_msisdn(msisdn) if msisdn.startswith("+") else msisdn
    return f"{national[:3]}****{national[-4:]}"


@dataclass
class PendingSignIn:
    """A sign-in under way, kept in the session (server side: it names the numbers)."""

    subscriber_id: int | None  # None: the details match nobody (decoys)
    choices: list[list[str]]  # [token, E.164 number or "" for a decoy, masked]
    started_at: float
    picked: str = ""
    decoy_tries: int = 0
    id_key: str = ""  # the ID's rate-limit key (part of its blind index, not the number)

    def as_session(self) -> dict:
        return asdict(self)

    @classmethod
    def from_session(cls, data) -> PendingSignIn | None:
        try:
            pending = cls(**data)
        except TypeError:
            return None
        if time.time() - pending.started_at > settings.SELFSERVICE_CODE_TTL_S * 2:
            return None  # long abandoned: start again
        return pending

    def choice(self, token: str) -> list[str] | None:
        return next((choice for choice in self.choices if choice[0] == token), None)


def _normalized(id_type: str, id_number: str) -> str:
    number = id_number.strip().upper()
    if id_type == Subscriber.IdType.RESIDENT_ID:
        number = rules.normalize_resident_id(number)
    return number


def _decoys(id_type: str, index: str, full_name: str) -> list[str]:
    """One or two masked numbers that look like anyone's, the same for the same input."""
    seed = hmac.new(
        settings.SECRET_KEY.encode(), f"decoy|{id_type}|{index}|{full_name}".encode(), "sha256"
    ).digest()
    count = 1 + seed[0] % 2
    decoys = []
    for position in range(count):
        prefix = _DECOY_PREFIXES[seed[1 + position] % len(_DECOY_PREFIXES)]
        last4 = int.from_bytes(seed[4 + 2 * position : 6 + 2 * position], "big") % 10000
        decoys.append(f"{prefix}****{last4:04d}")
    return decoys


def sign_in_start(*, id_type: str, id_number: str, full_name: str, address: str | None):
    """The numbers to offer for these details: the ID's own (approved) numbers when the
    name matches, else decoys. Counted against the ID's and the address's limits."""
    number = _normalized(id_type, id_number)
    index = Subscriber.id_number_index_for(number)
    id_key = index[:24]
    ratelimit.enforce("selfservice_start", address=address, id=id_key)
    name = full_name.strip()
    subscriber = Subscriber.objects.filter(id_type=id_type, id_number_index=index).first()
    matches = subscriber is not None and hmac.compare_digest(
        subscriber.full_name.encode(), name.encode()
    )
    numbers = list(
        Registration.objects.filter(
            subscriber_id=subscriber.pk if matches else None,
            status=Registration.Status.APPROVED,
        )
        .order_by("created_at")
        .values_list("msisdn", flat=True)
    )
    if numbers:
        choices = [
            [secrets.token_urlsafe(9), msisdn, masked_national(msisdn)] for msisdn in numbers
        ]
    else:
        choices = [
            [secrets.token_urlsafe(9), "", masked] for masked in _decoys(id_type, index, name)
        ]
    return PendingSignIn(
        subscriber_id=subscriber.pk if numbers else None,
        choices=choices,
        started_at=time.time(),
        id_key=id_key,
    )


def _code_hash(code_id, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"sign-in code|{code_id}|{code}".encode(), hashlib.sha256
    ).hexdigest()


@transaction.atomic
def sign_in_code_send(*, pending: PendingSignIn, token: str) -> str:
    """Send a code to the number picked (nothing for a decoy); the masked number either way.
    A new code ends the subscriber's earlier ones."""
    choice = pending.choice(token)
    if choice is None:
        raise SelfServiceError(Code.NUMBER_UNKNOWN, field="number")
    _token, msisdn, masked = choice
    ratelimit.enforce("selfservice_code", number=msisdn or masked, id=pending.id_key)
    pending.picked, pending.decoy_tries = token, 0
    if not msisdn:
        return masked
    now = timezone.now()
    SignInCode.objects.filter(
        subscriber_id=pending.subscriber_id, used_at__isnull=True, ended_at__isnull=True
    ).update(ended_at=now)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    record = SignInCode(
        subscriber_id=pending.subscriber_id,
        msisdn=msisdn,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.SELFSERVICE_CODE_TTL_S),
    )
    record.code_hash = _code_hash(record.pk, code)
    record.save(force_insert=True)
    minutes = settings.SELFSERVICE_CODE_TTL_S // 60
    with translation_of_record():
        text = _(
            "Your sign-in code for the SIM registration portal is %(code)s, valid for "
            "%(minutes)d minutes. Never tell it to anyone, staff included."
        ) % {"code": code, "minutes": minutes}
    sms_queue(to=msisdn, text=text, kind="sign_in_code")
    audit_record(
        action=Action.SUBSCRIBER_CODE_SENT,
        object_type="subscriber",
        object_id=str(pending.subscriber_id),
        changes={"msisdn": (None, msisdn)},
    )
    return masked


def translation_of_record():
    """Text messages go out in the site's language (Chinese), whatever the page's."""
    from django.utils import translation

    return translation.override(settings.LANGUAGE_CODE)


@dataclass(frozen=True)
class CodeChecked:
    subscriber_id: int | None  # signed in as; None when refused
    refusal: Code | None = None


def sign_in_code_check(*, pending: PendingSignIn, code: str, address: str | None) -> CodeChecked:
    """The subscriber the code signs in, or why not. Wrong tries are counted (and audited)
    even though the answer is a refusal: the count must survive it."""
    ratelimit.enforce("selfservice_check", address=address)
    choice = pending.choice(pending.picked) if pending.picked else None
    if choice is None:
        return CodeChecked(None, Code.NOT_STARTED)
    if not choice[1]:  # a decoy: no code can be right
        pending.decoy_tries += 1
        exhausted = pending.decoy_tries >= settings.SELFSERVICE_CODE_TRIES
        return CodeChecked(None, Code.CODE_EXHAUSTED if exhausted else Code.CODE_WRONG)
    return _check_real(pending, choice[1], code.strip())


@transaction.atomic
def _check_real(pending: PendingSignIn, msisdn: str, code: str) -> CodeChecked:
    now = timezone.now()
    record = (
        SignInCode.objects.select_for_update()
        .filter(
            subscriber_id=pending.subscriber_id,
            msisdn=msisdn,
            used_at__isnull=True,
            ended_at__isnull=True,
        )
        .order_by("-created_at")
        .first()
    )
    if record is None or record.expires_at <= now:
        return CodeChecked(None, Code.CODE_WRONG)
    if hmac.compare_digest(record.code_hash, _code_hash(record.pk, code)):
        record.used_at = now
        record.save(update_fields=["used_at"])
        audit_record(
            action=Action.SUBSCRIBER_SIGNED_IN,
            object_type="subscriber",
            object_id=str(pending.subscriber_id),
            changes={"msisdn": (None, msisdn)},
        )
        return CodeChecked(pending.subscriber_id)
    record.tries += 1
    exhausted = record.tries >= settings.SELFSERVICE_CODE_TRIES
    if exhausted:
        record.ended_at = now
    record.save(update_fields=["tries", "ended_at"])
    audit_record(
        action=Action.SUBSCRIBER_SIGN_IN_FAILED,
        object_type="subscriber",
        object_id=str(pending.subscriber_id),
        changes={"tries": (record.tries - 1, record.tries)},
    )
    return CodeChecked(None, Code.CODE_EXHAUSTED if exhausted else Code.CODE_WRONG)
