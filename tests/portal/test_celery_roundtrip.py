"""A task goes through a real broker to a real worker process and its result comes back."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery
from celery.exceptions import TimeoutError

ROOT = Path(__file__).resolve().parents[2]


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def client_app(broker_url: str, var_dir: Path) -> Celery:
    """A producer configured as the portal's settings would be for this environment."""
    app = Celery("roundtrip-client")
    if broker_url.startswith("filesystem://"):
        queue = var_dir / "celery" / "queue"
        queue.mkdir(parents=True, exist_ok=True)
        app.conf.broker_transport_options = {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "control_folder": str(var_dir / "celery" / "control"),
        }
        backend = f"file://{var_dir / 'celery' / 'results'}"
        (var_dir / "celery" / "results").mkdir(parents=True, exist_ok=True)
    else:
        backend = broker_url
    app.conf.update(broker_url=broker_url, result_backend=backend, task_serializer="json")
    return app


def start_worker(broker_url: str, var_dir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker_url,
        "PORTAL_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    env.pop("CELERY_RESULT_BACKEND", None)
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
         "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


BROKERS = [
    pytest.param("redis://127.0.0.1:6379/15", id="redis"),
    pytest.param("filesystem://", id="embedded-filesystem"),
]


@pytest.mark.broker
@pytest.mark.parametrize("broker_url", BROKERS)
def test_a_task_makes_a_round_trip_through_a_real_worker(broker_url, tmp_path, monkeypatch):
    if broker_url.startswith("redis") and not redis_reachable():
        if os.environ.get("CI"):
            pytest.fail("Redis must be up on CI")
        pytest.skip("Redis is not running here")
    # Celery lets these variables override the app's own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)
    worker = start_worker(broker_url, tmp_path)
    token = uuid.uuid4().hex
    answer = None
    try:
        result = client_app(broker_url, tmp_path).send_task("portal.ping", args=[token])
        answer = result.get(timeout=60)
    except TimeoutError:
        pass
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert answer is not None, f"no answer from the worker; it said:\n{output}"
    assert answer["token"] == token, output
    assert answer["worker_pid"] != str(os.getpid()), "answered by another process"
