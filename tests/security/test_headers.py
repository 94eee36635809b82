"""Issue 10, hole 12: pages with personal data are never cached, and a strict CSP holds.

Reproduced: authenticated pages had no ``Cache-Control`` (a shared computer's browser kept
them) and no Content-Security-Policy or Permissions-Policy.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import create_registration, sign_in, store_stand_in_portrait
from verification.models import Consent

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_of_a_signed_in_person_is_not_stored(client, users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    sign_in(client, users["staff"])
    for url in ("/registrations/", f"/registrations/{registration.pk}/", "/registrations/new/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store", url


def test_the_policy_allows_only_the_portals_own_scripts_and_styles(client, users):
    sign_in(client, users["inspector"])
    policy = client.get("/registrations/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_no_page_may_use_the_camera_but_the_capture_page(client, users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    Consent.objects.create(
        registration=registration, text_version="2026-12", recorded_by=users["staff"]
    )
    store_stand_in_portrait(registration)
    sign_in(client, users["staff"])
    assert "camera=()" in client.get("/registrations/")["Permissions-Policy"]
    assert "camera=()" in client.get("/accounts/login/")["Permissions-Policy"]
    capture = client.get(f"/registrations/{registration.pk}/capture/")
    assert capture.status_code == 200
    assert "camera=(self)" in capture["Permissions-Policy"]


def test_no_template_holds_inline_script_or_style():
    """What lets the policy stay strict: every script and style is a file of static/."""
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for needle in ("<style", " style=", " onclick=", " onload=", "javascript:"):
            if needle in text:
                offenders.append(f"{template.relative_to(ROOT)}: {needle.strip()}")
        for line in text.splitlines():
            if "<script" in line and " src=" not in line:
                offenders.append(f"{template.relative_to(ROOT)}: inline <script>")
    assert offenders == []


def test_the_deployment_check_stays_clean_with_the_policy(tmp_path):
    import base64
    import os
    import secrets

    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG"}}
    environment.update(
        DJANGO_ENV="production", SECRET_KEY=secrets.token_urlsafe(50),
        AUDIT_CHECKPOINT_KEY=secrets.token_urlsafe(32), ALLOWED_HOSTS="portal.example.cn",
        EVIDENCE_KEYS=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        SUBSCRIBER_DATA_KEYS=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        SUBSCRIBER_INDEX_KEY=secrets.token_urlsafe(32),
        SMS_HTTP_URL="https://sms.operator.example.cn/send", SMS_HTTP_KEY=secrets.token_urlsafe(32),
        PORTAL_VAR_DIR=str(tmp_path),
    )  # fmt: skip
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
