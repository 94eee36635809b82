"""The verification task retries what a database failover does to it: an OperationalError
mid-query, then InterfaceError from the closed connection (even while noting the error)."""

import pytest
from celery.exceptions import Retry
from django.db import InterfaceError, OperationalError

from tests.factories import create_registration
from tests.portal.ops.test_metrics import make_job
from verification import engine_runner, services
from verification.models import VerificationJob
from verification.tasks import verification_job_run

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "error", [OperationalError("server closed the connection"), InterfaceError("closed")]
)
def test_a_database_gone_mid_job_is_retried_not_failed(users, outlet_gd, monkeypatch, error):
    staff = users["staff"]
    registration = create_registration(actor=staff, outlet=outlet_gd, status="submitted")
    job = make_job(registration, staff, status="queued", minutes_ago=0)

    def database_gone(*args, **kwargs):
        raise error

    monkeypatch.setattr(engine_runner, "verify_job", database_gone)
    # Noting the error needs the database too: it fails the same way.
    monkeypatch.setattr(services, "verification_job_note_error", database_gone)
    retried = []

    def retry(*, exc, **kwargs):  # Celery's, once: the eager run would retry in this process
        retried.append(exc)
        raise Retry(exc=exc)

    monkeypatch.setattr(verification_job_run, "retry", retry)
    outcome = verification_job_run.apply(kwargs={"job_id": str(job.pk)})
    assert outcome.state == "RETRY", (outcome.result, outcome.traceback)
    assert retried == [error]
    assert VerificationJob.objects.get(pk=job.pk).status == VerificationJob.Status.RUNNING
