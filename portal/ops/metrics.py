"""The portal's state as Prometheus reads it at each scrape, from the database: verification
jobs waiting and running and the oldest of each, and the backlog and dead letters of the
task outbox (work not yet handed to the broker) and of the webhook and SMS outboxes. Each
figure is one indexed query, so a scrape costs the same at any size."""

import os

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, multiprocess
from prometheus_client.core import GaugeMetricFamily

from portal.api.models import WebhookMessage
from portal.outbox.models import OutboxMessage
from portal.selfservice.models import SmsMessage
from verification.models import VerificationJob


def _age_s(oldest) -> float:
    return max((timezone.now() - oldest).total_seconds(), 0.0) if oldest else 0.0


def _jobs() -> list[GaugeMetricFamily]:
    waiting = GaugeMetricFamily(
        "portal_verification_jobs", "Verification jobs not done, by state.", labels=["state"]
    )
    age = GaugeMetricFamily(
        "portal_verification_oldest_job_age_seconds",
        "Age of the oldest verification job in each state: since it was queued, or since it "
        "started running (0 when there is none).",
        labels=["state"],
    )
    open_jobs = VerificationJob.objects.exclude(status=VerificationJob.Status.DONE)
    rows = open_jobs.values("status").annotate(
        n=Count("pk"), oldest_queued=Min("queued_at"), oldest_started=Min("started_at")
    )
    found = {row["status"]: row for row in rows}
    # A running job's age is how long it has run (a stuck one stands out), not its wait.
    since = {
        VerificationJob.Status.QUEUED: "oldest_queued",
        VerificationJob.Status.RUNNING: "oldest_started",
    }
    for state, oldest in since.items():
        row = found.get(state, {})
        waiting.add_metric([state], row.get("n", 0))
        age.add_metric([state], _age_s(row.get(oldest)))
    return [waiting, age]


def _backlog(pending, dead) -> dict:
    """Each a query of its own, so each reads its index (a FILTER over one query would not)."""
    figures = pending.aggregate(pending=Count("pk"), oldest=Min("created_at"))
    return {**figures, "dead": dead.count()}


def _outboxes() -> list[GaugeMetricFamily]:
    pending = GaugeMetricFamily(
        "portal_outbox_pending", "Messages waiting to leave, by outbox.", labels=["outbox"]
    )
    age = GaugeMetricFamily(
        "portal_outbox_oldest_pending_age_seconds",
        "Age of the oldest message waiting in each outbox (0 when there is none).",
        labels=["outbox"],
    )
    dead = GaugeMetricFamily(
        "portal_outbox_dead_letters",
        "Messages given up on (retries spent or endpoint disabled), by outbox.",
        labels=["outbox"],
    )
    webhook_state, sms_status = WebhookMessage.State, SmsMessage.Status
    webhooks = _backlog(
        WebhookMessage.objects.filter(state=webhook_state.PENDING),
        WebhookMessage.objects.filter(state__in=[webhook_state.FAILED, webhook_state.DISABLED]),
    )
    sms = _backlog(
        SmsMessage.objects.filter(status=sms_status.PENDING),
        SmsMessage.objects.filter(status=sms_status.FAILED),
    )
    tasks = _backlog(
        OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING),
        OutboxMessage.objects.filter(state=OutboxMessage.State.DEAD),
    )
    for name, figures in (("tasks", tasks), ("webhook", webhooks), ("sms", sms)):
        pending.add_metric([name], figures["pending"])
        age.add_metric([name], _age_s(figures["oldest"]))
        dead.add_metric([name], figures["dead"])
    return [pending, age, dead]


class PortalCollector:
    """Registered once; read on every scrape of /metrics."""

    def collect(self):
        yield from _jobs()
        yield from _outboxes()

    def describe(self):
        # Nothing to read at registration (without this the registry would collect, and ask
        # a database that may not be there yet).
        return []


def registry() -> CollectorRegistry:
    """This process's metrics (with django-prometheus's of its requests and the database)
    and the portal's figures; with ``PROMETHEUS_MULTIPROC_DIR`` set, every process's of
    this machine instead (the web workers' and the Celery workers'), added up."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined)
    combined.register(PortalCollector())
    return combined
