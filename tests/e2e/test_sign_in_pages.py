"""Issue 10: a second factor in a real browser, an authenticator app's code and a passkey.

The live server runs on http://localhost, a secure origin for WebAuthn; the passkey lives in
Chromium's virtual authenticator (DevTools protocol), as a phone or a security key would.
"""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from portal.audit.models import AuditEvent
from tests.e2e.conftest import authenticator_code
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True)]


def type_password(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")


def code_of_the_app(secret_shown: str) -> str:
    """What an authenticator app given the key shown on the page displays now."""
    key = b32decode(secret_shown.replace(" ", "") + "=" * (-len(secret_shown.replace(" ", "")) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time()
    return f"{totp.token():06d}"


def actions_of(username: str) -> list[str]:
    events = AuditEvent.objects.filter(actor_label=username, action__startswith="auth.")
    return list(events.order_by("sequence").values_list("action", flat=True))


def test_a_carrier_admin_enrols_an_app_signs_out_and_signs_in_with_its_code(
    page, live_server, users, screenshot
):
    type_password(page, live_server, "carrier_admin_cmcc")
    page.wait_for_selector("h1:has-text('Set up a second factor')")
    assert page.locator("svg.qr-code").count() == 1
    secret = page.locator(".totp-secret").inner_text()
    screenshot("enrol")
    page.fill("#id_code", code_of_the_app(secret))
    page.click("button:has-text('Add the app')")
    page.wait_for_selector("h1:has-text('Your backup codes')")
    assert page.locator(".backup-codes li").count() == 10
    screenshot("backup-codes")
    page.click("a:has-text('continue')")
    page.wait_for_selector("text=Sign out")

    page.click("button:has-text('Sign out')")
    type_password(page, live_server, "carrier_admin_cmcc")
    page.wait_for_selector("h1:has-text('Second factor')")
    page.goto(f"{live_server.url}/review/")  # no page before the code
    assert "/accounts/second-factor/" in page.url
    device = users["carrier_admin"].totpdevice_set.get(confirmed=True)
    page.fill("#id_code", authenticator_code(device))
    screenshot("code")
    page.click("button:has-text('Verify')")
    page.wait_for_selector("h1:has-text('Review')")
    assert page.url.endswith("/review/")
    assert actions_of("carrier_admin_cmcc") == [
        "auth.login",
        "auth.device_added",
        "auth.backup_codes_issued",
        "auth.logout",
        "auth.login",
        "auth.second_factor_verified",
    ]


def test_an_inspector_enrols_a_passkey_and_signs_in_with_it(
    page, live_server, users, settings, screenshot
):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )

    type_password(page, live_server, "inspector")
    page.click("button:has-text('Add a passkey')")
    page.wait_for_selector("h1:has-text('Security')")  # the script goes on once it is saved
    assert page.locator("table.devices td:has-text('Passkey')").count() == 1
    screenshot("passkey-added")

    page.click("button:has-text('Sign out')")
    type_password(page, live_server, "inspector")
    page.wait_for_selector("h1:has-text('Second factor')")
    page.click("button:has-text('Use my passkey')")
    page.wait_for_selector("text=Sign out")
    page.wait_for_url("**/registrations/")
    screenshot("signed-in-with-passkey")
    assert page.url.endswith("/registrations/")
    assert actions_of("inspector") == [
        "auth.login",
        "auth.device_added",
        "auth.logout",
        "auth.login",
        "auth.second_factor_verified",
    ]
