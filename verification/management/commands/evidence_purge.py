"""python manage.py evidence_purge [--dry-run]: purge what retention.py says is due.

Files of the due classes are deleted and their registrations' data keys destroyed once
nothing is left for them to open; registrations on a legal hold are left alone. One audit
event per batch, with the counts per class. Celery beat runs it daily.
"""

from django.core.management.base import BaseCommand, CommandError

from verification.services.purge import BATCH_SIZE, evidence_purge


class Command(BaseCommand):
    help = "Delete the evidence and figures that retention rules say are due (see README)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is due; delete nothing"
        )
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help="Items per class and batch"
        )

    def handle(self, *args, dry_run: bool, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        report = evidence_purge(dry_run=dry_run, batch_size=batch_size)
        verb = "due" if dry_run else "purged"
        for code, count in report.counts.items():
            self.stdout.write(f"{code}: {count} {verb}")
        if not dry_run:
            self.stdout.write(
                f"{report.keys_destroyed} data key(s) destroyed, in {report.batches} batch(es)"
            )
