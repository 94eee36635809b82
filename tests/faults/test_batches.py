"""A batch of registrations through the real upload endpoint while a part of the portal dies:
every one gets exactly one decision, one audit trail and one webhook, and each test prints
how long the portal took to recover.

Real processes throughout (tests/faults/harness.py): gunicorn, Celery workers and a beat on
PostgreSQL, a Redis of the tests' own, the face engine on the shared clip.
"""

import os
import signal
import time

import pytest

from tests.faults.conftest import (
    all_decided,
    assert_each_decided_once,
    running_jobs,
    seconds_until,
    wait_until_ready,
)
from tests.faults.harness import (
    in_background,
    pool_children,
    start_worker,
    submit_batch,
    terminate_connections,
)
from tests.workers import wait_for
from verification.models import VerificationJob

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
]

BATCH = 6
WEB_RESTARTS = 2  # at least, each during an upload; more while none has cut one off


def jobs_done(job_ids) -> bool:
    done = VerificationJob.objects.filter(pk__in=job_ids, status=VerificationJob.Status.DONE)
    return done.count() == len(job_ids)


def report(what: str, seconds: float) -> None:
    print(f"\n{what}: {seconds:.1f} s")


def test_a_pool_process_killed_mid_job_loses_nothing(stack, receiver):
    worker = stack.keep(start_worker(stack.env, stack.folder, pool="prefork", concurrency=2))
    wait_until_ready()
    with in_background(lambda: submit_batch(stack.partner, BATCH)) as submitted:
        running = wait_for(running_jobs, timeout=120, interval=0.05)
        os.kill(pool_children(worker.pid)[0], signal.SIGKILL)
        killed_at = time.monotonic()
    report(
        "pool process killed -> its jobs decided",
        seconds_until(lambda: jobs_done(running), killed_at),
    )
    assert_each_decided_once(submitted[0], receiver)


def test_a_worker_main_process_killed_mid_job_loses_nothing(stack, receiver):
    doomed = start_worker(stack.env, stack.folder, pool="prefork", concurrency=1)
    stack.keep(doomed)
    stack.keep(start_worker(stack.env, stack.folder))
    wait_until_ready()
    with in_background(lambda: submit_batch(stack.partner, BATCH)) as submitted:
        running = wait_for(running_jobs, timeout=120, interval=0.05)
        os.kill(doomed.pid, signal.SIGKILL)  # the main process only: its pool is orphaned
        killed_at = time.monotonic()
    report(
        "worker main process killed -> the jobs it held decided (by the other worker, "
        "after the sweeper's 30 s)",
        seconds_until(lambda: jobs_done(running), killed_at),
    )
    assert_each_decided_once(submitted[0], receiver)


def test_the_broker_killed_and_restarted_mid_batch_loses_nothing(stack, receiver):
    for _ in range(2):
        stack.keep(start_worker(stack.env, stack.folder))
    wait_until_ready()
    with in_background(lambda: submit_batch(stack.partner, BATCH)) as submitted:
        wait_for(running_jobs, timeout=120, interval=0.05)
        stack.redis.kill()
        time.sleep(3)  # uploads go on meanwhile: their jobs wait in the outbox
        stack.redis.start()
        back_at = time.monotonic()
    ids = submitted[0]
    report("broker back -> the batch decided", seconds_until(lambda: all_decided(ids), back_at))
    # The workers consume again (Celery's reconnection): a batch sent after it is decided too.
    later = submit_batch(stack.partner, 2)
    report(
        "after the restart, a new batch decided", seconds_until(lambda: all_decided(later), back_at)
    )
    assert_each_decided_once(ids + later, receiver)


def test_database_connections_terminated_during_jobs_and_requests_lose_nothing(stack, receiver):
    for _ in range(2):
        stack.keep(start_worker(stack.env, stack.folder))
    wait_until_ready()
    database = stack.env["DATABASE_URL"].rsplit("/", 1)[1]
    terminated = 0
    with in_background(lambda: submit_batch(stack.partner, BATCH)) as submitted:
        wait_for(running_jobs, timeout=120, interval=0.05)
        for _ in range(5):
            terminated += terminate_connections(database)
            time.sleep(1.5)
        last_at = time.monotonic()
    ids = submitted[0]
    report(
        f"{terminated} connections terminated -> the batch decided",
        seconds_until(lambda: all_decided(ids), last_at),
    )
    assert terminated >= 5
    assert 500 not in stack.partner.seen, stack.partner.seen
    assert_each_decided_once(ids, receiver)


def test_the_web_process_restarted_during_uploads_counts_nothing_twice(stack, receiver):
    stack.keep(start_worker(stack.env, stack.folder))
    wait_until_ready()
    partner, restarts = stack.partner, 0
    with in_background(lambda: submit_batch(partner, BATCH)) as submitted:
        # Killed while a capture is on the wire, not on a timer: a fast machine sent the whole
        # batch between two timed kills, which then cut nothing off.
        while restarts < WEB_RESTARTS or not partner.cut_off:
            wait_for(lambda: partner.uploads_in_flight or submitted, timeout=120, interval=0.005)
            if submitted:
                break
            stack.web.kill()
            stack.web.start()
            restarts += 1
        back_at = time.monotonic()
    ids = submitted[0]
    report("web restarted -> the batch decided", seconds_until(lambda: all_decided(ids), back_at))
    print(f"{restarts} restarts cut {partner.cut_off} requests off; answers: {dict(partner.seen)}")
    assert partner.cut_off, f"no restart met a request in flight: {partner.seen}"
    assert_each_decided_once(ids, receiver)
