"""No list query reads the registrations or the audit trail from end to end: each is
EXPLAINed over 1,000,000 registrations and 1,000,000 audit events.

The database is built once (``explain_1m``, kept between runs while its migrations are the
code's): the demo's rows by ``seed_demo --rows-only``, and audit events made up in SQL (the
demo's history has none, and at a few thousand events the planner rightly prefers a scan).
It is a throwaway: the made-up events do not form a hash chain.
"""

import os
import subprocess
import sys

import pytest
from django.db import connection

from portal.ops.explain_lists import seq_scans
from tests.workers import ROOT

DATABASE = "explain_1m"
REGISTRATIONS = 1_000_000
AUDIT_EVENTS = 1_000_000

SYNTHETIC_AUDIT = """
INSERT INTO audit_auditevent (sequence, occurred_at, actor_type, actor_id, actor_label,
    actor_role, action, object_type, object_id, operator_id, province_code, changes,
    ip_address, user_agent, request_id, reason, prev_hash, hash)
SELECT m.s + g, now() - ((%(n)s - g) * interval '30 seconds'), 'user', '1',
    (array['staff_gd_sz_001', 'carrier_admin_cmcc', 'inspector', 'staff_bj_xc_001'])[1 + g %% 4],
    'outlet_staff',
    (array['registration.created', 'registration.submitted', 'registration.verifying',
           'registration.decided', 'verification.completed', 'evidence.stored', 'auth.login',
           'registration.viewed'])[1 + g %% 8],
    'registration', md5(g::text), 1 + g %% 4,
    (array['440000', '110000', '310000', '320000', '330000', '510000'])[1 + (g / 7) %% 6],
    '{}'::jsonb, NULL, '', '', '', md5('p' || g), md5('h' || g)
FROM generate_series(1, %(n)s) g,
    (SELECT coalesce(max(sequence), 0) s FROM audit_auditevent) m
"""


BUILT = """SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s
UNION ALL SELECT NULL LIMIT 1"""


def test_the_plan_walker_finds_a_scan_of_a_watched_table_at_any_depth():
    plan = {"Plan": {"Node Type": "Limit", "Plans": [
        {"Node Type": "Nested Loop", "Plans": [
            {"Node Type": "Seq Scan", "Relation Name": "registrations_operator"},
            {"Node Type": "Seq Scan", "Relation Name": "audit_auditevent"},
        ]},
        {"Node Type": "Index Scan", "Relation Name": "registrations_registration"},
    ]}}  # fmt: skip
    assert list(seq_scans(plan)) == [("audit_auditevent", "Seq Scan")]


def _url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _manage(url: str, *arguments: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": url, **env}
    environment.pop("CACHE_URL", None)  # per-process memory: this database's own
    return subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=environment,
        capture_output=True, text=True, timeout=3600, check=False,
    )  # fmt: skip


def _admin(sql: str, params=None, database: str = "postgres"):
    """Run ``sql`` outside any transaction (CREATE DATABASE); the first column of its row."""
    import psycopg2

    db = connection.settings_dict
    admin = psycopg2.connect(
        dbname=database, user=db["USER"], host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0] if cursor.description else None
    finally:
        admin.close()


@pytest.fixture(scope="session")
def million(django_db_blocker):
    """The 1 M database, built if missing or behind the code's migrations."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL (set DATABASE_URL)")
        url = _url(DATABASE)
        built = _admin(BUILT, [DATABASE]) == "built"  # a build cut short never says so
        if not built or _manage(url, "migrate", "--check").returncode != 0:
            _admin(f'DROP DATABASE IF EXISTS "{DATABASE}"')
            _admin(f'CREATE DATABASE "{DATABASE}"')
            for step in (
                ["migrate", "--noinput"],
                ["seed_demo", "--registrations", str(REGISTRATIONS), "--rows-only"],
            ):
                done = _manage(url, *step)
                assert done.returncode == 0, done.stderr[-2000:]
            _admin(SYNTHETIC_AUDIT, {"n": AUDIT_EVENTS}, database=DATABASE)
            _admin("ANALYZE audit_auditevent", database=DATABASE)
            _admin(f"COMMENT ON DATABASE \"{DATABASE}\" IS 'built'")
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
