"""Shared fixtures and hooks: a small world of two operators, three outlets and one user per
role (the builders behind them are in ``tests/factories.py``)."""

import os
from pathlib import Path

import pytest

from tests.factories import (
    data_migration_rows_restored,
    is_postgres,
    make_operator,
    make_outlet,
    make_users,
    province,
)

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


def pytest_collection_finish(session):
    """The EXPLAIN test's large database is built beside the tests from the start."""
    if session.config.option.collectonly or not is_postgres():
        return
    if any("million" in item.fixturenames for item in session.items):
        from tests import explain_database

        explain_database.start()


def pytest_sessionfinish(session):
    from tests import explain_database

    explain_database.stop()


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


# The browser and the face engine: every test there is slow (``make test-fast`` leaves them
# out), and so are those marked one by one (a real worker).
SLOW_FOLDERS = (Path(__file__).parent / "e2e", Path(__file__).parent / "verification" / "engine")


def pytest_collection_modifyitems(items):
    for item in items:
        if any(folder in item.path.parents for folder in SLOW_FOLDERS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def guangdong():
    return province("440000")


@pytest.fixture
def beijing():
    return province("110000")


@pytest.fixture
def cmcc():
    return make_operator("CMCC", "China Mobile")


@pytest.fixture
def cucc():
    return make_operator("CUCC", "China Unicom")


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
    return make_users(
        cmcc=cmcc,
        cucc=cucc,
        guangdong=guangdong,
        outlet_gd=outlet_gd,
        outlet_bj=outlet_bj,
    )


@pytest.fixture(autouse=True)
def evidence_in_tmp(settings, tmp_path_factory):
    """Biometric evidence written by a test lands in a temporary folder, never in var/."""
    settings.EVIDENCE_ROOT = tmp_path_factory.mktemp("evidence")
    return settings.EVIDENCE_ROOT


@pytest.fixture(autouse=True)
def english_wording(request, settings):
    """The tests read the wording in English, the source language. The site's default is
    Simplified Chinese: the tests marked ``chinese`` keep it (they test that default)."""
    if request.node.get_closest_marker("chinese") is None:
        settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for attackers, not for a test suite with many logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache():
    """Every test starts with empty rate-limit counters (ids repeat from test to test), no
    API key held in memory and no list rows kept from an earlier test."""
    from django.core.cache import cache

    from portal.api.auth import api_key_uses_forget
    from portal.api.selectors import api_key_memo_clear
    from portal.lib.page_cache import forget_kept_pages

    cache.clear()
    forget_kept_pages()
    api_key_memo_clear()
    api_key_uses_forget()


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


@pytest.fixture
def broker_unreachable(monkeypatch):
    """This process's Celery app sends to a port where nothing listens, for the test."""
    from portal.celery import app

    # The raw settings (an unset write URL is restored unset, not as the URL it reads as).
    for name in ("broker_write_url", "broker_url"):
        monkeypatch.setitem(app.conf, name, "redis://127.0.0.1:1/0")
