"""What a signed-in subscriber may read: only what is registered under their own ID."""

from django.db.models import Case, Max, Q, When
from django.http import Http404
from django.utils import timezone

from portal.accounts.roles import Role
from portal.selfservice.models import Dispute, NoticeDeferral, SubjectAccess
from registrations import scoping
from registrations.models import Registration, Subscriber
from verification.models import BiometricEvidence, Consent, VerificationJob

SHOWN_STATUSES = tuple(
    status
    for status in Registration.Status.values
    if status not in (Registration.Status.DRAFT, Registration.Status.DISCARDED)
)


def my_registrations(*, subscriber: Subscriber):
    """Every registration under the subscriber's ID, at every operator, newest first."""
    return (
        Registration.objects.filter(subscriber=subscriber, status__in=SHOWN_STATUSES)
        .select_related("operator", "outlet", "province")
        .order_by("-created_at")
    )


def last_four(msisdn: str) -> str:
    """``+8613800138000`` -> ``*******8000``: the number masked but for its last 4 digits."""
    national = msisdn[3:] if msisdn.startswith("+86") else msisdn
    return "*" * (len(national) - 4) + national[-4:]


def my_disputes(*, subscriber: Subscriber) -> dict:
    """The subscriber's disputes by registration id: the latest of each."""
    latest = {}
    for dispute in Dispute.objects.filter(subscriber=subscriber).order_by("opened_at"):
        latest[dispute.registration_id] = dispute
    return latest


def disputes_in_scope(user):
    """The disputes of the registrations of the user's operators (a carrier admin's)."""
    return Dispute.objects.filter(
        registration__operator__in=scoping.operators_in_scope(user)
    ).select_related("registration", "registration__operator", "registration__outlet")


def dispute_list(*, user, status: str = ""):
    """Open ones first, the nearest deadline first; then the decided, the latest first."""
    disputes = disputes_in_scope(user)
    if status:
        disputes = disputes.filter(status=status)
    return disputes.order_by(
        Case(When(status=Dispute.Status.OPEN, then=0), default=1), "due_at", "-closed_at"
    )


def dispute_get(*, user, pk) -> Dispute:
    dispute = disputes_in_scope(user).filter(pk=pk).first()
    if dispute is None:
        raise Http404("No such dispute")
    return dispute


def overdue(now=None) -> Q:
    """Disputes still open past their deadline (at ``now``, by default now)."""
    return Q(status=Dispute.Status.OPEN, due_at__lt=now or timezone.now())


def disputed_registration_ids():
    """The registrations under an open dispute: a legal hold on their evidence."""
    return Dispute.objects.filter(status=Dispute.Status.OPEN).values_list(
        "registration_id", flat=True
    )


def overdue_disputed_registration_ids(now):
    """The registrations whose dispute is open past its deadline at ``now``."""
    return Dispute.objects.filter(overdue(now)).values_list("registration_id", flat=True)


def overdue_disputes_count(*, user) -> int:
    return disputes_in_scope(user).filter(overdue()).count()


def who_looked(*, subscriber: Subscriber, limit: int = 200) -> list[tuple]:
    """The latest looks by others at the subscriber's registrations and evidence, each with
    the number (last 4 digits) and the role in words, from the index by subject (never a
    scan of the audit trail)."""
    roles = dict(Role.choices)
    looks = (
        SubjectAccess.objects.filter(subscriber=subscriber)
        .select_related("registration")
        .order_by("-occurred_at")[:limit]
    )
    return [(look, last_four(look.registration.msisdn), roles.get(look.role, "")) for look in looks]


def ended_deferrals(*, subscriber: Subscriber):
    """The deferrals of the person's notices that have ended: shown to them, with the reason."""
    return NoticeDeferral.objects.filter(subscriber=subscriber, until__lte=timezone.now()).order_by(
        "-until"
    )


def registrations_with_consent(*, subscriber: Subscriber) -> set:
    return set(
        Consent.objects.filter(registration__subscriber=subscriber).values_list(
            "registration_id", flat=True
        )
    )


def data_deleted(*, subscriber: Subscriber) -> dict:
    """(registration id, retention class) -> when that data was deleted under its rule."""
    files = (
        BiometricEvidence.objects.filter(
            registration__subscriber=subscriber, purged_at__isnull=False
        )
        .values_list("registration_id", "purge_rule")
        .annotate(last=Max("purged_at"))
    )
    results = (
        VerificationJob.objects.filter(
            registration__subscriber=subscriber, result_purged_at__isnull=False
        )
        .values_list("registration_id")
        .annotate(last=Max("result_purged_at"))
    )
    deleted = {(pk, rule): when for pk, rule, when in files.order_by()}
    deleted.update({(pk, "engine_result"): when for pk, when in results.order_by()})
    return deleted


def consents_withdrawn(*, subscriber: Subscriber) -> dict:
    """Registration id -> when its consent was withdrawn."""
    return dict(
        Consent.objects.filter(
            registration__subscriber=subscriber, withdrawn_at__isnull=False
        ).values_list("registration_id", "withdrawn_at")
    )


def overdue_disputes_for_ministry(*, user):
    """Open disputes past their deadline, of registrations in the inspector's provinces,
    the longest overdue first."""
    return (
        Dispute.objects.filter(
            overdue(), registration__province__in=scoping.provinces_in_scope(user)
        )
        .select_related("registration", "registration__operator", "registration__outlet")
        .order_by("due_at")
    )
