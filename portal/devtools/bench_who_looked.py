"""How fast a person's "who looked at my data" answers with millions of audit events.

Bulk history first, written in SQL on the server (demo rows, not a replay of services, like
seed_demo's): audit events up to ``events`` (every fifth a look at a registration's page),
and for each look its row in the index by subject. The chain of these rows is not a real one
(their hashes are stand-ins): run it on a database of its own. Then a person with the most
looks signs in through the pages (the code read from the SMS file, delivered by the drain
task run here), and ``/me/access/`` is requested ``requests`` times after a warm-up: the
median and p95 server time are printed. Target: under 100 ms.
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

from celery import current_app
from django.db import connection, transaction
from django.test import Client, override_settings

from portal.lib.sms import sms_file_messages
from registrations.models import Registration, Subscriber

TARGET_MS = 100.0
LOOK_EVERY = 5  # one event in five is a look at a registration's page

# Each event is about a registration found by its dense number (bench_numbered, below).
_EVENTS_SQL = """
INSERT INTO audit_auditevent (sequence, occurred_at, actor_type, actor_id, actor_label,
    actor_role, action, object_type, object_id, operator_id, province_code, changes,
    ip_address, user_agent, request_id, reason, prev_hash, hash)
SELECT s, now() - make_interval(secs => %(last)s - s), 'user', (s %% 97)::text,
    'bench_staff_' || (s %% 97), 'carrier_admin',
    CASE WHEN s %% %(every)s = 0 THEN 'registration.viewed' ELSE 'registration.submitted' END,
    'registration', r.id::text, r.operator_id, coalesce(r.province_id, ''), '{}'::jsonb, NULL,
    '', '', '', md5('prev' || s) || md5('prev2' || s), md5('hash' || s) || md5('hash2' || s)
FROM generate_series(%(first)s, %(last)s) AS s
JOIN bench_numbered n ON n.number_key = (s::bigint * 7919) %% %(registrations)s
JOIN registrations_registration r ON r.id = n.id
"""


@dataclass
class Result:
    events: int = 0
    events_added: int = 0
    looks: int = 0
    looks_of_person: int = 0
    seed_s: float = 0.0
    timings_ms: list[float] = field(default_factory=list)
    median_ms: float = 0.0
    p95_ms: float = 0.0
    target_met: bool = False

    def as_dict(self) -> dict:
        data = asdict(self)
        del data["timings_ms"]
        return data


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - a fixed table name
        return cursor.fetchone()[0]


def seed_history(events: int) -> tuple[int, float]:
    """Audit events up to ``events``, and the index rows of their looks; what was added."""
    started = time.monotonic()
    have = _count("audit_auditevent")
    if have >= events:
        return 0, 0.0
    registrations = Registration.objects.count()
    with transaction.atomic(), connection.cursor() as cursor:
        # A dense number per registration, so that an event finds its registration by index.
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_numbered (number_key bigint, id uuid)"
        )
        cursor.execute("TRUNCATE bench_numbered")
        cursor.execute(
            "INSERT INTO bench_numbered SELECT row_number() OVER (ORDER BY id) - 1, id "
            "FROM registrations_registration"
        )
        cursor.execute("CREATE INDEX ON bench_numbered (number_key)")
        cursor.execute("SELECT coalesce(max(sequence), 0) FROM audit_auditevent")
        first = cursor.fetchone()[0] + 1
        cursor.execute(
            _EVENTS_SQL,
            {"first": first, "last": events, "every": LOOK_EVERY, "registrations": registrations},
        )
        cursor.execute(
            """INSERT INTO selfservice_subjectaccess (audit_sequence, occurred_at, kind,
                   organisation, role, pseudonym, purpose, registration_id, subscriber_id)
               SELECT e.sequence, e.occurred_at, 'registration', 'China Mobile',
                   e.actor_role, upper(substr(md5(e.actor_id), 1, 8)), '', r.id, r.subscriber_id
               FROM audit_auditevent e
               JOIN registrations_registration r ON r.id::text = e.object_id
               WHERE e.sequence >= %s AND e.action = 'registration.viewed'""",
            [first],
        )
        cursor.execute("ANALYZE audit_auditevent")
        cursor.execute("ANALYZE selfservice_subjectaccess")
    return events - first + 1, time.monotonic() - started


def _most_looked_at() -> tuple[Subscriber, int]:
    with connection.cursor() as cursor:
        # The person must hold a number in use: the sign-in code goes to one.
        cursor.execute(
            "SELECT a.subscriber_id, count(*) FROM selfservice_subjectaccess a "
            "WHERE EXISTS (SELECT 1 FROM registrations_registration r "
            "WHERE r.subscriber_id = a.subscriber_id AND r.status = 'approved') "
            "GROUP BY a.subscriber_id ORDER BY 2 DESC LIMIT 1"
        )
        subscriber_id, looks = cursor.fetchone()
    return Subscriber.objects.get(pk=subscriber_id), looks


def _signed_in(subscriber: Subscriber, sms_path: Path) -> Client:
    """The person's browser, signed in through /me/ with the code from the SMS file."""
    client = Client()
    client.post(
        "/me/",
        {"id_type": subscriber.id_type, "id_number": subscriber.id_number,
         "full_name": subscriber.full_name},
    )  # fmt: skip
    page = client.get("/me/number/").content.decode()
    token = re.search(r'name="number" value="([^"]+)"', page).group(1)
    client.post("/me/number/", {"number": token})
    current_app.loader.import_default_modules()  # the apps' tasks, by name (not imported)
    current_app.tasks["selfservice.drain_sms"].apply()  # the worker's job, here
    codes = [m["text"] for m in sms_file_messages(sms_path) if m["kind"] == "sign_in_code"]
    code = re.search(r"\d{6}", codes[-1]).group(0)
    response = client.post("/me/code/", {"code": code})
    if response.status_code != 302:
        raise RuntimeError("the benchmark's person could not sign in")
    return client


def bench(*, events: int, requests: int, progress=None) -> Result:
    if connection.vendor != "postgresql":
        raise RuntimeError("bench_who_looked measures PostgreSQL only (set DATABASE_URL)")
    say = progress or (lambda line: None)
    result = Result()
    say(f"audit events: up to {events:,}")
    result.events_added, result.seed_s = seed_history(events)
    result.events = _count("audit_auditevent")
    result.looks = _count("selfservice_subjectaccess")
    subscriber, result.looks_of_person = _most_looked_at()
    say(
        f"{result.events:,} events, {result.looks:,} looks; the person has {result.looks_of_person}"
    )
    with TemporaryDirectory() as folder:
        sms_path = Path(folder) / "sms.jsonl"
        limits = {"RATE_LIMITS": {}, "SMS_BACKEND": "file", "SMS_FILE_PATH": str(sms_path),
                  "ALLOWED_HOSTS": ["testserver"]}  # fmt: skip
        with override_settings(DEBUG=False, **limits):
            client = _signed_in(subscriber, sms_path)
            client.get("/me/access/")  # warm-up
            for _ in range(requests):
                started = time.perf_counter()
                response = client.get("/me/access/")
                result.timings_ms.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"/me/access/ answered {response.status_code}")
    ordered = sorted(result.timings_ms)
    result.median_ms = round(statistics.median(ordered), 1)
    result.p95_ms = round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1)
    result.target_met = result.p95_ms < TARGET_MS
    return result
