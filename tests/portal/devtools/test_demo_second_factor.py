"""Issue 10: every demo login signs in with its second factor, no authenticator app needed."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

DEMO_PASSWORD = "demo-password-under-test"

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def signed_in_with(username: str, code: str) -> bool:
    client = Client()
    client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    client.post("/accounts/second-factor/", {"code": code})
    return client.get("/accounts/security/").status_code == 200


def test_each_printed_login_signs_in_with_a_printed_backup_code_or_demo_otp(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    output = run("seed_demo", registrations=0)
    logins = re.findall(r"^  (\S+) ", output, flags=re.MULTILINE)
    table = re.findall(r"^    (\S+) +(\S+) +(\S+)", output, flags=re.MULTILINE)
    assert table[0] == ("username", "password", "backup")
    assert all(password == DEMO_PASSWORD for _, password, _ in table[1:])
    codes = {username: code for username, _, code in table[1:]}
    people = [name for name in logins if name != "partner_cmcc"]  # a service account: no pages
    assert {"ministry_admin", "inspector", "carrier_admin_cmcc"} <= set(people)

    for username in people:
        assert signed_in_with(username, codes[username]), username
    for username in ("inspector_gd", "carrier_admin_cucc"):
        assert signed_in_with(username, run("demo_otp", username).strip()), username

    again = run("seed_demo", registrations=0)
    # A re-run keeps the apps and prints the codes still unspent.
    assert codes["inspector"] not in again
    assert re.search(r"^    inspector_gd +\S+", again, flags=re.MULTILINE)
