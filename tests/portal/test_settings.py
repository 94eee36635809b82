"""Settings come from the environment, and production refuses to start insecurely."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def check(tmp_path, **env) -> subprocess.CompletedProcess:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is theirs alone: a deployment never has it.
    unwanted = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unwanted}
    environment.update(PORTAL_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def production(**extra) -> dict:
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_CHECKPOINT_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "portal.example.cn",
        "EVIDENCE_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "SUBSCRIBER_DATA_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "SUBSCRIBER_INDEX_KEY": secrets.token_urlsafe(32),
        "SMS_HTTP_URL": "https://sms.operator.example.cn/send",
        "SMS_HTTP_KEY": secrets.token_urlsafe(32),
        **extra,
    }


def test_production_starts_clean_with_its_variables_set(tmp_path):
    result = check(tmp_path, **production())
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"DEBUG": "true"}, "DEBUG must be off"),
        ({"AUDIT_CHECKPOINT_KEY": ""}, "AUDIT_CHECKPOINT_KEY must be set"),
        ({"EVIDENCE_KEYS": ""}, "EVIDENCE_KEYS must be set"),
        ({"EVIDENCE_KEYS": "not-a-fernet-key"}, "EVIDENCE_KEYS holds an invalid key"),
        ({"SUBSCRIBER_DATA_KEYS": ""}, "SUBSCRIBER_DATA_KEYS must be set"),
        ({"SUBSCRIBER_DATA_KEYS": "short"}, "SUBSCRIBER_DATA_KEYS holds an invalid key"),
        ({"SUBSCRIBER_INDEX_KEY": ""}, "SUBSCRIBER_INDEX_KEY must be set"),
        ({"REGISTRATION_CAP_PER_OPERATOR": "five"}, "must be a whole number"),
        ({"REGISTRATION_CAP_PER_OPERATOR": "0"}, "must be at least 1"),
        ({"SMS_BACKEND": "file"}, "In production SMS_BACKEND must be http"),
        ({"SMS_HTTP_KEY": ""}, "SMS_BACKEND=http needs SMS_HTTP_URL and SMS_HTTP_KEY"),
        ({"SMS_BACKEND": "pigeon"}, "SMS_BACKEND must be file, console or http"),
    ],
)
def test_production_refuses_to_start_without_what_it_needs(tmp_path, override, message):
    result = check(tmp_path, **production(**override))
    assert result.returncode != 0
    assert message in result.stderr


def test_a_local_secret_key_is_generated_once_and_kept(tmp_path):
    # Local settings start, but are not --deploy-clean: DEBUG is on, cookies are not secure...
    first_check = check(tmp_path, DJANGO_ENV="local")
    assert first_check.returncode == 1, first_check.stderr
    assert "SystemCheckError" in first_check.stderr
    assert "security.W018" in first_check.stderr, "the deploy checks ran (DEBUG is on)"
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    assert check(tmp_path, DJANGO_ENV="local").returncode == 1
    assert key_file.read_text() == first
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
