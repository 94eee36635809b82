"""The purge of retention.py: what is due deleted in small batches, and each registration's
data key destroyed once none of its files is left (crypto-shredding); the ID number and the
name of a subscriber deleted once the records of all their registrations are due.

A batch takes at most ``batch_size`` items of every class, skipping rows another purge holds
(``SKIP LOCKED``), deletes their files, marks their rows (when, under which rule), destroys
the keys left with nothing to open, and writes one audit event with the counts per class,
all in one transaction. The files are deleted before the commit: should the commit fail,
the rows say the files are still there and the next run deletes them again (a missing file
is no error). Registrations on a legal hold (holds.py) are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.services import audit_record
from registrations.models import Registration, Subscriber
from verification import retention
from verification.holds import not_on_hold
from verification.models import BiometricEvidence, EvidenceKey, VerificationJob

Kind = BiometricEvidence.Kind
# The classes whose data are files, and the kind of evidence each holds.
FILE_CLASSES = {
    "capture_video": Kind.CAPTURE,
    "key_frames": Kind.KEY_FRAME,
    "id_portrait": Kind.PORTRAIT,
}
RESULT_CLASS = "engine_result"
# The ID number and the name are the subscriber's, shared by all the registrations under that
# ID: they are deleted once the record of every one of them is due (and none is on hold).
RECORD_CLASS = "registration_record"
PURGED_CLASSES = (*FILE_CLASSES, RESULT_CLASS, RECORD_CLASS)
BATCH_SIZE = 200


@dataclass
class PurgeReport:
    dry_run: bool
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PURGED_CLASSES, 0))
    keys_destroyed: int = 0
    batches: int = 0

    def as_dict(self) -> dict:
        return {"dry_run": self.dry_run, "counts": self.counts,
                "keys_destroyed": self.keys_destroyed, "batches": self.batches}  # fmt: skip


def due_registrations(data_class: retention.DataClass, now: datetime) -> QuerySet:
    """The registrations whose data of ``data_class`` is due at ``now``, holds left out."""
    cutoff = now - timedelta(days=data_class.days)
    if data_class.after == retention.DECISION:
        due = Q(decided_at__lte=cutoff)
    else:
        due = retention.number_ended_by(cutoff)
    if data_class.by_consent:
        due |= Q(biometric_consent__withdrawn_at__lte=now, decided_at__isnull=False)
    return not_on_hold(Registration.objects.filter(due))


def _due_files(code: str, now: datetime) -> QuerySet:
    registrations = due_registrations(retention.BY_CODE[code], now)
    return BiometricEvidence.objects.filter(
        kind=FILE_CLASSES[code], purged_at__isnull=True, registration__in=registrations
    )


def _due_results(now: datetime) -> QuerySet:
    registrations = due_registrations(retention.BY_CODE[RESULT_CLASS], now)
    return VerificationJob.objects.filter(
        result_purged_at__isnull=True, finished_at__isnull=False, registration__in=registrations
    )


def _due_records(now: datetime) -> QuerySet:
    """The subscribers, not anonymised yet, whose every registration's record is due."""
    due = due_registrations(retention.BY_CODE[RECORD_CLASS], now)
    kept = Registration.objects.filter(subscriber_id=OuterRef("pk")).exclude(
        pk__in=due.values("pk")
    )
    return Subscriber.objects.filter(
        Exists(due.filter(subscriber_id=OuterRef("pk"))), ~Exists(kept), anonymised_at=None
    )


def _records_of(subscriber_ids) -> int:
    """How many registrations' records the subscribers' ID details are (what is counted)."""
    return Registration.objects.filter(subscriber_id__in=subscriber_ids).count()


def evidence_due(now: datetime | None = None) -> dict[str, int]:
    """How many items of each class are due now (what a dry run prints)."""
    now = now or timezone.now()
    counts = {code: _due_files(code, now).count() for code in FILE_CLASSES}
    counts[RESULT_CLASS] = _due_results(now).count()
    counts[RECORD_CLASS] = _records_of(_due_records(now).values("pk"))
    return counts


def evidence_purge(
    *, now: datetime | None = None, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> PurgeReport:
    now = now or timezone.now()
    report = PurgeReport(dry_run=dry_run)
    if dry_run:
        report.counts = evidence_due(now)
        return report
    while _purge_batch(now, batch_size, report):
        report.batches += 1
    return report


@transaction.atomic
def _purge_batch(now: datetime, batch_size: int, report: PurgeReport) -> bool:
    """One batch; False when nothing was due."""
    counts, touched = {}, set()
    for code in FILE_CLASSES:
        rows = list(
            _due_files(code, now).select_for_update(skip_locked=True, of=("self",))[:batch_size]
        )
        for evidence in rows:
            if evidence.file.name:
                evidence.file.storage.delete(evidence.file.name)
            touched.add(evidence.registration_id)
        BiometricEvidence.objects.filter(pk__in=[e.pk for e in rows]).update(
            file="", purged_at=now, purge_rule=code
        )
        counts[code] = len(rows)
    jobs = list(
        _due_results(now)
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", flat=True)[:batch_size]
    )
    VerificationJob.objects.filter(pk__in=jobs).update(result={}, result_purged_at=now)
    counts[RESULT_CLASS] = len(jobs)
    counts[RECORD_CLASS] = _anonymise_batch(now, batch_size)
    if not any(counts.values()):
        return False
    destroyed = _destroy_spent_keys(touched, now)
    audit_record(
        action=Action.EVIDENCE_PURGED,
        object_type="retention",
        object_id=now.date().isoformat(),
        changes={
            **{code: (None, n) for code, n in counts.items()},
            "data_keys_destroyed": (None, destroyed),
        },  # fmt: skip
    )
    for code, n in counts.items():
        report.counts[code] += n
    report.keys_destroyed += destroyed
    return True


def _anonymise_batch(now: datetime, batch_size: int) -> int:
    """Delete the ID number and the name of up to ``batch_size`` due subscribers; returns how
    many registrations' records that was. The rows stay (their registrations, counts and
    history point at them); the blind index goes with the number, so the ID is found no more
    and a new registration under it starts a new subscriber."""
    subscribers = list(
        _due_records(now)
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", flat=True)[:batch_size]
    )
    Subscriber.objects.filter(pk__in=subscribers).update(
        id_number=None, id_number_index=None, full_name=None, anonymised_at=now
    )
    return _records_of(subscribers)


def _destroy_spent_keys(registration_ids: set, now: datetime) -> int:
    """Destroy the data keys of those registrations that have no file left to open."""
    still_stored = BiometricEvidence.objects.filter(purged_at__isnull=True).exclude(file="")
    spent = EvidenceKey.objects.filter(
        registration_id__in=registration_ids, wrapped__isnull=False
    ).exclude(registration_id__in=still_stored.values("registration_id"))
    return spent.update(wrapped=None, destroyed_at=now)
