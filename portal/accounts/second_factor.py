"""Second factors (django-otp): authenticator apps (TOTP), passkeys (WebAuthn), backup codes.

Who must have one is ``permissions.second_factor_required``; this module holds the writes to a
person's devices (each audited in its transaction) and the session's record of when its
second factor was last checked, which the step-up before biometrics reads.
"""

import re
import time
from base64 import b32encode

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from portal.accounts.errors import AccountCode, AccountError
from portal.audit.actions import Action
from portal.audit.services import audit_record

BACKUP_CODE_COUNT = 10
# When the session's second factor was last checked (seconds since the epoch).
VERIFIED_AT_SESSION_KEY = "second_factor_verified_at"
_TOTP_CODE = re.compile(r"\d{6}")


class DeviceKind(models.TextChoices):
    TOTP = "totp", _("Authenticator app")
    PASSKEY = "passkey", _("Passkey")
    BACKUP = "backup", _("Backup codes")


_MODEL_OF_KIND = {
    DeviceKind.TOTP: TOTPDevice,
    DeviceKind.PASSKEY: WebAuthnCredential,
    DeviceKind.BACKUP: StaticDevice,
}


def kind_of(device) -> DeviceKind:
    return next(kind for kind, model in _MODEL_OF_KIND.items() if isinstance(device, model))


# --- Reads ----------------------------------------------------------------------------------


def has_second_factor(user) -> bool:
    """Whether ``user`` has enrolled at least one confirmed device."""
    return user_has_device(user, confirmed=True)


def devices_of(user) -> list:
    """The confirmed devices of ``user``, each with its ``kind``."""
    devices = list(devices_for_user(user, confirmed=True))
    for device in devices:
        device.kind = kind_of(device)
    return devices


def has_passkey(user) -> bool:
    return WebAuthnCredential.objects.devices_for_user(user, confirmed=True).exists()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_secret(device: TOTPDevice) -> str:
    """The key as an authenticator app takes it typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_current_code(device: TOTPDevice) -> str:
    """The code the device accepts now (the demo's ``demo_otp`` command prints it)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def verified_within(request, seconds: int) -> bool:
    """Whether this session checked its second factor in the last ``seconds``."""
    verified_at = request.session.get(VERIFIED_AT_SESSION_KEY)
    is_verified = getattr(request.user, "is_verified", None)
    if verified_at is None or is_verified is None or not is_verified():
        return False
    return time.time() - verified_at <= seconds


# --- The session ----------------------------------------------------------------------------


def session_mark_verified(request, device) -> None:
    """Record in the session that ``device`` verified its user, now (what django-otp reads,
    plus the time the step-up checks)."""
    otp_login(request, device)
    request.session[VERIFIED_AT_SESSION_KEY] = time.time()


# --- Writes ---------------------------------------------------------------------------------


def _audit(action: Action, *, user, kind: DeviceKind, **extra) -> None:
    audit_record(
        action=action,
        actor=user,
        obj=user,
        operator_id=user.operator_id,
        changes={"device": (None, kind.value), **extra},
    )


def second_factor_check(*, user, code: str):
    """The device of ``user`` that accepts ``code`` (a six-digit app code or a backup code,
    which then is spent); refuses a wrong code, audited, and a throttled device.

    Only devices of the kind the code's shape names are tried, so a wrong backup code never
    slows down the authenticator app (django-otp throttles each device it tries).
    """
    code = "".join(code.split()).lower()
    kind = DeviceKind.TOTP if _TOTP_CODE.fullmatch(code) else DeviceKind.BACKUP
    model = _MODEL_OF_KIND[kind]
    throttled = False
    # Committed whatever the outcome: django-otp counts failures on the device row.
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            allowed, _details = device.verify_is_allowed()
            if not allowed:
                throttled = True
            elif device.verify_token(code):
                _audit(Action.SECOND_FACTOR_VERIFIED, user=user, kind=kind)
                return device
        # The event says which kind of code failed, never the code.
        _audit(Action.SECOND_FACTOR_FAILED, user=user, kind=kind)
    if throttled:
        raise AccountError(AccountCode.TOO_MANY_ATTEMPTS, field="code", status=429)
    raise AccountError(AccountCode.WRONG_CODE, field="code")


@transaction.atomic
def second_factor_verified_record(*, user, device) -> None:
    """Audit a verification made outside ``second_factor_check`` (a passkey)."""
    _audit(Action.SECOND_FACTOR_VERIFIED, user=user, kind=kind_of(device))


@transaction.atomic
def second_factor_failed_record(*, user, kind: DeviceKind) -> None:
    _audit(Action.SECOND_FACTOR_FAILED, user=user, kind=kind)


def totp_device_pending(*, user) -> TOTPDevice:
    """The authenticator app being enrolled: an unconfirmed device, made once and kept until
    its first code confirms it (so the QR code stays the same between the page's visits)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(
        user=user, name=str(DeviceKind.TOTP.label), confirmed=False
    )


@transaction.atomic
def totp_device_confirm(*, user, device: TOTPDevice, code: str) -> TOTPDevice:
    """Confirm the pending authenticator app with its first code."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token("".join(code.split())):
        raise AccountError(AccountCode.WRONG_CODE, field="code")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _audit(Action.DEVICE_ADDED, user=user, kind=DeviceKind.TOTP)
    return device


@transaction.atomic
def passkey_added_record(*, user, device) -> None:
    """Audit a passkey that django-otp-webauthn's ceremony just saved."""
    _audit(Action.DEVICE_ADDED, user=user, kind=kind_of(device))


@transaction.atomic
def backup_codes_issue(*, user, count: int = BACKUP_CODE_COUNT) -> list[str]:
    """Replace the backup codes of ``user`` by ``count`` new single-use ones, returned once to
    be shown once (the old ones stop working)."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": str(DeviceKind.BACKUP.label), "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_record(
        action=Action.BACKUP_CODES_ISSUED,
        actor=user,
        obj=user,
        operator_id=user.operator_id,
        changes={"backup_codes": (None, count)},
    )
    return codes


@transaction.atomic
def device_remove(*, user, kind: str, pk: int) -> None:
    """Remove one of the devices of ``user`` (another person's device does not exist)."""
    model = _MODEL_OF_KIND.get(kind)
    device = model.objects.devices_for_user(user).filter(pk=pk).first() if model else None
    if device is None:
        raise AccountError(AccountCode.NO_SUCH_DEVICE, status=404)
    device.delete()
    audit_record(
        action=Action.DEVICE_REMOVED,
        actor=user,
        obj=user,
        operator_id=user.operator_id,
        changes={"device": (kind, None)},
    )
