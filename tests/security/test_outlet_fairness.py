"""Issue 10, hole 6: one outlet's heavy captures cannot delay another outlet's customers.

Three heavy uploads from one outlet held both workers and put a genuine customer's decision
at 77 s. Now a worker that takes a job of an outlet already running its share
(VERIFICATION_OUTLET_MAX_RUNNING) hands it back to the broker for a few seconds and takes the
next message: the slot goes to another outlet.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from registrations.models import Registration
from tests.factories import create_registration, ready_for_capture
from tests.verification.engine.makers import CLIP, CLIP_PORTRAIT
from tests.workers import require_worker_setup, running_worker, wait_for
from verification import services
from verification.models import Challenge, VerificationJob
from verification.services.jobs import OutletBusy
from verification.tasks import verification_job_run

RUNNING = VerificationJob.Status.RUNNING
QUEUED = VerificationJob.Status.QUEUED


def queued_job(users, outlet, staff="staff") -> VerificationJob:
    """A submitted registration with a job waiting for a worker (no media: never run)."""
    actor = users[staff]
    registration = create_registration(actor=actor, outlet=outlet, status="submitted")
    now = timezone.now()
    challenge = Challenge.objects.create(
        nonce=f"n-{registration.pk}",
        registration=registration,
        actions=["turn_left", "blink"],
        issued_to=actor,
        expires_at=now + timedelta(minutes=2),
        used_at=now,
    )
    return VerificationJob.objects.create(
        registration=registration, challenge=challenge, attempt=1, created_by=actor
    )


def running_job(users, outlet, *, started_ago_s: float = 1.0, staff="staff") -> VerificationJob:
    job = queued_job(users, outlet, staff)
    job.status = RUNNING
    job.deliveries = 1
    job.started_at = timezone.now() - timedelta(seconds=started_ago_s)
    job.save()
    return job


def reloaded(job: VerificationJob) -> VerificationJob:
    return VerificationJob.objects.get(pk=job.pk)


@pytest.mark.django_db
class TestTheDeferralRule:
    def test_a_job_of_a_busy_outlet_waits_while_another_outlets_job_starts(
        self, users, outlet_gd, outlet_bj
    ):
        running_job(users, outlet_gd)
        waiting = queued_job(users, outlet_gd)
        other = queued_job(users, outlet_bj, staff="staff_bj")

        with pytest.raises(OutletBusy) as busy:
            services.verification_job_start(job_id=waiting.pk)
        started = services.verification_job_start(job_id=other.pk)

        assert busy.value.countdown_s == 2
        waiting = reloaded(waiting)
        assert (waiting.status, waiting.deliveries, waiting.started_at) == (QUEUED, 0, None)
        assert waiting.registration.status == Registration.Status.SUBMITTED
        assert started is not None
        assert reloaded(other).status == RUNNING

    def test_the_limit_is_a_setting(self, settings, users, outlet_gd):
        settings.VERIFICATION_OUTLET_MAX_RUNNING = 2
        running_job(users, outlet_gd)
        second, third = queued_job(users, outlet_gd), queued_job(users, outlet_gd)

        assert services.verification_job_start(job_id=second.pk) is not None
        with pytest.raises(OutletBusy):
            services.verification_job_start(job_id=third.pk)

    def test_only_live_runs_of_other_jobs_hold_the_slot(self, settings, users, outlet_gd):
        # A job stuck running past the sweep bound (its worker is gone) holds nothing...
        running_job(users, outlet_gd, started_ago_s=settings.VERIFICATION_STUCK_AFTER_S + 5)
        # ...and a job redelivered after its worker died does not wait for itself...
        redelivered = running_job(users, outlet_gd)
        VerificationJob.objects.filter(pk=redelivered.pk).update(
            started_at=timezone.now() - timedelta(seconds=60)
        )
        assert services.verification_job_start(job_id=redelivered.pk) is not None
        assert reloaded(redelivered).deliveries == 2
        # ...but, running again, it holds the slot against the next one.
        with pytest.raises(OutletBusy):
            services.verification_job_start(job_id=queued_job(users, outlet_gd).pk)

    def test_the_task_sends_the_job_again_later_and_spends_no_retry(
        self, users, outlet_gd, monkeypatch
    ):
        running_job(users, outlet_gd)
        waiting = queued_job(users, outlet_gd)
        VerificationJob.objects.filter(pk=waiting.pk).update(
            queued_at=timezone.now() - timedelta(minutes=4)
        )
        sent = []
        monkeypatch.setattr(
            verification_job_run, "apply_async", lambda **options: sent.append(options)
        )

        assert verification_job_run(str(waiting.pk)) == "deferred"

        assert sent == [{"kwargs": {"job_id": str(waiting.pk)}, "countdown": 2}]
        # Waiting for its turn is not being stuck: the sweeper leaves it alone.
        assert reloaded(waiting).queued_at > timezone.now() - timedelta(seconds=30)
        assert services.verification_jobs_sweep() == []


@pytest.mark.slow
@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_serves_another_outlet_while_the_busy_one_waits(
    settings, users, outlet_gd, outlet_bj, tmp_path
):
    """One worker process (solo pool). Outlet GD has a job running elsewhere; GD's next job is
    sent first, BJ's second: the worker runs BJ's, GD's waits until GD's slot frees."""
    require_worker_setup()
    from portal.celery import app

    settings.VERIFICATION_CHALLENGE_ACTIONS = ["turn_left", "blink"]
    portrait, clip = Path(CLIP_PORTRAIT).read_bytes(), Path(CLIP).read_bytes()

    def captured(outlet, staff) -> VerificationJob:
        registration = create_registration(actor=users[staff], outlet=outlet)
        ready_for_capture(registration, users[staff], portrait)
        challenge = services.challenge_issue(registration=registration, actor=users[staff])
        return services.capture_submit(
            registration=registration, actor=users[staff], nonce=challenge.nonce, data=clip
        )

    elsewhere = captured(outlet_gd, "staff")  # "running on another worker":
    app.control.purge()  # its message is gone, its row says running
    VerificationJob.objects.filter(pk=elsewhere.pk).update(
        status=RUNNING, deliveries=1, started_at=timezone.now()
    )
    busy_outlets = captured(outlet_gd, "staff")
    other_outlets = captured(outlet_bj, "staff_bj")

    with running_worker(tmp_path):
        wait_for(lambda: reloaded(other_outlets).status == VerificationJob.Status.DONE, 90)
        waiting = reloaded(busy_outlets)
        assert (waiting.status, waiting.deliveries) == (QUEUED, 0)

        VerificationJob.objects.filter(pk=elsewhere.pk).update(
            status=VerificationJob.Status.DONE,
            outcome=VerificationJob.Outcome.REVIEW,
            finished_at=timezone.now(),
        )
        wait_for(lambda: reloaded(busy_outlets).status == VerificationJob.Status.DONE, 90)

    assert reloaded(busy_outlets).started_at > reloaded(other_outlets).started_at
    assert reloaded(busy_outlets).deliveries == 1
