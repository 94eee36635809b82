"""python manage.py explain_lists: every list query's plan, failing on a sequential scan of
the registrations or the audit trail (portal/ops/explain_lists.py)."""

from django.core.management.base import BaseCommand, CommandError

from portal.ops.explain_lists import explain_all


class Command(BaseCommand):
    help = "EXPLAIN every list query as the demo's readers ask it; fail on a sequential scan."

    def handle(self, *args, **options):
        seen, findings = explain_all()
        for finding in findings:
            self.stdout.write(f"SEQ SCAN of {finding.table}: {finding.case}")
        self.stdout.write(f"{len(seen)} list queries explained, {len(findings)} sequential scans")
        if not seen:
            raise CommandError("no list query to explain: seed the demo first")
        if findings:
            raise CommandError(f"{len(findings)} list queries read a whole table")
