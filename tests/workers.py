"""A real Celery worker process for tests, on the test database and a real broker.

The worker is another process: it sees only committed rows, so tests that use it need a
transactional database, and PostgreSQL (SQLite's test database lives in this process's
memory). The broker is the one this process's Celery app sends to; it must be Redis or
RabbitMQ (the embedded filesystem broker is for the demo).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def require_worker_setup() -> None:
    """Skip (fail on CI) unless the database is PostgreSQL and the broker a real server."""
    from portal.celery import app

    problems = []
    if connection.vendor != "postgresql":
        problems.append("the database is not PostgreSQL (set DATABASE_URL)")
    if not str(app.conf.broker_url).startswith(("redis://", "amqp://", "pyamqp://")):
        problems.append("the broker is not Redis or RabbitMQ (set CELERY_BROKER_URL)")
    if problems:
        if os.environ.get("CI"):
            pytest.fail("; ".join(problems))
        pytest.skip("; ".join(problems))


def worker_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a worker that shares this test's database, broker and evidence."""
    from portal.celery import app

    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": database_url + db["NAME"],
        "CELERY_BROKER_URL": str(app.conf.broker_url),
        "CELERY_RESULT_BACKEND": str(app.conf.result_backend),
        "PORTAL_VAR_DIR": str(var_dir),
        "EVIDENCE_ROOT": str(settings.EVIDENCE_ROOT),
        "EVIDENCE_KEYS": ",".join(settings.EVIDENCE_KEYS),
        # The subscribers' sealed names and ID numbers open with the test's keys only.
        "SUBSCRIBER_DATA_KEYS": ",".join(settings.SUBSCRIBER_DATA_KEYS),
        "SUBSCRIBER_INDEX_KEY": settings.SUBSCRIBER_INDEX_KEY,
        **extra,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def start_worker(env: dict[str, str], *, pool: str = "solo", log: Path | None = None):
    command = [
        sys.executable, "-m", "celery", "-A", "portal", "worker", f"--pool={pool}",
        "--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=INFO",
        f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
    ]  # fmt: skip
    output = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed by caller
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_until_ready(timeout: float = 60.0) -> None:
    """A ping task answered: the worker is consuming (and has loaded the face models)."""
    from portal.celery import app

    token = uuid.uuid4().hex
    result = app.send_task("portal.ping", args=[token])
    answer = result.get(timeout=timeout)
    assert answer["token"] == token


def stop_worker(process: subprocess.Popen, *, kill: bool = False) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def running_worker(var_dir: Path, *, pool: str = "solo", **extra: str):
    """A worker for the duration of the block; its log is kept in ``var_dir/worker.log``."""
    log = var_dir / f"worker-{uuid.uuid4().hex[:6]}.log"
    process = start_worker(worker_env(var_dir, **extra), pool=pool, log=log)
    try:
        wait_until_ready()
        yield process
    finally:
        stop_worker(process)


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
