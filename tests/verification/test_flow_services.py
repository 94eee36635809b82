"""The verification flow's services on real media: capture, worker run, decision."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.audit.models import AuditEvent
from registrations.models import Registration
from tests.factories import create_registration, ready_for_capture
from verification import engine_runner, services
from verification.engine.reasons import ACTIONS
from verification.errors import VerificationError
from verification.models import BiometricEvidence, Challenge, VerificationJob
from verification.selectors import evidence_read

pytestmark = pytest.mark.django_db


def run_job(job_id):
    """What the Celery task does, in this process."""
    job = services.verification_job_start(job_id=job_id)
    if job is None:
        return False
    result = engine_runner.verify_job(job)
    return services.verification_job_complete(job_id=job_id, result=result)


@pytest.fixture
def draft(users, outlet_gd, portrait_bytes):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    return ready_for_capture(registration, users["staff"], portrait_bytes)


def capture(registration, actor, data, source="camera"):
    """A live capture by the page's camera (an uploaded file is never approved alone)."""
    challenge = services.challenge_issue(registration=registration, actor=actor)
    return services.capture_submit(
        registration=registration, actor=actor, nonce=challenge.nonce, data=data, source=source
    )


@pytest.mark.slow  # runs the face engine on the shared clip
def test_the_shared_clip_with_its_portrait_is_approved(
    draft, users, clip_bytes, clip_challenge, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        job = capture(draft, users["staff"], clip_bytes)
    assert len(queued) == 1, "the job is queued when the capture commits"
    draft.refresh_from_db()
    assert draft.status == Registration.Status.SUBMITTED

    assert run_job(job.pk) is True
    job.refresh_from_db()
    draft.refresh_from_db()
    assert job.status == "done" and job.outcome == "approved", job.reasons
    assert draft.status == Registration.Status.APPROVED
    assert job.result["liveness"]["challenge_met"] is True
    assert job.engine_version and job.timings_ms["total"] > 0
    key_frames = BiometricEvidence.objects.filter(job=job, kind="key_frame")
    assert key_frames.count() >= 2
    assert evidence_read(key_frames.first())[:3] == b"\xff\xd8\xff", "decrypted: a JPEG"


@pytest.mark.slow  # runs the face engine on the shared clip
def test_a_second_delivery_of_a_done_job_changes_nothing(draft, users, clip_bytes, clip_challenge):
    job = capture(draft, users["staff"], clip_bytes)
    assert run_job(job.pk) is True
    events = AuditEvent.objects.count()
    assert run_job(job.pk) is False
    job.refresh_from_db()
    assert job.deliveries == 1
    assert AuditEvent.objects.count() == events
    assert AuditEvent.objects.filter(action="verification.completed").count() == 1


@pytest.mark.slow  # runs the face engine on the shared clip
def test_a_completion_racing_another_records_one_result(draft, users, clip_bytes, clip_challenge):
    job = capture(draft, users["staff"], clip_bytes)
    started = services.verification_job_start(job_id=job.pk)
    again = services.verification_job_start(job_id=job.pk)  # redelivered while running
    result = engine_runner.verify_job(started)
    assert services.verification_job_complete(job_id=job.pk, result=result) is True
    assert services.verification_job_complete(job_id=again.pk, result=result) is False
    job.refresh_from_db()
    assert job.deliveries == 2
    assert BiometricEvidence.objects.filter(job=job, kind="key_frame").count() == len(
        result.key_frames
    )


@pytest.mark.slow  # runs the face engine on the shared clip
def test_another_persons_portrait_is_rejected_with_no_match(
    users, outlet_gd, other_portrait_bytes, clip_bytes, clip_challenge
):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    ready_for_capture(registration, users["staff"], other_portrait_bytes)
    job = capture(registration, users["staff"], clip_bytes)
    run_job(job.pk)
    job.refresh_from_db()
    registration.refresh_from_db()
    assert job.outcome == "rejected"
    assert "no_match" in job.reasons
    assert registration.status == Registration.Status.REJECTED
    assert registration.decision_reasons == job.reasons


@pytest.mark.slow  # runs the face engine on the shared clip
def test_a_fixable_failure_asks_for_a_retake_then_goes_to_review(
    draft, users, clip_bytes, settings
):
    # Both turns are asked for; the clip shows only a left turn: turn_missing, fixable.
    settings.VERIFICATION_CHALLENGE_ACTIONS = ["turn_left", "blink", "turn_right"]
    settings.VERIFICATION_MAX_ATTEMPTS = 2
    first = capture(draft, users["staff"], clip_bytes)
    run_job(first.pk)
    first.refresh_from_db()
    draft.refresh_from_db()
    assert first.outcome == "retake" and first.reasons == ["turn_missing"]
    assert draft.status == Registration.Status.VERIFYING

    second = capture(draft, users["staff"], clip_bytes)
    assert second.attempt == 2
    run_job(second.pk)
    second.refresh_from_db()
    draft.refresh_from_db()
    assert second.outcome == "review"
    assert draft.status == Registration.Status.REVIEW
    with pytest.raises(VerificationError) as refused:
        services.challenge_issue(registration=draft, actor=users["staff"])
    assert refused.value.code == "not_capturable"


def test_an_expired_challenge_is_refused_and_nothing_is_saved(draft, users, clip_bytes):
    challenge = services.challenge_issue(registration=draft, actor=users["staff"])
    Challenge.objects.filter(pk=challenge.pk).update(
        issued_at=timezone.now() - timedelta(minutes=10),
        expires_at=timezone.now() - timedelta(minutes=8),
    )
    with pytest.raises(VerificationError) as refused:
        services.capture_submit(
            registration=draft, actor=users["staff"], nonce=challenge.nonce, data=clip_bytes
        )
    assert refused.value.code == "challenge_expired"
    draft.refresh_from_db()
    assert draft.status == Registration.Status.DRAFT
    assert not VerificationJob.objects.exists()
    assert not BiometricEvidence.objects.filter(kind="capture").exists()


def test_a_used_challenge_is_refused(draft, users, clip_bytes):
    challenge = services.challenge_issue(registration=draft, actor=users["staff"])
    services.capture_submit(
        registration=draft, actor=users["staff"], nonce=challenge.nonce, data=clip_bytes
    )
    with pytest.raises(VerificationError) as refused:
        services.capture_submit(
            registration=draft, actor=users["staff"], nonce=challenge.nonce, data=clip_bytes
        )
    assert refused.value.code == "challenge_used"
    assert VerificationJob.objects.count() == 1


def test_a_challenge_issued_to_someone_else_is_unknown(draft, users, clip_bytes, outlet_gd):
    challenge = services.challenge_issue(registration=draft, actor=users["staff"])
    with pytest.raises(VerificationError) as refused:
        services.capture_submit(
            registration=draft, actor=users["carrier_admin"], nonce=challenge.nonce, data=clip_bytes
        )
    assert refused.value.code == "challenge_unknown"


def test_a_random_challenge_is_five_steps_each_in_its_own_window(draft, users, settings):
    issued = [
        services.challenge_issue(registration=draft, actor=users["staff"])
        for _ in range(settings.VERIFICATION_CHALLENGES_PER_ATTEMPT)
    ]
    for challenge in issued:
        assert len(challenge.actions) == 5
        assert set(challenge.actions) <= set(ACTIONS)
        assert [step["action"] for step in challenge.schedule] == challenge.actions
        starts = [step["from_s"] for step in challenge.schedule]
        assert starts == [1.0, 4.0, 7.0, 10.0, 13.0]  # first at 1 s, 2.5 s each, 0.5 s apart
        assert all(step["to_s"] == step["from_s"] + 2.5 for step in challenge.schedule)
    # One attempt asks the same actions each time (tests/security/test_challenge_rerolling.py).


def test_a_capture_needs_consent_and_portrait(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    with pytest.raises(VerificationError) as refused:
        services.challenge_issue(registration=registration, actor=users["staff"])
    assert refused.value.code == "consent_missing"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty_file"),
        (b"%PDF-1.7 not a video at all" * 10, "not_a_video"),
        (b"\xff\xd8\xff\xe0 a jpeg, not a video", "not_a_video"),
    ],
)
def test_a_capture_that_is_not_a_video_is_refused(draft, users, data, reason):
    challenge = services.challenge_issue(registration=draft, actor=users["staff"])
    with pytest.raises(VerificationError) as refused:
        services.capture_submit(
            registration=draft, actor=users["staff"], nonce=challenge.nonce, data=data
        )
    assert refused.value.code == reason
    challenge.refresh_from_db()
    assert challenge.used_at is None, "the challenge is still good for a proper recording"


def test_a_portrait_without_one_face_is_refused_at_upload(users, outlet_gd):
    from tests.verification.engine.makers import FACES

    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    group = (FACES / "multi_two_people.jpg").read_bytes()
    with pytest.raises(VerificationError) as refused:
        services.portrait_store(registration=registration, actor=users["staff"], data=group)
    assert refused.value.code == "multiple_faces"
    assert "more than one face" in refused.value.message
    assert not BiometricEvidence.objects.exists()


def test_stored_evidence_holds_no_media_magic_bytes(draft, users, clip_bytes, settings):
    capture(draft, users["staff"], clip_bytes)
    files = [p for p in settings.EVIDENCE_ROOT.rglob("*") if p.is_file()]
    assert len(files) == 2
    for path in files:
        head = path.read_bytes()[:64]
        for magic in (b"\xff\xd8\xff", b"\x89PNG", b"\x1a\x45\xdf\xa3", b"ftyp", b"webm"):
            assert magic not in head, f"{path.name} starts like a media file"
        assert path.stat().st_mode & 0o077 == 0, "only the portal's user may read evidence"


def test_the_sweeper_requeues_a_stuck_job_once(draft, users, clip_bytes, settings):
    job = capture(draft, users["staff"], clip_bytes)
    assert services.verification_jobs_sweep() == []
    later = timezone.now() + timedelta(seconds=settings.VERIFICATION_STUCK_AFTER_S + 1)
    assert services.verification_jobs_sweep(now=later) == [job.pk]
    assert services.verification_jobs_sweep(now=later) == [], "queued again: fresh for a while"
    assert AuditEvent.objects.filter(action="verification.requeued").count() == 1


def test_a_job_that_keeps_dying_goes_to_a_person_instead_of_looping(
    draft, users, clip_bytes, settings
):
    settings.VERIFICATION_MAX_DELIVERIES = 2
    job = capture(draft, users["staff"], clip_bytes)
    VerificationJob.objects.filter(pk=job.pk).update(deliveries=2)  # two runs died
    assert services.verification_job_start(job_id=job.pk) is None
    job.refresh_from_db()
    draft.refresh_from_db()
    assert job.status == "done" and job.outcome == "review"
    assert job.reasons == ["processing_failed"]
    assert draft.status == Registration.Status.REVIEW
