"""No list query reads the registrations or the audit trail from end to end: each is
EXPLAINed over 1,000,000 registrations and 1,000,000 audit events (``explain_1m``, built
once and kept: tests/explain_database.py).
"""

import subprocess
import sys
import time

import pytest
from django.db import connection

from portal.ops.explain_lists import seq_scans
from tests import explain_database
from tests.workers import ROOT


def test_the_plan_walker_finds_a_scan_of_a_watched_table_at_any_depth():
    plan = {"Plan": {"Node Type": "Limit", "Plans": [
        {"Node Type": "Nested Loop", "Plans": [
            {"Node Type": "Seq Scan", "Relation Name": "registrations_operator"},
            {"Node Type": "Seq Scan", "Relation Name": "audit_auditevent"},
        ]},
        {"Node Type": "Index Scan", "Relation Name": "registrations_registration"},
    ]}}  # fmt: skip
    assert list(seq_scans(plan)) == [("audit_auditevent", "Seq Scan")]


def _manage(url: str, *arguments: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT,
        env=explain_database.manage_env(url, **env), capture_output=True, text=True,
        timeout=3600, check=False,
    )  # fmt: skip


@pytest.fixture(scope="session")
def million(django_db_blocker):
    """The 1 M database, built beside the tests since they began (tests/explain_database.py)."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    waited = time.monotonic()
    url, seconds = explain_database.wait()
    if seconds is not None:
        print(
            f"{explain_database.DATABASE}: built in {seconds:.0f} s beside the other tests, "
            f"{time.monotonic() - waited:.0f} s of it waited for here"
        )
    return url


@pytest.mark.slow
@pytest.mark.postgres
def test_no_list_query_scans_the_registrations_or_the_audit_trail(million):
    done = _manage(million, "explain_lists")
    print(done.stdout[-400:])
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 sequential scans" in done.stdout


@pytest.mark.slow
@pytest.mark.postgres
def test_it_fails_where_the_planner_must_scan(million):
    """With index scans forbidden, every list is a scan: the check says so and fails."""
    forbidden = "-c enable_indexscan=off -c enable_bitmapscan=off -c enable_indexonlyscan=off"
    done = _manage(million, "explain_lists", PGOPTIONS=forbidden)
    assert done.returncode != 0
    assert "SEQ SCAN of registrations_registration" in done.stdout
    assert "SEQ SCAN of audit_auditevent" in done.stdout
