"""bench_supervision: the figures of every supervision page at each size (a smoke run here)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from portal.devtools import bench_supervision as bench
from portal.devtools.management.commands.bench_supervision import Command, sizes
from registrations.models import Registration


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("bench_supervision", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_it_refuses_sqlite_without_the_smoke_flag():
    if connection.vendor != "sqlite":
        pytest.skip("the refusal is SQLite's; this database is measured")
    with pytest.raises(CommandError, match="--allow-sqlite"):
        run("--registrations", "10", "--requests", "1")
    assert not Registration.objects.exists(), "nothing was seeded before the refusal"


@pytest.mark.slow  # about 20 s: two sizes, 32 pages each
@pytest.mark.django_db
def test_a_smoke_run_measures_every_page_in_both_scopes_and_periods_at_each_size():
    figures = json.loads(
        run("--registrations", "20,40", "--requests", "2", "--allow-sqlite", "--json")
    )

    assert figures["database"] == connection.vendor
    assert [size["registrations"] for size in figures["runs"]] == [20, 40]
    assert [size["rows"] for size in figures["runs"]] == [20, 40]
    expected = {
        (page.name, scope.name, days)
        for page in bench.PAGES
        for scope in bench.SCOPES
        for days in bench.PERIOD_DAYS
    }
    for size in figures["runs"]:
        assert size["rebuild_s"] >= 0
        assert size["rollup_rows"], "the rebuild reports its rows per rollup"
        assert {(p["page"], p["scope"], p["period_days"]) for p in size["pages"]} == expected
        for page in size["pages"]:
            assert page["status"] == 200, page["url"]
            assert page["requests"] == 2
            assert 0 < page["median_ms"] <= page["p95_ms"] <= page["max_ms"]
            assert page["target_met"] == (page["p95_ms"] < bench.TARGET_MS)
    # Every figure of the second size is compared with the first's.
    assert len(figures["growth"]) == len(expected)
    assert all(row["baseline_registrations"] == 20 for row in figures["growth"])
    assert isinstance(figures["target_met"], bool)
    assert isinstance(figures["growth_met"], bool)
    # The province scope asks for its province; the periods end today.
    pages, today = figures["runs"][0]["pages"], figures["today"]
    summary = {
        (p["scope"], p["period_days"]): p["url"] for p in pages if p["page"] == "summary.json"
    }
    assert "province=440000" in summary[("province", 30)]
    assert "province" not in summary[("nation", 30)]
    assert f"to={today}" in summary[("nation", 365)]
    audit = next(p for p in pages if p["page"] == "audit trail")
    assert f"occurred_to={today}" in audit["url"]


def figures(page: str, scope: str, days: int, median: float, p95: float, status=200):
    return bench.PageFigures(page, scope, days, "/x/", status, 20, median, p95, p95)


def report(summary: bench.Summary) -> str:
    command = Command(stdout=io.StringIO())
    command._report(summary)
    return command.stdout._out.getvalue()


def test_the_report_says_which_page_misses_the_target_and_which_grew_too_much():
    small = bench.SizeRun(1_000_000, 1_000_000, 240.0, 60.0, 1.0, {"statusrollup": 900})
    small.pages = [
        figures("overview", "nation", 30, 100, 120),
        figures("summary.json", "nation", 30, 50, 60),
    ]
    large = bench.SizeRun(10_000_000, 10_000_000, 2400.0, 600.0, 9.0, {"statusrollup": 1000})
    large.pages = [
        figures("overview", "nation", 30, 140, 310),
        figures("summary.json", "nation", 30, 60, 70),
    ]
    summary = bench.Summary("postgresql", 20, "2026-12-01", runs=[small, large])

    output = report(summary)

    assert "10,000,000 registrations (10,000,000 rows)" in output
    assert "rollups rebuilt in 600.00 s" in output
    assert "rollup rows: statusrollup 1,000" in output
    lines = output.splitlines()
    overview_10m = [line for line in lines if "overview" in line and "310.0 ms" in line]
    assert overview_10m and overview_10m[0].endswith("MISSED")
    growth = [line for line in lines if "10,000,000 / 1,000,000" in line]
    assert len(growth) == 2
    assert "median x1.4, p95 x2.58" in growth[0] and growth[0].endswith("MISSED")
    assert growth[1].endswith("met")
    assert "every page under 300 ms (median and p95): MISSED" in output
    assert "later sizes within 1.5x the first: MISSED" in output
    assert summary.to_dict()["growth_met"] is False


def test_a_page_that_does_not_answer_200_misses_the_target():
    run_ = bench.SizeRun(10, 10, 0.1, 0.1, 0.0)
    run_.pages = [figures("risk alerts", "province", 30, 5, 6, status=404)]
    summary = bench.Summary("sqlite", 1, "2026-12-01", runs=[run_])

    assert not summary.target_met
    assert summary.growth_met is None
    assert "later sizes within 1.5x the first: n/a" in report(summary)


def test_the_sizes_are_numbers_of_at_least_one_in_the_order_given():
    assert sizes("1_000_000, 10000000") == [1_000_000, 10_000_000]
    for wrong in ("", "a,b", "0", "100,-1"):
        with pytest.raises(CommandError):
            sizes(wrong)


def test_the_p95_is_the_nearest_rank():
    assert bench.percentile(range(1, 21), 0.95) == 19
    assert bench.percentile([5.0], 0.95) == 5.0
    assert bench.percentile([3.0, 1.0, 2.0], 0.5) == 2.0


def test_a_figure_grows_within_the_limit_or_not():
    def growth(median, p95):
        return bench.Growth("overview", "nation", 30, 10, 1, median, p95)

    assert growth(1.5, 1.2).met
    assert not growth(1.51, 1.0).met
    assert not growth(1.0, None).met


@pytest.mark.slow  # about 10 s: one seeding, then the pages measured as they are
@pytest.mark.django_db
def test_measure_only_neither_seeds_nor_rebuilds_and_measures_every_page():
    from portal.devtools.loader import seed_demo

    seed_demo(registrations=15, password="bench-demo-pass-2026")
    before = Registration.objects.count()
    figures = json.loads(run("--measure-only", "--requests", "1", "--allow-sqlite", "--json"))

    assert Registration.objects.count() == before, "nothing was seeded"
    (only,) = figures["runs"]
    assert only["rows"] == before
    assert only["seed_s"] == only["rebuild_s"] == 0
    assert len(only["pages"]) == len(bench.PAGES) * len(bench.SCOPES) * len(bench.PERIOD_DAYS)
    assert all(page["status"] == 200 for page in only["pages"])
    assert figures["growth"] == []
