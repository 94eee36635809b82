"""The broker is down between the commit of a registration event and its delivery: the
event is delivered once the broker is back, exactly once, thanks to the outbox and its drain.

A real Celery worker (with its beat, which drains the outbox every 10 s) on PostgreSQL, and
a Redis of this test's own on port 6391 that the test stops and starts again. The webhook
goes to a local HTTP server in this process.
"""

import os
import shutil
import subprocess
import sys
import uuid
from contextlib import contextmanager

import pytest

from portal.api.models import WebhookMessage
from registrations import services
from tests.api.webhook_fixtures import online_registration
from tests.workers import ROOT, require_worker_setup, stop_worker, wait_for, worker_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
]

PORT = 6391
BROKER = f"redis://127.0.0.1:{PORT}/0"
RESULTS = f"redis://127.0.0.1:{PORT}/1"


def start_redis(tmp_path) -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", str(PORT), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_for(lambda: _redis_answers(), timeout=10)
    return process


def _redis_answers() -> bool:
    done = subprocess.run(
        ["redis-cli", "-p", str(PORT), "ping"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() == "PONG"


def stop_redis(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)


ENV_NAMES = ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")


@contextmanager
def celery_app_on(broker: str, results: str):
    """This process's Celery app sends to ``broker`` for the block (then back)."""
    from portal.celery import app

    before = app.conf.broker_url, app.conf.result_backend

    def switch(to_broker, to_results):
        app.conf.broker_url, app.conf.result_backend = to_broker, to_results
        # What Celery itself resets after a fork: connections to the old broker are dropped.
        app._after_fork()
        app._backend_cache = None
        app._local.__dict__.pop("backend", None)

    # Celery prefers CELERY_BROKER_URL from the environment (CI sets it) to its conf.
    saved_env = {name: os.environ.get(name) for name in ENV_NAMES}
    os.environ.update({"CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": results})
    switch(broker, results)
    try:
        yield app
    finally:
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        switch(*before)


def start_worker_with_beat(env: dict, log) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
        "--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=INFO",
        "--beat", f"--schedule={log.parent / 'beat-schedule'}",
        f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
    ]  # fmt: skip
    output = open(log, "wb")  # noqa: SIM115 - the worker writes it until it stops
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
    )


@pytest.fixture
def redis_of_this_test(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server")
    process = start_redis(tmp_path)
    state = {"process": process}
    yield state
    if state["process"].poll() is None:
        stop_redis(state["process"])


def test_an_event_committed_while_the_broker_is_down_is_delivered_once_it_is_back(
    redis_of_this_test, tmp_path, endpoint, receiver, partner_cmcc, cmcc, guangdong, caplog
):
    with celery_app_on(BROKER, RESULTS) as app:
        require_worker_setup()
        env = worker_env(tmp_path, WEBHOOK_ALLOW_PRIVATE_NETWORKS="1")
        worker = start_worker_with_beat(env, tmp_path / "worker.log")
        try:
            token = uuid.uuid4().hex
            assert app.send_task("portal.ping", args=[token]).get(timeout=60)["token"] == token

            stop_redis(redis_of_this_test["process"])
            registration = online_registration(
                partner=partner_cmcc, operator=cmcc, province=guangdong
            )
            services.registration_decide(
                registration=registration, decision="approved", reasons=[]
            )  # committed: the delivery queued after commit finds no broker
            assert "api.deliver_webhook not sent yet (attempt 1)" in caplog.text
            message = WebhookMessage.objects.get()
            assert message.state == WebhookMessage.State.PENDING
            assert receiver.received == []

            redis_of_this_test["process"] = start_redis(tmp_path)
            wait_for(lambda: receiver.received, timeout=120, interval=0.5)
            wait_for(
                lambda: WebhookMessage.objects.get().state == WebhookMessage.State.DELIVERED,
                timeout=30,
            )
            # Asked to deliver it again (a late task, another drain): nothing more is sent.
            again = app.send_task("api.deliver_webhook", kwargs={"message_pk": message.pk})
            assert again.get(timeout=60) == "not due"
            assert len(receiver.received) == 1
            assert receiver.received[0].headers["webhook-id"] == message.message_id
        finally:
            stop_worker(worker)
