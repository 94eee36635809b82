"""A capture committed while the broker is down: its job waits in the outbox and runs within
a minute of the broker's return, sent by the relay (not, five minutes later, by the sweeper).

A real worker with its beat on PostgreSQL and a Redis of this test's own (port 6391) that the
test stops and starts again, the face engine on the shared clip.
"""

import time

import pytest

from portal.audit.models import AuditEvent
from portal.outbox.models import OutboxMessage
from tests.api.test_partner_flow_e2e import WORKER_ENV
from tests.api.test_webhook_broker_down import (  # noqa: F401 - the fixture
    BROKER,
    RESULTS,
    celery_app_on,
    redis_of_this_test,
    start_redis,
    start_worker_with_beat,
    stop_redis,
)
from tests.factories import create_registration, ready_for_capture
from tests.workers import require_worker_setup, stop_worker, wait_for, worker_env
from verification import services
from verification.models import VerificationJob

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
]


def test_a_job_committed_while_the_broker_is_down_runs_soon_after_it_is_back(
    redis_of_this_test,  # noqa: F811 - the fixture imported above
    tmp_path,
    users,
    outlet_gd,
    portrait_bytes,
    clip_bytes,
    clip_challenge,
):
    staff = users["staff"]
    with celery_app_on(BROKER, RESULTS) as app:
        require_worker_setup()
        worker = start_worker_with_beat(worker_env(tmp_path, **WORKER_ENV), tmp_path / "worker.log")
        try:
            assert app.send_task("portal.ping", args=["up"]).get(timeout=60)["token"] == "up"
            draft = ready_for_capture(
                create_registration(actor=staff, outlet=outlet_gd), staff, portrait_bytes
            )
            challenge = services.challenge_issue(registration=draft, actor=staff)

            stop_redis(redis_of_this_test["process"])
            job = services.capture_submit(
                registration=draft, actor=staff, nonce=challenge.nonce, data=clip_bytes,
                source="camera",
            )  # fmt: skip
            waiting = OutboxMessage.objects.get()
            assert (waiting.task_name, waiting.attempts) == ("verification.run_job", 1)

            back_at = time.monotonic()
            redis_of_this_test["process"] = start_redis(tmp_path)
            wait_for(lambda: VerificationJob.objects.get(pk=job.pk).done, timeout=120, interval=0.5)
            recovered_s = time.monotonic() - back_at
            print(f"\nbroker back -> job decided: {recovered_s:.1f} s")
        finally:
            stop_worker(worker)
    assert recovered_s < 60, f"{recovered_s:.1f} s after the broker came back"
    job.refresh_from_db()
    assert job.outcome == "approved", job.reasons
    assert not OutboxMessage.objects.exists(), "sent, then deleted"
    assert not AuditEvent.objects.filter(action="verification.requeued").exists(), (
        "the relay sent it, not the sweeper"
    )
    assert AuditEvent.objects.filter(action="verification.completed").count() == 1
