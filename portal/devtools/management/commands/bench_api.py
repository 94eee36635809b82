"""python manage.py bench_api [--users 16] [--duration 30] [--rounds 3] [--json]: the partner
API beside the bare Django ceiling, on gunicorn with locust. See portal/devtools/bench_api.py."""

import json

from django.core.management.base import BaseCommand, CommandError

from portal.devtools import bench_api


class Command(BaseCommand):
    help = (
        "Start gunicorn on loopback (one worker per core), then load a bare JsonResponse and "
        "GET /api/v1/registrations/{id} with a partner key with locust, alternating in rounds; "
        f"target: the API at {bench_api.TARGET_RATIO:.0%} of the bare requests/s or more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=16, help="Concurrent locust users (16)")
        parser.add_argument(
            "--duration", type=int, default=30, help="Seconds per endpoint and round (30)"
        )
        parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (cores)")
        parser.add_argument(
            "--rounds", type=int, default=3, help="Alternating bare/API rounds; the median counts"
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the figures as JSON"
        )

    def handle(
        self, *args, users: int, duration: int, workers, rounds: int, as_json: bool, **options
    ):
        if users < 1 or duration < 1 or rounds < 1:
            raise CommandError("--users, --duration and --rounds must be at least 1")
        try:
            summary = bench_api.bench(
                users=users, duration_s=duration, workers=workers, rounds=rounds
            )
        except bench_api.BenchError as error:
            raise CommandError(str(error)) from error
        except KeyboardInterrupt:
            raise CommandError("Interrupted; the server is stopped.", returncode=130) from None
        if as_json:
            self.stdout.write(json.dumps(summary.to_dict(), indent=2))
            return
        self.stdout.write(
            f"gunicorn: {summary.workers} sync workers, {summary.database}; locust: "
            f"{summary.users} users, {summary.duration_s} s per endpoint in each of "
            f"{len(summary.rounds)} alternating rounds"
        )
        for number, round_ in enumerate(summary.rounds, start=1):
            self.stdout.write(
                f"round {number}: bare {round_.bare.requests_per_s:.1f}, "
                f"api {round_.api.requests_per_s:.1f} requests/s: {round_.ratio:.1%}"
            )
        self.stdout.write("the median round:")
        for figures in (summary.bare, summary.api):
            self.stdout.write(
                f"{figures.name:>5}: {figures.requests_per_s:8.1f} requests/s   "
                f"p50 {figures.p50_ms:6.1f} ms   p99 {figures.p99_ms:6.1f} ms   "
                f"{figures.requests} requests, {figures.failures} failed"
            )
        verdict = "met" if summary.ratio >= bench_api.TARGET_RATIO else "MISSED"
        self.stdout.write(
            f"ratio api/bare: {summary.ratio:.1%} (target >= {bench_api.TARGET_RATIO:.0%}): "
            f"{verdict}"
        )
