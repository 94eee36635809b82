"""Issue 10: sign in like a ministry system (second factor, step-up, session timeouts).

Before this, a password alone opened every page and the admin for every role, a session
lived as long as its cookie, and evidence needed no fresh check.
"""

import json
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import middleware
from portal.accounts.second_factor import VERIFIED_AT_SESSION_KEY, backup_codes_issue
from portal.accounts.services import staff_reviewer_set
from portal.audit.models import AuditEvent
from tests.factories import (
    PASSWORD,
    create_registration,
    sign_in,
    store_stand_in_portrait,
    totp_code,
)

pytestmark = pytest.mark.django_db

ENROL = "/accounts/second-factor/enrol/"
VERIFY = "/accounts/second-factor/"


def password_only(user) -> Client:
    """A browser that has typed the right password and nothing more."""
    client = Client()
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    return client


def events(action: str, user) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, actor_id=str(user.pk)))


def confirmed_app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


@pytest.mark.parametrize("role", ["ministry_admin", "inspector", "carrier_admin"])
def test_roles_that_need_a_second_factor_are_sent_to_enrol_one(users, role):
    response = password_only(users[role]).get("/registrations/")
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2Fregistrations%2F"


def test_an_appointed_reviewer_needs_one_too_and_other_staff_do_not(users):
    assert password_only(users["staff"]).get("/registrations/").status_code == 200
    staff_reviewer_set(actor=users["carrier_admin"], user=users["staff"], reviewer=True)
    assert password_only(users["staff"]).get("/registrations/")["Location"].startswith(ENROL)


def test_a_session_whose_second_factor_is_unchecked_reaches_no_page_nor_the_admin(users):
    confirmed_app(users["ministry_admin"])
    client = password_only(users["ministry_admin"])
    for url in (
        "/",
        "/registrations/",
        "/audit/",
        "/ministry/policy/",
        "/admin/",
        "/admin/accounts/user/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY), url


def test_the_admin_site_itself_refuses_an_unverified_session(users):
    """Even reached without the middleware, the admin site asks for a checked second factor."""
    from django.contrib import admin

    request = RequestFactory().get("/admin/")
    request.user = users["ministry_admin"]
    request.user.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    request.user.is_verified = lambda: True
    assert admin.site.has_permission(request)
    request.user = AnonymousUser()
    assert not admin.site.has_permission(request)


def test_enrolling_an_app_confirms_it_and_shows_ten_backup_codes_once(users):
    carrier_admin = users["carrier_admin"]
    client = password_only(carrier_admin)
    page = client.get(f"{ENROL}?next=/review/")
    assert page.status_code == 200
    assert b"<svg" in page.content and b"style=" not in page.content
    device = TOTPDevice.objects.get(user=carrier_admin, confirmed=False)
    secret = page.context["secret"].replace(" ", "")
    assert secret.encode() in page.content.replace(b" ", b"")

    done = client.post(ENROL, {"code": totp_code(device), "next": "/review/"})

    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code.encode() in done.content for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert len(events("auth.device_added", carrier_admin)) == 1
    assert len(events("auth.backup_codes_issued", carrier_admin)) == 1
    assert not any(
        code in json.dumps(e.changes) for e in AuditEvent.objects.all() for code in codes
    )
    assert client.get("/review/").status_code == 200


def test_a_wrong_enrolment_code_leaves_the_app_unconfirmed(users):
    client = password_only(users["inspector"])
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=users["inspector"])
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(ENROL, {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/registrations/")["Location"].startswith(ENROL)


def test_signing_in_takes_the_password_then_a_code_of_the_app(users):
    inspector = users["inspector"]
    device = confirmed_app(inspector)
    client = password_only(inspector)
    assert client.get("/audit/")["Location"] == f"{VERIFY}?next=%2Faudit%2F"

    response = client.post(VERIFY, {"code": totp_code(device), "next": "/audit/"})

    assert response.status_code == 302 and response["Location"] == "/audit/"
    assert client.get("/audit/").status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    verified = events("auth.second_factor_verified", inspector)
    assert [e.changes for e in verified] == [{"device": [None, "totp"]}]


def test_a_wrong_code_is_a_form_error_audited_without_the_code(users):
    inspector = users["inspector"]
    device = confirmed_app(inspector)
    client = password_only(inspector)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(VERIFY, {"code": wrong})

    assert response.status_code == 200
    assert "This code is not right" in response.context["form"].errors["code"][0]
    failed = events("auth.second_factor_failed", inspector)
    assert len(failed) == 1
    assert wrong not in json.dumps(failed[0].changes) + failed[0].reason
    assert client.get("/audit/")["Location"].startswith(VERIFY)
    # django-otp's throttling: straight after a failure, even the right code waits.
    again = client.post(VERIFY, {"code": totp_code(device)})
    assert "Too many wrong codes" in again.context["form"].errors["code"][0]


def test_a_backup_code_works_once(users):
    carrier_admin = users["carrier_admin"]
    confirmed_app(carrier_admin)
    code = backup_codes_issue(user=carrier_admin)[0]

    first = password_only(carrier_admin)
    assert first.post(VERIFY, {"code": code.upper(), "next": "/review/"})["Location"] == "/review/"
    assert first.get("/review/").status_code == 200
    assert [e.changes for e in events("auth.second_factor_verified", carrier_admin)] == [
        {"device": [None, "backup"]}
    ]

    second = password_only(carrier_admin)
    response = second.post(VERIFY, {"code": code})
    assert response.status_code == 200 and response.context["form"].errors["code"]
    assert second.get("/review/")["Location"].startswith(VERIFY)


def test_the_security_page_lists_and_removes_ones_own_devices_only(users):
    carrier_admin, inspector = users["carrier_admin"], users["inspector"]
    client = Client()
    device = sign_in(client, carrier_admin)
    others = confirmed_app(inspector)

    page = client.get("/accounts/security/")
    assert page.status_code == 200
    assert [d.pk for d in page.context["devices"]] == [device.pk]

    foreign = client.post(f"/accounts/security/devices/totp/{others.pk}/remove/")
    assert foreign.status_code == 404
    assert TOTPDevice.objects.filter(pk=others.pk).exists()

    removed = client.post(f"/accounts/security/devices/totp/{device.pk}/remove/")
    assert removed.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert [e.changes for e in events("auth.device_removed", carrier_admin)] == [
        {"device": ["totp", None]}
    ]


def test_a_passkey_cannot_be_added_by_a_session_that_skipped_the_check(users):
    confirmed_app(users["inspector"])
    client = password_only(users["inspector"])
    response = client.post("/accounts/passkeys/registration/begin/")
    assert response.status_code == 403
    assert "otp_webauthn_register_state" not in client.session


def test_new_backup_codes_need_a_second_factor_checked_in_the_last_ten_minutes(users, settings):
    """The step-up decorator (the evidence grant uses the same): older than the setting, the
    person checks again and comes back to the page they came from."""
    assert settings.SECOND_FACTOR_STEP_UP_S == 600
    inspector = users["inspector"]
    client = Client()
    device = sign_in(client, inspector)
    session = client.session
    session[VERIFIED_AT_SESSION_KEY] -= 601
    session.save()

    response = client.post(
        "/accounts/security/backup-codes/", HTTP_REFERER="http://testserver/accounts/security/"
    )

    assert response.status_code == 302
    assert response["Location"].startswith(f"{VERIFY}?")
    assert "step_up=1" in response["Location"]
    assert "next=http%3A%2F%2Ftestserver%2Faccounts%2Fsecurity%2F" in response["Location"]
    assert not events("auth.backup_codes_issued", inspector)
    step_up = client.get(response["Location"])
    assert b"Confirm it is you" in step_up.content

    back = client.post(VERIFY, {"code": totp_code(device), "next": "/accounts/security/"})
    assert back["Location"] == "/accounts/security/"
    assert client.post("/accounts/security/backup-codes/").status_code == 200
    assert len(events("auth.backup_codes_issued", inspector)) == 1


@pytest.fixture
def clock(monkeypatch):
    """The sessions' clock, moved by tests (nothing else's)."""
    now = [middleware._clock()]
    monkeypatch.setattr(middleware, "_clock", lambda: now[0])
    return now


def test_a_carrier_session_ends_after_fifteen_idle_minutes(users, clock):
    carrier_admin = users["carrier_admin"]
    client = Client()
    sign_in(client, carrier_admin)
    clock[0] += 14 * 60
    assert client.get("/review/").status_code == 200  # activity restarts the idle clock
    clock[0] += 14 * 60
    assert client.get("/review/").status_code == 200
    clock[0] += 15 * 60 + 1

    response = client.get("/review/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/review/"
    expired = events("auth.session_expired", carrier_admin)
    assert [e.changes for e in expired] == [{"expired_by": [None, "idle"]}]
    assert not events("auth.logout", carrier_admin)
    login_page = client.get(response["Location"])
    assert b"signed out after a while without activity" in login_page.content
    assert client.get("/review/")["Location"].startswith("/accounts/login/")


def test_outlet_staff_keep_a_longer_idle_time(users, clock, settings):
    client = Client()
    sign_in(client, users["staff"])
    clock[0] += 16 * 60
    assert client.get("/registrations/").status_code == 200
    clock[0] += settings.SESSION_IDLE_TIMEOUT_OUTLET_S + 1
    assert client.get("/registrations/")["Location"].startswith("/accounts/login/")


def test_a_session_ends_after_the_absolute_timeout_however_active(users, clock, settings):
    inspector = users["inspector"]
    client = Client()
    sign_in(client, inspector)
    for _ in range(settings.SESSION_ABSOLUTE_TIMEOUT_S // (14 * 60)):
        clock[0] += 14 * 60
        assert client.get("/accounts/security/").status_code == 200
    clock[0] += 14 * 60

    response = client.get("/accounts/security/")

    assert response["Location"].startswith("/accounts/login/")
    expired = events("auth.session_expired", inspector)
    assert [e.changes for e in expired] == [{"expired_by": [None, "absolute"]}]
    assert re.search(
        rb"a session lasts a working day at most", client.get("/accounts/login/").content
    )


def test_opening_evidence_needs_a_fresh_second_factor_check(users, outlet_gd):
    """Step-up before biometrics: an inspector last checked 11 minutes ago checks again, then
    comes back to the registration page to open the evidence."""
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="review")
    store_stand_in_portrait(registration)
    inspector = users["inspector"]
    client = Client()
    device = sign_in(client, inspector)
    session = client.session
    session[VERIFIED_AT_SESSION_KEY] -= 11 * 60
    session.save()
    page = f"http://testserver/registrations/{registration.pk}/"
    grant_open = f"/registrations/{registration.pk}/evidence/"
    reason = {"reason": "Spot check of outlet GD-001 after a complaint"}

    refused = client.post(grant_open, reason, HTTP_REFERER=page)

    assert refused.status_code == 302
    assert refused["Location"].startswith(f"{VERIFY}?") and "step_up=1" in refused["Location"]
    assert not AuditEvent.objects.filter(action="evidence.grant_opened").exists()
    client.post(VERIFY, {"code": totp_code(device), "next": page})
    assert client.post(grant_open, reason, HTTP_REFERER=page).status_code == 302
    assert AuditEvent.objects.filter(action="evidence.grant_opened").count() == 1


def test_a_failed_passkey_check_is_audited_and_leaves_the_session_unchecked(users):
    carrier_admin = users["carrier_admin"]
    confirmed_app(carrier_admin)
    client = password_only(carrier_admin)

    response = client.post(
        "/accounts/passkeys/authentication/complete/", "{}", content_type="application/json"
    )

    assert response.status_code == 400  # no ceremony was begun: nothing to complete
    failed = events("auth.second_factor_failed", carrier_admin)
    assert [e.changes for e in failed] == [{"device": [None, "passkey"]}]
    assert client.get("/review/")["Location"].startswith(VERIFY)
