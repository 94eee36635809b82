"""make bench-lists' verdict and figures, without a server."""

from portal.devtools.bench_lists import TARGET_PER_S, Figures, figures_of

STATS_HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)


def figures(**changes) -> Figures:
    measured = {"requests_per_s": 120.0, "p50_ms": 60, "p95_ms": 110, "p99_ms": 150}
    run = {"rows": 1_000_000, "users": 8, "workers": 3, "duration_s": 30, "requests": 3600}
    return Figures(**{**run, **measured, "failures": 0, **changes})


def test_the_target_met_without_failures_is_no_problem():
    assert figures().problems() == []


def test_under_the_target_or_any_failure_is_a_problem():
    slow = figures(requests_per_s=TARGET_PER_S - 0.1).problems()
    assert slow and "under 100" in slow[0]
    assert figures(failures=2).problems() == ["2 requests failed"]


def test_the_list_rows_figures_are_read_from_locusts_csv(tmp_path):
    prefix = tmp_path / "lists"
    rows = [
        "POST,/accounts/login/,8,0,900,900,800,1000,0,0.3,0,900,,,,,1000,,1000,,,1000",
        "GET,GET /registrations/ (first page),3100,1,62,70,20,400,5000,103.3,0.03,"
        "62,,,,,120,,180,,,400",
        "GET,Aggregated,3108,1,62,70,20,1000,5000,103.6,0.03,62,,,,,120,,180,,,1000",
    ]
    (tmp_path / "lists_stats.csv").write_text("\n".join([STATS_HEADER, *rows]) + "\n")
    (tmp_path / "lists_stats_history.csv").write_text("Timestamp,x\n1000,a\n1030,b\n")
    read = figures_of(prefix, rows=1_000_000, users=8, workers=3)
    assert (read.requests, read.failures, read.requests_per_s) == (3100, 1, 103.3)
    assert (read.p50_ms, read.p95_ms, read.p99_ms) == (62, 120, 180)
    assert read.duration_s == 30
    assert read.problems() == ["1 requests failed"]
