"""Walk the audit chain and the signed checkpoints. Exit 0 when intact, 1 at the first break."""

from django.core.management.base import BaseCommand

from portal.audit.checkpoints import checkpoint_key, checkpoint_path
from portal.audit.verification import verify_chain, verify_checkpoints


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and its signed checkpoints."

    def add_arguments(self, parser):
        parser.add_argument("--no-checkpoints", action="store_true", help="Check the chain only.")

    def handle(self, *args, no_checkpoints=False, **options):
        report = verify_chain()
        if not report.intact:
            self.stderr.write(f"BROKEN at sequence {report.first_bad_sequence}: {report.problem}")
            raise SystemExit(1)
        checked = 0
        if not no_checkpoints:
            checkpoints = verify_checkpoints(path=checkpoint_path(), key=checkpoint_key())
            if not checkpoints.intact:
                self.stderr.write(
                    f"BROKEN at sequence {checkpoints.first_bad_sequence}: {checkpoints.problem}"
                )
                raise SystemExit(1)
            checked = checkpoints.checked
        self.stdout.write(
            f"OK: {report.events} events, head {report.head_hash}, "
            f"{checked} signed checkpoints match"
        )
