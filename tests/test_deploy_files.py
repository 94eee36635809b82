"""The deployment's files agree with the code: what the units start exists, each secret they
hand over is one the settings read from a file, and gunicorn's settings load."""

import re
import runpy
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
SETTINGS = (ROOT / "portal" / "settings.py").read_text()


def directives(unit: Path, name: str) -> list[str]:
    return [
        line.split("=", 1)[1]
        for line in unit.read_text().splitlines()
        if line.startswith(f"{name}=")
    ]


def test_there_are_the_web_worker_and_beat_units():
    assert {unit.stem for unit in UNITS} == {"portal-web", "portal-worker", "portal-beat"}


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.stem)
def test_each_unit_starts_a_program_of_the_virtualenv(unit):
    (command,) = directives(unit, "ExecStart")
    program, *arguments = shlex.split(command)
    assert program.startswith("/srv/portal/.venv/bin/")
    assert (ROOT / ".venv" / "bin" / Path(program).name).exists(), program
    if Path(program).name == "celery":
        assert arguments[:2] == ["-A", "portal"]
    else:
        assert "portal.wsgi" in arguments
        config = arguments[arguments.index("--config") + 1]
        assert (ROOT / config.removeprefix("/srv/portal/")).exists()


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.stem)
def test_each_credential_becomes_a_secret_the_settings_read_from_a_file(unit):
    credentials = {value.split(":", 1)[0] for value in directives(unit, "LoadCredential")}
    handed = dict(
        re.findall(r"([A-Z_]+)_FILE=%d/([a-z_]+)", " ".join(directives(unit, "Environment")))
    )
    assert set(handed.values()) == credentials, "a credential loaded but not handed, or not loaded"
    for name in handed:
        assert f'env_secret("{name}"' in SETTINGS, f"{name} is not read with env_secret"
    for needed in ("SECRET_KEY", "EVIDENCE_KEYS", "SUBSCRIBER_DATA_KEYS", "DATABASE_URL"):
        assert needed in handed, f"{unit.stem} would not start in production without {needed}"


def test_gunicorn_settings_load_with_a_worker_a_core(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert config["workers"] == 3
    assert "%(U)s" in config["access_log_format"], "the path, never the query string"
    assert callable(config["child_exit"])
