"""/metrics: Prometheus's format, for the operations token only, with the portal's figures."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import create_registration

pytestmark = pytest.mark.django_db

TOKEN = "ops-token-for-the-tests"


@pytest.fixture(autouse=True)
def ops_token(settings):
    settings.OPS_TOKEN = TOKEN


def scraped(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(figures, name, **labels) -> float:
    return figures[(name, tuple(sorted(labels.items())))]


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}"])
def test_without_the_token_it_is_refused(client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"portal_" not in response.content


def test_requests_are_counted_by_view(client):
    client.get("/healthz")
    before = value(scraped(client), "django_http_responses_total_by_status_view_method_total",
                   status="200", view="ops:healthz", method="GET")  # fmt: skip
    client.get("/healthz")
    after = value(scraped(client), "django_http_responses_total_by_status_view_method_total",
                  status="200", view="ops:healthz", method="GET")  # fmt: skip
    assert after == before + 1


def make_job(registration, actor, *, status, minutes_ago):
    from verification.models import Challenge, VerificationJob

    now = timezone.now()
    challenge = Challenge.objects.create(
        nonce=f"{registration.pk.hex}{status}"[:32], registration=registration, actions=["blink"],
        issued_to=actor, expires_at=now + timedelta(minutes=2),
    )  # fmt: skip
    return VerificationJob.objects.create(
        registration=registration, challenge=challenge, attempt=1, created_by=actor,
        status=status, queued_at=now - timedelta(minutes=minutes_ago),
        started_at=now - timedelta(minutes=minutes_ago - 1) if status == "running" else None,
    )  # fmt: skip


def test_waiting_and_running_jobs_and_the_oldest_age(client, users, outlet_gd):
    staff = users["staff"]
    for status, minutes in (("queued", 7), ("queued", 2), ("running", 3)):
        registration = create_registration(actor=staff, outlet=outlet_gd, status="submitted")
        make_job(registration, staff, status=status, minutes_ago=minutes)
    figures = scraped(client)
    assert value(figures, "portal_verification_jobs", state="queued") == 2
    assert value(figures, "portal_verification_jobs", state="running") == 1
    oldest = value(figures, "portal_verification_oldest_job_age_seconds", state="queued")
    assert 7 * 60 <= oldest < 8 * 60
    # Queued 3 minutes ago, running for the last 2: its age is how long it has run.
    running = value(figures, "portal_verification_oldest_job_age_seconds", state="running")
    assert 2 * 60 <= running < 3 * 60


def test_no_open_job_reads_as_zero(client):
    figures = scraped(client)
    assert value(figures, "portal_verification_jobs", state="queued") == 0
    assert value(figures, "portal_verification_oldest_job_age_seconds", state="running") == 0


def test_the_outboxes_backlog_and_dead_letters(client, users, outlet_gd, settings):
    from portal.api import webhooks
    from portal.api.models import WebhookMessage

    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True  # an address that needs no resolver
    endpoint, _secret = webhooks.webhook_endpoint_create(
        owner=users["partner"], operator=outlet_gd.operator, url="http://127.0.0.1:9/hook",
        events=["registration.decided"],
    )  # fmt: skip
    for state in ("pending", "pending", "failed", "disabled", "delivered"):
        WebhookMessage.objects.create(
            endpoint=endpoint, event_type="registration.decided", payload={}, state=state,
            created_at=timezone.now() - timedelta(minutes=5),
        )  # fmt: skip
    figures = scraped(client)
    assert value(figures, "portal_outbox_pending", outbox="webhook") == 2
    assert value(figures, "portal_outbox_dead_letters", outbox="webhook") == 2
    assert value(figures, "portal_outbox_oldest_pending_age_seconds", outbox="webhook") >= 300
    assert value(figures, "portal_outbox_pending", outbox="sms") == 0


def test_the_task_outbox_backlog_and_dead_letters(client):
    from portal.outbox.models import OutboxMessage

    OutboxMessage.objects.create(task_name="verification.run_job", kwargs={})
    OutboxMessage.objects.create(task_name="verification.run_job", kwargs={}, state="dead")
    figures = scraped(client)
    assert value(figures, "portal_outbox_pending", outbox="tasks") == 1
    assert value(figures, "portal_outbox_dead_letters", outbox="tasks") == 1


class _Approved:
    decision, engine_version, timings_ms, key_frames, reasons = (
        "pass",
        "test",
        {"total": 1800},
        [],
        [],
    )

    def to_dict(self):
        return {}


def test_a_completed_job_counts_its_outcome_and_times(
    client, users, outlet_gd, django_capture_on_commit_callbacks
):
    from verification.services.jobs import verification_job_complete

    staff = users["staff"]
    registration = create_registration(actor=staff, outlet=outlet_gd, status="verifying")
    job = make_job(registration, staff, status="running", minutes_ago=0)
    job.source = "camera"  # a file upload would be held for a person whatever the engine said
    job.save()
    before = scraped(client)
    outcome = ("portal_verification_outcomes_total", (("outcome", "approved"),))
    with django_capture_on_commit_callbacks(execute=True):
        verification_job_complete(job_id=job.pk, result=_Approved())
    job.refresh_from_db()
    assert job.outcome == "approved"
    after = scraped(client)
    assert after[outcome] == before.get(outcome, 0) + 1
    count = ("portal_verification_duration_seconds_count", ())
    engine_within_2s = ("portal_verification_engine_seconds_bucket", (("le", "2.0"),))
    assert after[count] == before[count] + 1
    assert after[engine_within_2s] == before[engine_within_2s] + 1
