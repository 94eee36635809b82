"""Sign the audit chain's head and append it to the checkpoint file (hourly, by Celery beat)."""

from django.core.management.base import BaseCommand

from portal.audit.checkpoints import audit_checkpoint_write, checkpoint_path


class Command(BaseCommand):
    help = "Append a signed checkpoint of the audit chain's head to AUDIT_CHECKPOINT_FILE."

    def handle(self, *args, **options):
        checkpoint = audit_checkpoint_write()
        if checkpoint is None:
            self.stdout.write("Nothing new to sign.")
            return
        self.stdout.write(
            f"Signed event {checkpoint.sequence} ({checkpoint.hash}) into {checkpoint_path()}"
        )
