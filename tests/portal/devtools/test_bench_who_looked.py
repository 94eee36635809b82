"""bench_who_looked fills the audit trail and its index by subject, signs a person in through
/me/ and times /me/access/: here on a few thousand events, for its working, not its figures."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from portal.audit.models import AuditEvent
from portal.selfservice.models import SubjectAccess
from tests.factories import create_registration, subscriber_details

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="it measures PostgreSQL only")
def test_it_fills_the_history_signs_in_and_prints_the_figures(users, outlet_gd):
    person = subscriber_details(number=901, name="吴敏")
    for msisdn in ("13800138901", "13900139901"):
        create_registration(
            actor=users["staff"], outlet=outlet_gd, subscriber=person, msisdn=msisdn,
            status="approved",
        )  # fmt: skip
    out = io.StringIO()

    call_command(
        "bench_who_looked", events=2000, requests=3, as_json=True, stdout=out, stderr=io.StringIO()
    )

    figures = json.loads(out.getvalue())
    assert 2000 <= figures["events"] <= AuditEvent.objects.count()  # then the sign-in
    assert figures["looks"] == SubjectAccess.objects.count() >= figures["events_added"] // 5 - 1
    assert figures["looks_of_person"] >= 1
    assert 0 < figures["median_ms"] <= figures["p95_ms"]
    assert figures["target_met"] == (figures["p95_ms"] < 100)
