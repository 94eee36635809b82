"""Recompute the supervision rollups from the registrations (after a bulk load, a restore, or
to check the incremental counts): the old rows are replaced in one transaction."""

from django.core.management.base import BaseCommand

from portal.supervision.services.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "Recompute every supervision rollup from the source rows, replacing the old ones."

    def handle(self, *args, **options):
        written = rollups_rebuild(actor=None)
        for name, count in written.items():
            self.stdout.write(f"{name}: {count} rows")
