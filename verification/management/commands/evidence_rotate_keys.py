"""Rewrap every registration's data key with the newest key of EVIDENCE_KEYS.

Rotate a master key by putting a new one first in EVIDENCE_KEYS, running this command, and
only then removing the old key. The files stay as they are: they are encrypted with their
registration's data key, and only the wrapping of that key changes. Files written before
data keys existed (encrypted with a master key directly) are moved under their
registration's data key on the way. Keys or files that no configured key opens are named
and the command exits non-zero: remove no key until that list is empty.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F, Q

from verification.models import BiometricEvidence, EvidenceKey
from verification.services.evidence import data_key_for
from verification.storage import EvidenceUnreadable, data_key_rewrap, evidence_storage


class Command(BaseCommand):
    help = "Rewrap every evidence data key with the newest key in EVIDENCE_KEYS."

    def handle(self, *args, **options) -> None:
        unreadable: list[str] = []
        moved = self._move_master_key_files(unreadable)
        rewrapped = current = 0
        keys = EvidenceKey.objects.filter(wrapped__isnull=False).order_by("pk")
        for key in keys.iterator():
            try:
                wrapped = data_key_rewrap(key.wrapped)
            except EvidenceUnreadable:
                unreadable.append(f"the data key of registration {key.registration_id}")
                continue
            if wrapped is None:
                current += 1
                continue
            EvidenceKey.objects.filter(pk=key.pk).update(wrapped=wrapped)
            rewrapped += 1
        self.stdout.write(
            f"{rewrapped} data key(s) rewrapped, {current} already on the newest key; "
            f"{moved} file(s) moved under their registration's data key."
        )
        if unreadable:
            raise CommandError(
                f"{len(unreadable)} cannot be decrypted with any configured key "
                f"(or are missing): {', '.join(unreadable)}"
            )

    def _move_master_key_files(self, unreadable: list[str]) -> int:
        """Files older than their registration's data key (or with none) may still be under
        a master key: each one that is, resealed with the data key."""
        older = BiometricEvidence.objects.filter(purged_at__isnull=True).exclude(file="")
        older = older.filter(
            Q(registration__evidence_key__isnull=True)
            | Q(created_at__lt=F("registration__evidence_key__created_at"))
        )
        moved = 0
        for evidence in older.select_related("registration").iterator():
            name = evidence.file.name
            try:
                if not evidence_storage.under_master_key(name):
                    continue
                with transaction.atomic():
                    evidence_storage.reseal(name, data_key_for(evidence.registration))
            except (EvidenceUnreadable, FileNotFoundError):
                unreadable.append(name)
                continue
            moved += 1
        return moved
