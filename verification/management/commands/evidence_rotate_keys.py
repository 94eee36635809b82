"""Re-encrypt every evidence file with the newest key of EVIDENCE_KEYS.

Rotate a key by putting a new one first in EVIDENCE_KEYS, running this command, and only then
removing the old key. Files that no configured key decrypts are named and the command exits
non-zero: remove no key until that list is empty.
"""

from django.core.management.base import BaseCommand, CommandError

from verification.models import BiometricEvidence
from verification.storage import EvidenceUnreadable, evidence_storage


class Command(BaseCommand):
    help = "Re-encrypt every biometric evidence file with the newest key in EVIDENCE_KEYS."

    def handle(self, *args, **options) -> None:
        rotated = current = 0
        unreadable: list[str] = []
        names = BiometricEvidence.objects.order_by("created_at").values_list("file", flat=True)
        for name in names.iterator():
            try:
                changed = evidence_storage.rotate(name)
            except (EvidenceUnreadable, FileNotFoundError):
                unreadable.append(name)
                continue
            rotated += changed
            current += not changed
        self.stdout.write(f"{rotated} file(s) rotated, {current} already on the newest key.")
        if unreadable:
            raise CommandError(
                f"{len(unreadable)} file(s) cannot be decrypted with any configured key "
                f"(or are missing): {', '.join(unreadable)}"
            )
