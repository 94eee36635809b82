"""evidence_purge with a moved clock: what is due is deleted, what is on hold is not, each
batch is audited, and a copy of a file taken before the purge cannot be read after it."""

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.core.management import call_command
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from portal.audit.verification import verify_chain
from portal.selfservice.models import Dispute
from portal.selfservice.services.disputes import dispute_open
from portal.supervision.models import Finding, Notice
from registrations import services as registration_services
from tests.factories import create_registration
from tests.verification.test_evidence_view import store_evidence
from verification.models import BiometricEvidence, EvidenceKey, VerificationJob
from verification.selectors import data_key_of, evidence_read
from verification.services.purge import evidence_purge
from verification.storage import evidence_storage

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
Kind = BiometricEvidence.Kind


@pytest.fixture
def approved(users, outlet_gd):
    """An approved registration with its portrait, a capture and a key frame."""
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")
    return with_files(registration)


def with_files(registration):
    from verification.models import Challenge

    challenge = Challenge.objects.create(
        nonce=f"n-{registration.pk}",
        registration=registration,
        actions=["blink"],
        issued_to=registration.created_by,
        expires_at=timezone.now() + DAY,
    )
    job = VerificationJob.objects.create(
        registration=registration,
        challenge=challenge,
        attempt=1,
        status=VerificationJob.Status.DONE,
        decision="approved",
        outcome="approved",
        result={"match": {"distance": 0.31}},
        created_by=registration.created_by,
        finished_at=timezone.now(),
    )
    store_evidence(registration, data=b"portrait " + registration.pk.bytes)
    store_evidence(registration, data=b"the capture video", kind=Kind.CAPTURE, job=job)
    store_evidence(registration, data=b"a key frame", kind=Kind.KEY_FRAME, job=job)
    return registration


def kept(registration) -> set[str]:
    rows = BiometricEvidence.objects.filter(registration=registration, purged_at__isnull=True)
    return set(rows.values_list("kind", flat=True))


def on_disk(evidence) -> bool:
    return Path(evidence_storage.path(evidence.file.name)).exists()


def test_nothing_is_due_the_day_before_and_the_capture_video_the_day_after(settings, approved):
    decided = approved.decided_at
    days = settings.RETENTION_CAPTURE_VIDEO_DAYS
    assert evidence_purge(now=decided + days * DAY - DAY).counts["capture_video"] == 0
    assert kept(approved) == {Kind.PORTRAIT, Kind.CAPTURE, Kind.KEY_FRAME}

    capture = BiometricEvidence.objects.get(registration=approved, kind=Kind.CAPTURE)
    report = evidence_purge(now=decided + days * DAY + DAY)
    assert report.counts["capture_video"] == 1 and report.keys_destroyed == 0
    assert kept(approved) == {Kind.PORTRAIT, Kind.KEY_FRAME}, "the rest is kept longer"
    assert not on_disk(capture), "the file is gone"
    capture.refresh_from_db()
    assert capture.purge_rule == "capture_video" and capture.file.name == ""
    assert capture.purge_note.startswith("Deleted on ")
    assert "Live capture video" in capture.purge_note
    assert data_key_of(approved.pk) is not None, "its other files still need the key"


def test_a_copy_taken_before_the_purge_cannot_be_read_after_it(settings, approved):
    files = list(BiometricEvidence.objects.filter(registration=approved))
    copies = {e.pk: Path(evidence_storage.path(e.file.name)).read_bytes() for e in files}
    key = data_key_of(approved.pk)
    assert Fernet(key).decrypt(copies[files[0].pk]), "before: the copy opens with the data key"

    # The number ends: every class of file falls due (the portrait 30 days after, the key
    # frames a year after the decision).
    approved = registration_services.registration_cancel(
        registration=approved, actor=approved.created_by
    )
    report = evidence_purge(now=timezone.now() + 800 * DAY)
    assert report.counts == {"capture_video": 1, "key_frames": 1, "id_portrait": 1,
                             "engine_result": 1, "registration_record": 1}  # fmt: skip
    assert report.keys_destroyed == 1
    stored_key = EvidenceKey.objects.get(registration=approved)
    assert stored_key.wrapped is None and stored_key.destroyed_at is not None
    assert data_key_of(approved.pk) is None
    masters = MultiFernet([Fernet(k) for k in settings.EVIDENCE_KEYS])
    for evidence in files:
        assert not on_disk(evidence)
        with pytest.raises(InvalidToken):
            masters.decrypt(copies[evidence.pk])  # no master key opens a file itself
    job = VerificationJob.objects.get(registration=approved)
    assert job.result == {} and job.result_purged_at and job.outcome == "approved"


def test_the_purge_is_audited_one_event_per_batch_and_the_chain_holds(users, outlet_gd):
    registrations = [
        with_files(create_registration(actor=users["staff"], outlet=outlet_gd, status="approved"))
        for _ in range(3)
    ]
    before = AuditEvent.objects.filter(action=Action.EVIDENCE_PURGED).count()
    report = evidence_purge(now=timezone.now() + 100 * DAY, batch_size=2)
    assert report.counts["capture_video"] == 3 and report.batches == 2
    events = AuditEvent.objects.filter(action=Action.EVIDENCE_PURGED).order_by("sequence")
    assert events.count() - before == 2
    assert [e.changes["capture_video"][1] for e in events[before:]] == [2, 1]
    assert all(kept(r) == {Kind.PORTRAIT, Kind.KEY_FRAME} for r in registrations)
    assert verify_chain().intact


def test_a_dry_run_counts_and_deletes_nothing(approved, capsys):
    call_command("evidence_purge", "--dry-run")
    assert "capture_video: 0 due" in capsys.readouterr().out
    report = evidence_purge(now=timezone.now() + 100 * DAY, dry_run=True)
    assert report.counts["capture_video"] == 1
    assert kept(approved) == {Kind.PORTRAIT, Kind.CAPTURE, Kind.KEY_FRAME}
    assert not AuditEvent.objects.filter(action=Action.EVIDENCE_PURGED).exists()


def test_an_open_dispute_holds_the_evidence_until_it_ends(approved):
    dispute = dispute_open(subscriber=approved.subscriber, registration=approved,
                           reason="not_mine", detail="", contact="13900139000")  # fmt: skip
    later = timezone.now() + 100 * DAY
    assert evidence_purge(now=later).counts["capture_video"] == 0
    assert kept(approved) == {Kind.PORTRAIT, Kind.CAPTURE, Kind.KEY_FRAME}

    Dispute.objects.filter(pk=dispute.pk).update(status=Dispute.Status.ANSWERED)
    assert evidence_purge(now=later).counts["capture_video"] == 1


def test_a_finding_holds_the_evidence_until_its_notice_is_accepted(users, approved):
    finding = Finding.objects.create(
        operator=approved.operator, province_id=approved.province_id, severity="high",
        description="Spot check disagreement", recorded_by=users["inspector"],
    )  # fmt: skip
    finding.registrations.add(approved)
    later = timezone.now() + 100 * DAY
    assert evidence_purge(now=later).counts["capture_video"] == 0, "a finding without notice"

    notice = Notice.objects.create(
        finding=finding, operator=finding.operator, province_id=finding.province_id,
        deadline=timezone.localdate() + 10 * DAY, required_actions="Retrain the staff",
        issued_by=users["inspector"],
    )  # fmt: skip
    assert evidence_purge(now=later).counts["capture_video"] == 0, "an open notice"
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.ACCEPTED)
    assert evidence_purge(now=later).counts["capture_video"] == 1


def test_withdrawn_consent_makes_what_rests_on_it_due_at_once(users, outlet_gd, approved):
    from verification.models import Consent

    Consent.objects.create(
        registration=approved, text_version="2026-12", recorded_by=users["staff"],
        withdrawn_at=timezone.now(),
    )  # fmt: skip
    report = evidence_purge(now=timezone.now() + DAY)
    assert report.counts["capture_video"] == 1 and report.counts["key_frames"] == 1
    assert kept(approved) == {Kind.PORTRAIT}, "the ID portrait rests on the law, not consent"


def test_a_purged_file_is_gone_from_its_grant_with_the_rule(client, users, approved):
    from tests.factories import sign_in
    from tests.verification.test_evidence_view import open_grant
    from verification.models import ViewingGrant

    evidence_purge(now=timezone.now() + 100 * DAY)
    capture = BiometricEvidence.objects.get(registration=approved, kind=Kind.CAPTURE)
    with pytest.raises(Exception, match="deleted under the retention rules"):
        evidence_read(capture)
    sign_in(client, users["inspector"])
    open_grant(client, approved)
    grant = ViewingGrant.objects.get(registration=approved)
    page = client.get(f"/registrations/{approved.pk}/")
    assert "Deleted on" in page.content.decode() and "Live capture video" in page.content.decode()
    response = client.get(f"/evidence/{grant.pk}/{capture.pk}/")
    assert response.status_code == 410
    assert "Live capture video" in response.content.decode()
