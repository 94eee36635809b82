"""The fault tests' stack: Redis of their own, gunicorn, workers, one beat, a partner and a
webhook receiver, on the test's PostgreSQL database."""

import json
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest

from portal.api.services import api_key_create
from portal.audit.models import AuditEvent
from portal.audit.verification import verify_chain
from registrations.models import Registration
from tests.api.test_webhook_broker_down import celery_app_on
from tests.api.webhook_receiver import receiver  # noqa: F401 - the fixture
from tests.faults.harness import (
    BROKER,
    PROCESS_ENV,
    RESULTS,
    Partner,
    RedisServer,
    WebServer,
    start_beat,
)
from tests.workers import require_worker_setup, stop_worker, wait_for, worker_env
from verification.models import VerificationJob

DECIDED_WITHIN_S = 180


@dataclass
class Stack:
    redis: RedisServer
    web: WebServer
    partner: Partner
    env: dict
    folder: object
    processes: list = field(default_factory=list)

    def keep(self, process):
        """Stopped at the end of the test, whatever happens."""
        self.processes.append(process)
        return process


@pytest.fixture
def stack(tmp_path, users, cmcc, receiver):  # noqa: F811 - the fixture imported above
    redis = RedisServer(tmp_path)
    redis.start()
    with celery_app_on(BROKER, RESULTS):
        require_worker_setup()
        env = worker_env(tmp_path, **PROCESS_ENV)
        web = WebServer(env, tmp_path)
        _, key = api_key_create(operator=cmcc, name="Fault test shop", actor=users["carrier_admin"])
        partner = Partner(web.url, key)
        stack = Stack(redis=redis, web=web, partner=partner, env=env, folder=tmp_path)
        stack.keep(start_beat(env, tmp_path))
        try:
            web.start()
            partner.webhook_endpoint(receiver.url)
            yield stack
        finally:
            partner.close()
            web.stop()
            for process in stack.processes:
                stop_worker(process, kill=True)
            redis.stop()


def wait_until_ready(timeout: float = 90.0) -> None:
    """A ping answered by some worker: they consume (the face models are loaded)."""
    from tests.workers import wait_until_ready as ping

    ping(timeout)


def running_jobs() -> set:
    return set(
        VerificationJob.objects.filter(status=VerificationJob.Status.RUNNING).values_list(
            "pk", flat=True
        )
    )


def all_decided(ids) -> bool:
    decided = Registration.objects.filter(pk__in=ids, status=Registration.Status.APPROVED)
    return decided.count() == len(ids)


def seconds_until(predicate, since: float, timeout: float = DECIDED_WITHIN_S) -> float:
    wait_for(predicate, timeout=timeout, interval=0.25)
    return time.monotonic() - since


def decided_webhooks(receiver) -> list[dict]:  # noqa: F811 - the fixture's value
    payloads = [json.loads(delivery.body) for delivery in receiver.received]
    return [p for p in payloads if p["type"] == "registration.decided"]


def assert_each_decided_once(ids: list[str], receiver) -> None:  # noqa: F811
    """Every registration approved by exactly one job, with one decision in the audit trail
    (still a chain), and one webhook each: no duplicate."""
    wait_for(lambda: all_decided(ids), timeout=DECIDED_WITHIN_S, interval=0.25)
    assert Registration.objects.filter(channel=Registration.Channel.ONLINE).count() == len(ids), (
        "no registration was made twice by a retried request"
    )
    for registration_id in ids:
        jobs = list(VerificationJob.objects.filter(registration_id=registration_id))
        assert len(jobs) == 1, f"{registration_id}: {len(jobs)} jobs"
        assert (jobs[0].status, jobs[0].outcome) == ("done", "approved"), jobs[0].reasons
    for action in ("verification.completed", "registration.decided"):
        per_registration = Counter(
            AuditEvent.objects.filter(action=action, object_id__in=ids).values_list(
                "object_id", flat=True
            )
        )
        assert per_registration == dict.fromkeys(ids, 1), (action, per_registration)
    assert verify_chain().intact

    wait_for(lambda: len(decided_webhooks(receiver)) >= len(ids), timeout=60, interval=0.25)
    time.sleep(2)  # a duplicate would come right behind
    webhooks = decided_webhooks(receiver)
    per_registration = Counter(w["data"]["registration_id"] for w in webhooks)
    assert per_registration == dict.fromkeys(ids, 1), per_registration
