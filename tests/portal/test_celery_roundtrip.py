"""A task goes through a real broker to a real worker process and its result comes back."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from celery import Celery
from celery.exceptions import TimeoutError

ROOT = Path(__file__).resolve().parents[2]
REAL_BROKERS = ("redis://", "rediss://", "amqp://", "pyamqp://")


def reachable(broker_url: str) -> bool:
    address = urlsplit(broker_url)
    default_port = 6379 if broker_url.startswith(("redis://", "rediss://")) else 5672
    try:
        with socket.create_connection(
            (address.hostname or "127.0.0.1", address.port or default_port), timeout=1
        ):
            return True
    except OSError:
        return False


def client_app(broker_url: str, var_dir: Path) -> Celery:
    """A producer configured as the portal's settings would be for this environment."""
    # Not the current app: the portal's enqueue() sends through current_app, and later tests
    # must still find the portal's own there.
    app = Celery("roundtrip-client", set_as_current=False)
    if broker_url.startswith("filesystem://"):
        queue = var_dir / "celery" / "queue"
        queue.mkdir(parents=True, exist_ok=True)
        app.conf.broker_transport_options = {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "control_folder": str(var_dir / "celery" / "control"),
        }
    if broker_url.startswith(("redis://", "rediss://")):
        backend = broker_url
    else:  # as the portal's settings do: results in files under var/ unless on Redis
        backend = f"file://{var_dir / 'celery' / 'results'}"
        (var_dir / "celery" / "results").mkdir(parents=True, exist_ok=True)
    app.conf.update(broker_url=broker_url, result_backend=backend, task_serializer="json")
    return app


def start_worker(broker_url: str, var_dir: Path, queue: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker_url,
        "PORTAL_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    env.pop("CELERY_RESULT_BACKEND", None)
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
         "--without-gossip", "--without-mingle", "--loglevel=WARNING", f"--queues={queue}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


BROKERS = [
    # The Redis or RabbitMQ server the suite is run with (CI sets CELERY_BROKER_URL).
    pytest.param(os.environ.get("CELERY_BROKER_URL", ""), id="configured-broker"),
    pytest.param("filesystem://", id="embedded-filesystem"),
]


@pytest.mark.slow
@pytest.mark.broker
@pytest.mark.parametrize("broker_url", BROKERS)
def test_a_task_makes_a_round_trip_through_a_real_worker(broker_url, tmp_path, monkeypatch):
    # Skipped here without a real broker; on CI (``CI`` set) tests/conftest.py fails it instead.
    if broker_url != "filesystem://":
        if not broker_url.startswith(REAL_BROKERS):
            pytest.skip("CELERY_BROKER_URL names no Redis or RabbitMQ server")
        if not reachable(broker_url):
            pytest.skip("the broker that CELERY_BROKER_URL names is not running")
    # Celery lets these variables override the app's own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)
    # A queue of its own: the broker is shared with the rest of the suite, whose queued
    # verification jobs are not this worker's to take.
    queue = f"roundtrip-{uuid.uuid4().hex[:8]}"
    worker = start_worker(broker_url, tmp_path, queue)
    token = uuid.uuid4().hex
    answer = None
    try:
        client = client_app(broker_url, tmp_path)
        result = client.send_task("portal.ping", args=[token], queue=queue)
        answer = result.get(timeout=60)
    except TimeoutError:
        pass
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert answer is not None, f"no answer from the worker; it said:\n{output}"
    assert answer["token"] == token, output
    assert answer["worker_pid"] != str(os.getpid()), "answered by another process"
