"""Verification jobs through a real Celery worker process, PostgreSQL and a real broker.

What the in-process flow tests cannot show: a message delivered twice, a worker killed in the
middle of a job, a worker that is down when the capture arrives.
"""

import os
import signal
from datetime import timedelta
from pathlib import Path

import cv2
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest  # axes needs a request to authenticate
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from registrations.models import Registration
from tests.factories import PASSWORD, create_registration, ready_for_capture
from tests.verification.engine.makers import CLIP, read_frames
from tests.workers import (
    require_worker_setup,
    running_worker,
    start_worker,
    stop_worker,
    wait_for,
    wait_until_ready,
    worker_env,
)
from verification import errors, services
from verification.models import BiometricEvidence, Challenge, VerificationJob
from verification.tasks import verification_job_run

pytestmark = [pytest.mark.slow, pytest.mark.broker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def worker_setup():
    require_worker_setup()


@pytest.fixture(scope="session")
def long_clip_bytes(tmp_path_factory) -> bytes:
    """The shared clip forwards then backwards (20 s, VP8 WebM, without a cut, which the
    engine would refuse as a splice): a few seconds of engine time, long enough to find the
    job running and kill its worker."""
    frames = read_frames(CLIP)
    height, width = frames[0].shape[:2]
    path = tmp_path_factory.mktemp("clips") / "long.webm"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"VP80"), 25.0, (width, height))
    assert writer.isOpened()
    for frame in frames + frames[::-1]:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path.read_bytes()


@pytest.fixture
def draft(users, outlet_gd, portrait_bytes, clip_challenge) -> Registration:
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    return ready_for_capture(registration, users["staff"], portrait_bytes)


@pytest.fixture
def staff_client(users) -> Client:
    client = Client()
    assert client.login(request=HttpRequest(), username=users["staff"].username, password=PASSWORD)
    return client


def capture(registration, actor, data: bytes) -> VerificationJob:
    """Issue a challenge and answer it with the camera; the job is queued on the broker at
    commit."""
    challenge = services.challenge_issue(registration=registration, actor=actor)
    return services.capture_submit(
        registration=registration, actor=actor, nonce=challenge.nonce, data=data, source="camera"
    )


def job_now(job: VerificationJob) -> VerificationJob:
    return VerificationJob.objects.get(pk=job.pk)


def is_done(job: VerificationJob) -> bool:
    return job_now(job).status == VerificationJob.Status.DONE


def completed_events(registration: Registration) -> int:
    return AuditEvent.objects.filter(
        action="verification.completed", object_id=str(registration.pk)
    ).count()


def assert_approved_once(job: VerificationJob, registration: Registration) -> VerificationJob:
    job = job_now(job)
    registration.refresh_from_db()
    assert job.status == VerificationJob.Status.DONE
    assert job.outcome == VerificationJob.Outcome.APPROVED, job.reasons
    assert registration.status == Registration.Status.APPROVED
    assert completed_events(registration) == 1
    key_frames = BiometricEvidence.objects.filter(job=job, kind=BiometricEvidence.Kind.KEY_FRAME)
    indexes = list(key_frames.values_list("frame_index", flat=True))
    assert len(indexes) >= 2
    assert len(indexes) == len(set(indexes)), "each key frame is stored once"
    return job


def pool_children(pid: int) -> list[int]:
    """The prefork pool's processes under the worker's main process."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def wait_until_running(job: VerificationJob, timeout: float = 60.0) -> None:
    wait_for(lambda: job_now(job).status == VerificationJob.Status.RUNNING, timeout, 0.02)


# -- duplicate delivery -------------------------------------------------------------------------


def test_a_duplicate_delivery_gives_one_result(draft, users, clip_bytes, tmp_path):
    with running_worker(tmp_path):
        job = capture(draft, users["staff"], clip_bytes)  # first delivery, sent at commit
        duplicate = verification_job_run.apply_async(args=[str(job.pk)])
        assert duplicate.get(timeout=60) == "already done"
    job = assert_approved_once(job, draft)
    assert job.deliveries == 1, "the duplicate found the job done and did not start it"


# -- a worker killed in the middle of a job -----------------------------------------------------


def test_a_pool_process_killed_mid_job_is_redelivered_and_done_once(
    draft, users, long_clip_bytes, tmp_path
):
    with running_worker(tmp_path, pool="prefork") as worker:
        (child,) = pool_children(worker.pid)
        job = capture(draft, users["staff"], long_clip_bytes)
        wait_until_running(job)
        os.kill(child, signal.SIGKILL)
        wait_for(lambda: is_done(job), timeout=90)
        assert child not in pool_children(worker.pid), "a new pool process took over"
    job = assert_approved_once(job, draft)
    assert job.deliveries >= 2


def test_a_worker_killed_mid_job_is_swept_by_the_next_worker_and_done_once(
    draft, users, long_clip_bytes, tmp_path
):
    first = start_worker(worker_env(tmp_path), log=tmp_path / "killed-worker.log")
    try:
        wait_until_ready()
        job = capture(draft, users["staff"], long_clip_bytes)
        wait_until_running(job)
    finally:
        stop_worker(first, kill=True)
    assert job_now(job).status == VerificationJob.Status.RUNNING, "nobody finishes it"

    with running_worker(tmp_path):
        later = timezone.now() + timedelta(seconds=settings.VERIFICATION_STUCK_AFTER_S + 1)
        assert services.verification_jobs_sweep(now=later) == [job.pk]
        wait_for(lambda: is_done(job), timeout=90)
    job = assert_approved_once(job, draft)
    assert job.deliveries == 2
    assert AuditEvent.objects.filter(action="verification.requeued").count() == 1


# -- no worker when the capture arrives ---------------------------------------------------------


def test_a_capture_sent_while_no_worker_runs_waits_queued_then_is_decided(
    draft, staff_client, clip_bytes, tmp_path
):
    nonce = staff_client.post(reverse("verification:challenge", args=[draft.pk])).json()["nonce"]
    response = staff_client.post(
        reverse("verification:upload", args=[draft.pk]),
        {
            "nonce": nonce,
            "capture": SimpleUploadedFile("capture.mp4", clip_bytes),
            "source": "camera",
        },
    )
    assert response.status_code == 202, response.content
    status_url = response.json()["status_url"]
    status = staff_client.get(status_url).json()
    assert (status["status"], status["registration_status"]) == ("queued", "submitted")
    draft.refresh_from_db()
    assert draft.status == Registration.Status.SUBMITTED

    with running_worker(tmp_path):
        wait_for(lambda: staff_client.get(status_url).json()["status"] == "done", timeout=60)
    status = staff_client.get(status_url).json()
    assert (status["outcome"], status["registration_status"]) == ("approved", "approved")
    assert_approved_once(VerificationJob.objects.get(registration=draft), draft)


# -- challenges that cannot be answered any more ------------------------------------------------


def upload(client: Client, registration: Registration, nonce: str, data: bytes):
    return client.post(
        reverse("verification:upload", args=[registration.pk]),
        {"nonce": nonce, "capture": SimpleUploadedFile("capture.mp4", data)},
    )


def assert_refused(response, reason: str) -> None:
    assert response.status_code == 409, response.content
    assert response.json() == {"message": errors.message_for(reason), "reasons": [reason]}


def test_a_used_or_expired_challenge_is_refused_and_the_retake_stays_open(
    draft, users, staff_client, clip_bytes, tmp_path, settings
):
    # The clip shows no turn to the right: turn_missing, a retake.
    settings.VERIFICATION_CHALLENGE_ACTIONS = ["turn_left", "blink", "turn_right"]
    with running_worker(tmp_path):
        first = capture(draft, users["staff"], clip_bytes)
        wait_for(lambda: is_done(first), timeout=60)
    assert job_now(first).outcome == VerificationJob.Outcome.RETAKE
    draft.refresh_from_db()
    assert draft.status == Registration.Status.VERIFYING

    assert_refused(upload(staff_client, draft, first.challenge.nonce, clip_bytes), "challenge_used")
    expired = services.challenge_issue(registration=draft, actor=users["staff"])
    past = timezone.now() - timedelta(minutes=10)
    Challenge.objects.filter(pk=expired.pk).update(
        issued_at=past, expires_at=past + timedelta(seconds=1)
    )
    assert_refused(upload(staff_client, draft, expired.nonce, clip_bytes), "challenge_expired")

    draft.refresh_from_db()
    assert draft.status == Registration.Status.VERIFYING
    assert VerificationJob.objects.filter(registration=draft).count() == 1
    assert services.challenge_issue(registration=draft, actor=users["staff"]), "retake still open"
