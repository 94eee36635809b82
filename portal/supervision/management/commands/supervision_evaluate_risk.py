"""python manage.py supervision_evaluate_risk: evaluate every risk signal now and raise (or
bring up to date) the alerts, as the periodic task does; prints what it did."""

from django.core.management.base import BaseCommand

from portal.supervision.services.alerts import risk_evaluate


class Command(BaseCommand):
    help = "Evaluate every risk signal and raise or update the alerts; prints the counts."

    def handle(self, *args, **options):
        summary = risk_evaluate()
        self.stdout.write(
            f"{summary.hits} hits: {summary.raised} alerts raised, {summary.updated} updated, "
            f"{summary.cooling_down} cooling down"
        )
