"""Builders of test rows, through the real services where there is one.

Fixtures (``tests/conftest.py``) and tests import them from here.
"""

import itertools
from datetime import date

from django.conf import settings
from django.db import transaction

from portal.accounts.roles import Role
from portal.accounts.services import user_create
from registrations import rules, services
from registrations.models import Operator, Outlet, Province, Registration
from registrations.provinces import PROVINCES
from verification import services as verification_services
from verification.models import BiometricEvidence
from verification.services.evidence import data_key_for
from verification.storage import SealedContent

PASSWORD = "a-test-password-42"
_sequence = itertools.count(1)


def is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def data_migration_rows_restored() -> None:
    """Put back what migrations load (provinces, role groups) if a flush took it away.

    A transactional test ends with a flush that empties every table, and with ``--reuse-db``
    the next run starts on the database the last flush left.
    """
    from django.contrib.auth.models import Group
    from django.core.management.sql import emit_post_migrate_signal

    if not Province.objects.exists():
        Province.objects.bulk_create(
            Province(code=c, name=name, name_en=name_en) for c, name, name_en in PROVINCES
        )
    if Group.objects.filter(name__in=[role.value for role in Role]).count() < len(Role):
        # What migrate does last: content types, permissions, then the role groups.
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")


def province(code: str) -> Province:
    """A province; loaded again if a transactional test's flush emptied the table."""
    data_migration_rows_restored()
    return Province.objects.get(code=code)


def make_operator(code: str, name: str) -> Operator:
    return Operator.objects.create(code=code, name=name, kind=Operator.Kind.MNO)


def make_outlet(operator, province, code, **extra) -> Outlet:
    return Outlet.objects.create(
        operator=operator,
        province=province,
        code=code,
        name=f"{operator.code} {code}",
        address="1 Test Road",
        opening_hours="09:00-21:00",
        **extra,
    )


def make_users(*, cmcc, cucc, guangdong, outlet_gd, outlet_bj) -> dict:
    """One account per role (and a second carrier admin and outlet worker, for scope)."""

    def make(username, role, **scope):
        return user_create(username=username, password=PASSWORD, role=role, **scope)

    return {
        "ministry_admin": make("ministry_admin", Role.MINISTRY_ADMIN),
        "inspector": make("inspector", Role.MINISTRY_INSPECTOR, provinces=None),
        "inspector_gd": make("inspector_gd", Role.MINISTRY_INSPECTOR, provinces=[guangdong]),
        "carrier_admin": make("carrier_admin_cmcc", Role.CARRIER_ADMIN, operator=cmcc),
        "carrier_admin_cucc": make("carrier_admin_cucc", Role.CARRIER_ADMIN, operator=cucc),
        "staff": make("staff_gd", Role.OUTLET_STAFF, operator=cmcc, outlets=[outlet_gd]),
        "staff_bj": make("staff_bj", Role.OUTLET_STAFF, operator=cmcc, outlets=[outlet_bj]),
        "partner": make("partner_cmcc", Role.API_PARTNER, operator=cmcc),
    }


def sign_in(client, user):
    """Sign ``user`` in as a person does: password (``force_login``), then a second factor.

    The account gets a confirmed authenticator app (once) and the session is marked verified
    the way django-otp does (``DEVICE_ID_SESSION_KEY``), checked just now, so pages, the admin
    and the step-up before biometrics all let it through. The requirement itself stays on.
    Returns the device (``totp_code(device)`` gives its current code).
    """
    import time

    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.accounts.second_factor import VERIFIED_AT_SESSION_KEY

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[VERIFIED_AT_SESSION_KEY] = time.time()
    session.save()
    return device


def totp_code(device) -> str:
    """The code an authenticator app holding ``device``'s key shows now."""
    from portal.accounts.second_factor import totp_current_code

    return totp_current_code(device)


def subscriber_details(*, number: int | None = None, name: str = "Wang Fang", **overrides):
    """A valid subscriber; the same ``number`` gives the same person."""
    number = next(_sequence) if number is None else number
    details = {
        "id_type": "resident_id",
        "id_number": rules.make_resident_id(
            area_code="440103", birth_date=date(1990, 1, 1), sequence=number % 1000
        ),
        "full_name": name,
        "birth_date": date(1990, 1, 1),
        "id_expiry": date(2040, 1, 1),
    }
    details.update(overrides)
    return services.SubscriberDetails(**details)


def next_msisdn() -> str:
    return f"139{next(_sequence):08d}"


def next_iccid() -> str:
    return rules.make_iccid(body=f"8986{next(_sequence):015d}")


def create_registration(
    *, actor, outlet, subscriber=None, msisdn=None, status: str = "draft"
) -> Registration:
    """A registration brought to ``status`` through the real lifecycle services."""
    registration = services.registration_create(
        actor=actor,
        subscriber=subscriber or subscriber_details(),
        operator=outlet.operator,
        outlet=outlet,
        msisdn=msisdn or next_msisdn(),
        iccid=next_iccid(),
    )
    steps = {
        "draft": [],
        "submitted": ["submit"],
        "verifying": ["submit", "verify"],
        "approved": ["submit", "verify", "approved"],
        "rejected": ["submit", "verify", "rejected"],
        "review": ["submit", "verify", "review"],
        "cancelled": ["submit", "verify", "approved", "cancel"],
        "discarded": ["discard"],
    }[status]
    for step in steps:
        if step == "submit":
            registration = services.registration_submit(
                registration=registration, actor=actor, with_capture=True
            )
        elif step == "verify":
            registration = services.registration_start_verification(registration=registration)
        elif step == "cancel":
            registration = services.registration_cancel(registration=registration, actor=actor)
        elif step == "discard":
            registration = services.registration_discard(registration=registration, actor=actor)
        else:
            registration = services.registration_decide(
                registration=registration, decision=step, reasons=[]
            )
    return registration


def sealed(registration, data: bytes) -> SealedContent:
    """``data`` encrypted as the storage keeps it: under the registration's data key."""
    with transaction.atomic():
        return SealedContent.seal(data, data_key_for(registration))


def store_stand_in_portrait(registration) -> BiometricEvidence:
    """A stand-in ID portrait on the encrypted storage (the bytes need not be a real face)."""
    evidence = BiometricEvidence(
        registration=registration,
        kind=BiometricEvidence.Kind.PORTRAIT,
        content_type="image/jpeg",
        size=4,
        sha256="0" * 64,
    )
    evidence.file.save("evidence", sealed(registration, b"\xff\xd8\xff\xd9"), save=False)
    evidence.save()
    return evidence


def ready_for_capture(registration, actor, portrait: bytes):
    verification_services.consent_record(
        registration=registration, actor=actor, text_version=settings.BIOMETRIC_CONSENT_VERSION
    )
    verification_services.portrait_store(registration=registration, actor=actor, data=portrait)
    return registration
