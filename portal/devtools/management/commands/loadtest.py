"""python manage.py loadtest [--duration 300] [--users 12] [--spawn-rate 2]: the portal's
mixed load on gunicorn and a Celery worker with locust. See portal/devtools/loadtest.py."""

from django.core.management.base import BaseCommand, CommandError

from portal.devtools import loadtest


class Command(BaseCommand):
    help = (
        "Start gunicorn on loopback and a Celery worker, load them with locust (outlet "
        "staff, carrier reviewers, inspectors, API partners, subscribers), print the figures "
        "per endpoint and the verifications per minute; fail on any 5xx."
    )

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=int, default=300, help="Seconds of load (300)")
        parser.add_argument("--users", type=int, default=12, help="Concurrent locust users (12)")
        parser.add_argument(
            "--spawn-rate", type=float, default=2.0, help="Users started per second (2)"
        )
        parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (cores)")

    def handle(self, *args, duration: int, users: int, spawn_rate: float, workers, **options):
        if duration < 1 or users < 1 or spawn_rate <= 0:
            raise CommandError("--duration and --users must be at least 1, --spawn-rate above 0")
        try:
            report = loadtest.run(
                duration_s=duration, users=users, spawn_rate=spawn_rate, workers=workers
            )
        except loadtest.LoadTestError as error:
            raise CommandError(str(error)) from error
        except KeyboardInterrupt:
            raise CommandError(
                "Interrupted; the server and worker are stopped.", returncode=130
            ) from None
        for line in loadtest.render(report):
            self.stdout.write(line)
        problems = report.problems()
        if problems:
            raise CommandError("; ".join(problems), returncode=1)
