"""Secrets may come from files (``*_FILE``), and importing the settings creates nothing."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRETS = (
    "SECRET_KEY",
    "AUDIT_CHECKPOINT_KEY",
    "EVIDENCE_KEYS",
    "DATABASE_URL",
    "SUBSCRIBER_DATA_KEYS",
    "SUBSCRIBER_INDEX_KEY",
)


def import_settings(tmp_path, code: str, **env) -> subprocess.CompletedProcess:
    """Run ``code`` after importing portal.settings in a fresh interpreter."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in SECRETS and not k.endswith("_FILE") and k != "DJANGO_ENV"
    }
    environment.update(env)
    script = f"import portal.settings as s\n{code}"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def fernet_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def test_each_secret_can_be_read_from_the_file_its_FILE_variable_names(tmp_path):
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_CHECKPOINT_KEY": secrets.token_urlsafe(32),
        "EVIDENCE_KEYS": f"{fernet_key()},{fernet_key()}",
        "DATABASE_URL": "postgres://portal:pw@db.internal:5432/portal",
        "SUBSCRIBER_DATA_KEYS": f"{fernet_key()},{fernet_key()}",
        "SUBSCRIBER_INDEX_KEY": secrets.token_urlsafe(32),
        "SMS_HTTP_KEY": secrets.token_urlsafe(32),
    }
    files = {}
    for name, value in values.items():
        path = tmp_path / name.lower()
        path.write_text(value + "\n")  # a trailing newline, as `echo` writes it
        files[f"{name}_FILE"] = str(path)
    result = import_settings(
        tmp_path,
        "print(s.SECRET_KEY); print(s.AUDIT_CHECKPOINT_KEY); print(','.join(s.EVIDENCE_KEYS));"
        "print(s.DATABASES['default']['HOST']); print(','.join(s.SUBSCRIBER_DATA_KEYS));"
        "print(s.SUBSCRIBER_INDEX_KEY); print(s.SMS_HTTP_KEY)",
        DJANGO_ENV="production",
        ALLOWED_HOSTS="portal.example.cn",
        SMS_HTTP_URL="https://sms.operator.example.cn/send",
        **files,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        values["SECRET_KEY"],
        values["AUDIT_CHECKPOINT_KEY"],
        values["EVIDENCE_KEYS"],
        "db.internal",
        values["SUBSCRIBER_DATA_KEYS"],
        values["SUBSCRIBER_INDEX_KEY"],
        values["SMS_HTTP_KEY"],
    ]


def test_a_secret_given_twice_or_in_a_missing_file_is_refused_by_name(tmp_path):
    twice = import_settings(
        tmp_path, "", SECRET_KEY="x" * 50, SECRET_KEY_FILE=str(tmp_path / "key")
    )
    assert twice.returncode != 0
    assert "Set SECRET_KEY or SECRET_KEY_FILE, not both" in twice.stderr
    missing = import_settings(tmp_path, "", SECRET_KEY_FILE=str(tmp_path / "nowhere"))
    assert missing.returncode != 0
    assert "SECRET_KEY_FILE names" in missing.stderr and "cannot be read" in missing.stderr


def test_importing_the_settings_creates_no_directory(tmp_path):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    before = sorted(tmp_path.rglob("*"))
    # The local defaults (SQLite, the filesystem broker, results on disk, static files under
    # var/): the places they write to are made when the site starts, not on import.
    result = import_settings(
        tmp_path,
        "print(s.CELERY_BROKER_URL, s.STATIC_ROOT)",
        PORTAL_VAR_DIR=str(var_dir),
        SECRET_KEY="k" * 50,
        AUDIT_CHECKPOINT_KEY="a" * 32,
        EVIDENCE_KEYS=fernet_key(),
        SUBSCRIBER_DATA_KEYS=fernet_key(),
        SUBSCRIBER_INDEX_KEY="i" * 32,
        OPS_TOKEN="o" * 32,
        CELERY_BROKER_URL="filesystem://",
        CELERY_RESULT_BACKEND="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("filesystem://")  # the default that used to make folders
    assert sorted(tmp_path.rglob("*")) == before


def test_the_local_folders_are_made_when_the_site_starts(tmp_path):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    result = run_manage(var_dir, "check")
    assert result.returncode == 0, result.stderr
    for folder in ("celery/queue", "celery/processed", "celery/results", "staticfiles"):
        assert (var_dir / folder).is_dir(), folder


# --- Local state is private: var/ 0700, the SQLite file and the generated keys 0600 ----------

GENERATED_KEYS = (
    "secret_key",
    "audit_checkpoint_key",
    "evidence_key",
    "subscriber_data_key",
    "subscriber_index_key",
)


def run_manage(var_dir, *args) -> subprocess.CompletedProcess:
    """manage.py with the local defaults (SQLite and keys under var_dir), under the common
    umask 022 that would leave new files readable by everyone."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in SECRETS and k != "DJANGO_ENV"},
            "PORTAL_VAR_DIR": str(var_dir),
            "CELERY_BROKER_URL": "filesystem://",
            "CELERY_RESULT_BACKEND": "",
            "STATIC_ROOT": "",
        },
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),
    )


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_manage_py_makes_var_private_and_the_generated_keys_too(tmp_path):
    var_dir = tmp_path / "var"

    result = run_manage(var_dir, "check")

    assert result.returncode == 0, result.stderr
    assert mode(var_dir) == 0o700
    for name in GENERATED_KEYS:
        assert mode(var_dir / name) == 0o600, name


def test_the_sqlite_database_is_created_private(tmp_path):
    var_dir = tmp_path / "var"
    code = "from django.db import connection; connection.ensure_connection()"

    result = run_manage(var_dir, "shell", "-c", code)

    assert result.returncode == 0, result.stderr
    assert mode(var_dir / "portal.sqlite3") == 0o600


def test_state_left_readable_by_an_older_version_is_made_private_at_start(tmp_path):
    var_dir = tmp_path / "var"
    var_dir.mkdir(mode=0o755)
    var_dir.chmod(0o755)
    database = var_dir / "portal.sqlite3"
    database.touch()
    database.chmod(0o644)
    key = var_dir / "evidence_key"
    key.write_text(fernet_key())
    key.chmod(0o644)

    result = run_manage(var_dir, "check")

    assert result.returncode == 0, result.stderr
    assert (mode(var_dir), mode(database), mode(key)) == (0o700, 0o600, 0o600)
