"""Shared fixtures: a small world of two operators, three outlets and one user per role."""

import itertools
import os
from datetime import date

import pytest

from portal.accounts.roles import Role
from portal.accounts.services import user_create
from registrations import rules, services
from registrations.models import Operator, Outlet, Province, Registration
from registrations.provinces import PROVINCES

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


# --- Tests that need PostgreSQL or a real broker ------------------------------------------

REAL_BROKERS = ("redis://", "rediss://", "amqp://", "pyamqp://")


def on_ci() -> bool:
    return bool(os.environ.get("CI"))


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and not is_postgres():
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    if item.get_closest_marker("broker") and on_ci():
        from portal.celery import app

        if not str(app.conf.broker_url).startswith(REAL_BROKERS):
            pytest.fail("CI runs with a real broker: set CELERY_BROKER_URL to Redis or RabbitMQ")


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """On CI (``CI`` set), a test that needs PostgreSQL or a broker fails instead of skipping.

    CI always has both, so such a skip there can only hide a misconfiguration. Covers the
    ``postgres`` and ``broker`` markers and any skip that says "needs PostgreSQL".
    """
    report = yield
    if report.skipped and on_ci() and not hasattr(report, "wasxfail"):
        reason = _skip_reason(report)
        needs_services = item.get_closest_marker("postgres") or item.get_closest_marker("broker")
        if needs_services or "needs PostgreSQL" in reason:
            report.outcome = "failed"
            report.longrepr = f"skipped on CI, where it must run: {reason}"
    return report


@pytest.fixture
def guangdong():
    return province("440000")


@pytest.fixture
def beijing():
    return province("110000")


@pytest.fixture
def cmcc():
    return Operator.objects.create(code="CMCC", name="China Mobile", kind=Operator.Kind.MNO)


@pytest.fixture
def cucc():
    return Operator.objects.create(code="CUCC", name="China Unicom", kind=Operator.Kind.MNO)


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


@pytest.fixture
def outlet_gd(cmcc, guangdong):
    return make_outlet(cmcc, guangdong, "GD-001")


@pytest.fixture
def outlet_bj(cmcc, beijing):
    return make_outlet(cmcc, beijing, "BJ-001")


@pytest.fixture
def outlet_cucc_gd(cucc, guangdong):
    return make_outlet(cucc, guangdong, "GD-101")


@pytest.fixture
def users(cmcc, cucc, guangdong, outlet_gd, outlet_bj, outlet_cucc_gd):
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
    }[status]
    for step in steps:
        if step == "submit":
            registration = services.registration_submit(registration=registration, actor=actor)
        elif step == "verify":
            registration = services.registration_start_verification(registration=registration)
        elif step == "cancel":
            registration = services.registration_cancel(registration=registration, actor=actor)
        else:
            registration = services.registration_decide(
                registration=registration, decision=step, reasons=[]
            )
    return registration


@pytest.fixture(autouse=True)
def evidence_in_tmp(settings, tmp_path_factory):
    """Biometric evidence written by a test lands in a temporary folder, never in var/."""
    settings.EVIDENCE_ROOT = tmp_path_factory.mktemp("evidence")
    return settings.EVIDENCE_ROOT


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for attackers, not for a test suite with many logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with its data-migration rows even when reused (``--reuse-db``)."""
    with django_db_blocker.unblock():
        data_migration_rows_restored()


def _uses_db(request) -> bool:
    return request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def data_migration_rows(request):
    """Provinces and role groups for every database test, also after an earlier flush."""
    if _uses_db(request):
        request.getfixturevalue("_django_db_helper")
        data_migration_rows_restored()


def _uses_transactional_db(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    fixtures = set(request.fixturenames)
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server"} & fixtures
    )


@pytest.fixture(autouse=True)
def audit_table_flushable(request):
    """Let a transactional test's final flush empty the append-only audit table.

    The flush runs after this fixture's teardown; the triggers are back for the next test.
    """
    if request.node.get_closest_marker("django_db") is None and not {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames):
        yield
        return
    from tests.audit_triggers import disable_audit_triggers, enable_audit_triggers

    request.getfixturevalue("_django_db_helper")
    enable_audit_triggers()
    yield
    if _uses_transactional_db(request):
        disable_audit_triggers()
