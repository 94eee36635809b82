"""python manage.py bench_lists: the inspector's first page of /registrations/ under load."""

from django.core.management.base import BaseCommand, CommandError

from portal.devtools import bench_lists, loadtest


class Command(BaseCommand):
    help = (
        "Serve the portal with gunicorn on loopback and ask a nation-wide inspector's first "
        "page of /registrations/ with locust users back to back; print requests/s and "
        "p50/p95/p99; fail under 100/s. Needs PostgreSQL with --min-rows registrations."
    )

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=8, help="Concurrent users (8)")
        parser.add_argument("--duration", type=int, default=30, help="Seconds of load (30)")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn processes (3)")
        parser.add_argument(
            "--min-rows", type=int, default=1_000_000, help="Registrations needed (1,000,000)"
        )

    def handle(self, *args, users: int, duration: int, workers: int, min_rows: int, **options):
        if min(users, duration, workers) < 1:
            raise CommandError("--users, --duration and --workers must be at least 1")
        try:
            figures = bench_lists.run(
                users=users, duration_s=duration, workers=workers, min_rows=min_rows
            )
        except loadtest.LoadTestError as error:
            raise CommandError(str(error)) from error
        for line in figures.lines():
            self.stdout.write(line)
        problems = figures.problems()
        if problems:
            raise CommandError("; ".join(problems), returncode=1)
