"""What the supervision pages cost over a nation's data, at two sizes of it.

``python manage.py bench_supervision`` (``make bench-supervision``), for each size N in turn
(1,000,000 then 10,000,000 registrations by default):

1. ``seed_demo`` up to N registrations on the configured database (it only adds the missing
   rows: a second run, or the 10 M after the 1 M, writes just the difference);
2. ``supervision_rollup_rebuild``, timed: the bulk load writes registrations, not rollups;
   then ``ANALYZE`` (timed apart), so that the pages are planned for the tables as they are;
3. for a nation-wide inspector (``inspector``) and a one-province one (``inspector_gd``,
   Guangdong), and for a 30-day and a 365-day period ending today, every supervision page:
   the overview, ``summary.json``, the risk alerts, the spot checks, the findings, the
   notices, the operator dashboard (as ``carrier_admin_cmcc``, narrowed to the province in the
   province scope) and the audit trail's first page. Each is requested once to warm up, then
   ``requests`` times; the server time of one request is the time around it in this process
   (``django.test.Client``: the whole middleware stack and the template, no network), with
   DEBUG off. The pages without a period (risk, spot checks, findings, notices) are asked for
   the same way in both periods.

The targets of issue 12: every median and p95 under 300 ms, and each figure at the larger
sizes within 1.5 times the one at the first size. The accounts are the demo's (seed_demo
makes them); their sessions are marked as having passed the second factor the way django-otp
does. The supervision app is reached only by URL names and command names: the devtools and
the supervision are independent layers.
"""

from __future__ import annotations

import io
import math
import os
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.management import call_command, get_commands
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import User
from portal.accounts.second_factor import VERIFIED_AT_SESSION_KEY
from portal.devtools.loader import DEFAULT_PASSWORD, seed_demo
from registrations.models import Registration

DEFAULT_SIZES = (1_000_000, 10_000_000)
DEFAULT_REQUESTS = 20
PERIOD_DAYS = (30, 365)
TARGET_MS = 300.0  # the issue: every page's median and p95 under 300 ms
GROWTH_LIMIT = 1.5  # the issue: the 10 M figures within 1.5 times the 1 M ones

NATION_INSPECTOR = "inspector"
PROVINCE_INSPECTOR = "inspector_gd"
PROVINCE = "440000"  # Guangdong: inspector_gd's only province
CARRIER_ADMIN = "carrier_admin_cmcc"


class BenchError(Exception):
    """The benchmark cannot run here; the message says why."""


# -- what is asked for ----------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    name: str
    inspector: str
    province: str  # "" for the nation


SCOPES = (
    Scope("nation", NATION_INSPECTOR, ""),
    Scope("province", PROVINCE_INSPECTOR, PROVINCE),
)


@dataclass(frozen=True)
class Page:
    """One supervision page: its URL name, who asks, and how the period reaches its query."""

    name: str
    url_name: str
    as_carrier_admin: bool = False
    period: str = "overview"  # "overview" (from/to), "audit" (occurred_from/to) or "none"
    province_filter: bool = True  # narrowed to the scope's province by a query parameter


PAGES = (
    Page("overview", "overview:page"),
    Page("summary.json", "overview:summary"),
    Page("risk alerts", "risk:list", period="none"),
    Page("spot checks", "spot_checks:list", period="none", province_filter=False),
    Page("findings", "findings:list", period="none", province_filter=False),
    Page("notices", "notices:list", period="none", province_filter=False),
    Page("operator dashboard", "operator-dashboard", as_carrier_admin=True),
    Page("audit trail", "audit:list", period="audit", province_filter=False),
    # The other lists at scale: the registrations (the inspector's first page over all of
    # their scope) and the carrier's review queue.
    Page("registrations", "registrations:list", period="none", province_filter=False),
    Page("review queue", "review:list", as_carrier_admin=True, period="none",
         province_filter=False),
)  # fmt: skip


def page_query(page: Page, *, scope: Scope, first: date, last: date) -> dict[str, str]:
    query: dict[str, str] = {}
    if page.period == "overview":
        query.update({"from": first.isoformat(), "to": last.isoformat()})
    elif page.period == "audit":
        query.update({"occurred_from": first.isoformat(), "occurred_to": last.isoformat()})
    if page.province_filter and scope.province:
        query["province"] = scope.province
    return query


# -- figures --------------------------------------------------------------------------------


def percentile(values: Iterable[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with ``fraction`` of them at or below."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass(frozen=True)
class PageFigures:
    page: str
    scope: str
    period_days: int
    url: str
    status: int  # of the warm-up request (every timed one must answer the same)
    requests: int
    median_ms: float
    p95_ms: float
    max_ms: float

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.page, self.scope, self.period_days)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def target_met(self) -> bool:
        return self.ok and self.median_ms < TARGET_MS and self.p95_ms < TARGET_MS


@dataclass
class SizeRun:
    """Everything measured at one size: the seeding, the rebuild and every page."""

    registrations: int  # asked for
    rows: int  # registrations in the database when measured
    seed_s: float
    rebuild_s: float
    analyze_s: float
    rollup_rows: dict[str, int] = field(default_factory=dict)
    pages: list[PageFigures] = field(default_factory=list)

    def page(self, key: tuple[str, str, int]) -> PageFigures | None:
        return next((figures for figures in self.pages if figures.key == key), None)


@dataclass(frozen=True)
class Growth:
    page: str
    scope: str
    period_days: int
    registrations: int
    baseline_registrations: int
    median_ratio: float | None
    p95_ratio: float | None

    @property
    def met(self) -> bool:
        return (
            self.median_ratio is not None
            and self.p95_ratio is not None
            and self.median_ratio <= GROWTH_LIMIT
            and self.p95_ratio <= GROWTH_LIMIT
        )


def _ratio(later: float, earlier: float) -> float | None:
    return round(later / earlier, 2) if earlier > 0 else None


@dataclass
class Summary:
    database: str
    requests: int
    today: str
    runs: list[SizeRun] = field(default_factory=list)

    def growth(self) -> list[Growth]:
        """Each figure of every later size against the first size's."""
        if len(self.runs) < 2:
            return []
        baseline, rows = self.runs[0], []
        for run in self.runs[1:]:
            for figures in run.pages:
                before = baseline.page(figures.key)
                if before is None or not (before.ok and figures.ok):
                    continue
                rows.append(
                    Growth(
                        page=figures.page,
                        scope=figures.scope,
                        period_days=figures.period_days,
                        registrations=run.registrations,
                        baseline_registrations=baseline.registrations,
                        median_ratio=_ratio(figures.median_ms, before.median_ms),
                        p95_ratio=_ratio(figures.p95_ms, before.p95_ms),
                    )
                )
        return rows

    @property
    def target_met(self) -> bool:
        return all(figures.target_met for run in self.runs for figures in run.pages)

    @property
    def growth_met(self) -> bool | None:
        """None with a single size: nothing to compare."""
        rows = self.growth()
        if len(self.runs) < 2:
            return None
        return bool(rows) and all(row.met for row in rows)

    def to_dict(self) -> dict:
        return {
            "database": self.database,
            "requests": self.requests,
            "today": self.today,
            "target_ms": TARGET_MS,
            "growth_limit": GROWTH_LIMIT,
            "runs": [
                {
                    **{k: v for k, v in asdict(run).items() if k != "pages"},
                    "pages": [
                        {**asdict(figures), "target_met": figures.target_met}
                        for figures in run.pages
                    ],
                }
                for run in self.runs
            ],
            "growth": [{**asdict(row), "met": row.met} for row in self.growth()],
            "target_met": self.target_met,
            "growth_met": self.growth_met,
        }


# -- the accounts and their sessions --------------------------------------------------------


def signed_in_client(username: str) -> Client:
    """A client signed in as ``username``, its session past the second factor as django-otp
    marks it (the device's persistent id, and the time of the check for the step-ups)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise BenchError(f"no account {username!r}: seed_demo makes it")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Benchmark app", confirmed=True)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[VERIFIED_AT_SESSION_KEY] = time.time()
    session.save()
    return client


# -- one page -------------------------------------------------------------------------------


def measure(client: Client, url: str, query: dict[str, str], *, requests: int):
    """(status, timings in ms): one warm-up request, left out, then ``requests`` timed ones.
    A timed answer with another status than the warm-up's is an error."""
    secure = bool(getattr(settings, "SECURE_SSL_REDIRECT", False))
    status = client.get(url, query, secure=secure).status_code
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url, query, secure=secure)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != status:
            raise BenchError(f"{url}: HTTP {response.status_code} after HTTP {status}")
    return status, timings


def measure_pages(
    *, requests: int, today: date, progress: Callable[[str], None] | None = None
) -> list[PageFigures]:
    carrier_admin = signed_in_client(CARRIER_ADMIN)
    figures = []
    # DEBUG off, as a server runs (DEBUG keeps every query); the test client's host allowed;
    # no list rows kept (LIST_PAGE_KEPT_S), so that each figure is what a rendering costs.
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts, LIST_PAGE_KEPT_S=0):
        for scope in SCOPES:
            inspector = signed_in_client(scope.inspector)
            for days in PERIOD_DAYS:
                first = today - timedelta(days=days - 1)
                for page in PAGES:
                    url = reverse(page.url_name)
                    query = page_query(page, scope=scope, first=first, last=today)
                    client = carrier_admin if page.as_carrier_admin else inspector
                    status, timings = measure(client, url, query, requests=requests)
                    row = PageFigures(
                        page=page.name,
                        scope=scope.name,
                        period_days=days,
                        url=f"{url}?{urlencode(query)}" if query else url,
                        status=status,
                        requests=len(timings),
                        median_ms=round(statistics.median(timings), 1),
                        p95_ms=round(percentile(timings, 0.95), 1),
                        max_ms=round(max(timings), 1),
                    )
                    figures.append(row)
                    if progress is not None:
                        progress(
                            f"  {row.page:<19} {row.scope:<8} {days:>3} d: HTTP {row.status} "
                            f"median {row.median_ms:.1f} ms, p95 {row.p95_ms:.1f} ms"
                        )
    return figures


# -- the whole run --------------------------------------------------------------------------


def check_database(*, allow_sqlite: bool) -> None:
    vendor = connection.vendor
    if vendor == "postgresql":
        return
    if vendor == "sqlite" and allow_sqlite:
        return
    raise BenchError(
        f"bench_supervision measures PostgreSQL, and the configured database is {vendor}: "
        "set DATABASE_URL=postgres://... (and migrate it), or pass --allow-sqlite for a "
        "smoke run whose figures mean nothing"
    )


def check_commands() -> None:
    missing = [name for name in ("supervision_rollup_rebuild",) if name not in get_commands()]
    if missing:
        raise BenchError(f"the command {missing[0]} is missing (portal.supervision)")


def rebuild_rollups() -> tuple[float, dict[str, int]]:
    """Seconds ``supervision_rollup_rebuild`` took, and the rows it reports per rollup."""
    output = io.StringIO()
    started = time.perf_counter()
    call_command("supervision_rollup_rebuild", stdout=output)
    elapsed = time.perf_counter() - started
    rows = {}
    for line in output.getvalue().splitlines():
        name, _, rest = line.partition(":")
        words = rest.split()
        if words and words[0].isdigit():
            rows[name.strip()] = int(words[0])
    return elapsed, rows


def analyze() -> float:
    """Seconds to refresh the planner's statistics of the whole database (PostgreSQL): the
    rebuild has just rewritten the rollups, and autovacuum would catch up only later, so the
    first minutes of pages would be planned for tables of another size."""
    if connection.vendor != "postgresql":
        return 0.0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def measure_as_is(
    *,
    requests: int = DEFAULT_REQUESTS,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> SizeRun:
    """The pages over the database as it is, seeded and rebuilt before (``--measure-only``):
    the seeding of 10 M takes an hour, the measuring a few minutes, so a change to a page is
    measured again without seeding again."""
    today = today or timezone.localdate()
    rows = Registration.objects.count()
    run = SizeRun(registrations=rows, rows=rows, seed_s=0.0, rebuild_s=0.0, analyze_s=analyze())
    run.pages = measure_pages(requests=requests, today=today, progress=progress)
    return run


def bench(
    *,
    sizes: Iterable[int] = DEFAULT_SIZES,
    requests: int = DEFAULT_REQUESTS,
    allow_sqlite: bool = False,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
    measure_only: bool = False,
) -> Summary:
    check_database(allow_sqlite=allow_sqlite)
    check_commands()
    today = today or timezone.localdate()
    summary = Summary(database=connection.vendor, requests=requests, today=today.isoformat())
    say = progress or (lambda line: None)
    if measure_only:
        say(f"measuring the database as it is ({Registration.objects.count():,} registrations)")
        summary.runs.append(measure_as_is(requests=requests, today=today, progress=progress))
        return summary
    for size in sizes:
        say(f"{size:,} registrations: seeding")
        started = time.perf_counter()
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        seed_demo(registrations=size, password=password, rebuild_rollups=False)
        seed_s = time.perf_counter() - started
        rows = Registration.objects.count()
        say(f"  seeded in {seed_s:.1f} s ({rows:,} rows); rebuilding the rollups")
        rebuild_s, rollup_rows = rebuild_rollups()
        analyze_s = analyze()
        say(f"  rollups rebuilt in {rebuild_s:.1f} s, ANALYZE {analyze_s:.1f} s; measuring")
        run = SizeRun(
            registrations=size,
            rows=rows,
            seed_s=round(seed_s, 1),
            rebuild_s=round(rebuild_s, 2),
            analyze_s=round(analyze_s, 2),
            rollup_rows=rollup_rows,
        )
        run.pages = measure_pages(requests=requests, today=today, progress=progress)
        summary.runs.append(run)
    return summary
