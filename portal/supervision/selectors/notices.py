"""Reads of findings and rectification notices, always in the reader's scope.

Scope: a finding belongs to one operator and one province. Nation-wide inspectors (and the
ministry admin) see every one; a provincial inspector those of their provinces; a carrier
admin the notices to their own operator (never the findings list). Anything else is a 404.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone
from guardian.models import UserObjectPermission

from portal.accounts.models import User
from portal.accounts.permissions import Grant
from portal.accounts.roles import Role, role_of
from portal.accounts.scoping import get_in_scope_or_404, sees_nation
from portal.audit.models import AuditEvent
from portal.supervision.models import Finding, Notice
from registrations import scoping
from registrations.models import Outlet, Registration


def registration_ids_under_open_findings():
    """The registrations a finding names, until its notice is accepted (or while it has
    none): a legal hold on their evidence."""
    links = Finding.registrations.through.objects.exclude(
        finding__notice__status=Notice.Status.ACCEPTED
    )
    return links.values_list("registration_id", flat=True)


def findings_in_scope(user) -> QuerySet[Finding]:
    findings = Finding.objects.select_related("operator", "province", "recorded_by")
    if sees_nation(user):
        return findings
    if role_of(user) == Role.MINISTRY_INSPECTOR:
        return findings.filter(province__in=scoping.provinces_in_scope(user))
    return findings.none()


def finding_list(*, user) -> QuerySet[Finding]:
    return findings_in_scope(user).select_related("notice")


def finding_get(*, user, pk) -> Finding:
    return get_in_scope_or_404(findings_in_scope(user), pk=pk)


def notices_in_scope(user) -> QuerySet[Notice]:
    notices = Notice.objects.select_related("finding", "operator", "province", "issued_by")
    if sees_nation(user):
        return notices
    role = role_of(user)
    if role == Role.MINISTRY_INSPECTOR:
        return notices.filter(province__in=scoping.provinces_in_scope(user))
    if role == Role.CARRIER_ADMIN:
        return notices.filter(operator__in=scoping.operators_in_scope(user))
    return notices.none()


def overdue_q(*, today=None) -> Q:
    """Past the deadline and not accepted (the same rule as ``Notice.is_overdue``)."""
    today = today or timezone.localdate()
    return Q(deadline__lt=today) & ~Q(status=Notice.Status.ACCEPTED)


@dataclass(frozen=True)
class NoticeFilters:
    status: str = ""
    overdue: bool = False


def notice_list(*, user, filters: NoticeFilters | None = None) -> QuerySet[Notice]:
    filters = filters or NoticeFilters()
    notices = notices_in_scope(user)
    if filters.status:
        notices = notices.filter(status=filters.status)
    if filters.overdue:
        notices = notices.filter(overdue_q())
    return notices


def notice_get(*, user, pk) -> Notice:
    return get_in_scope_or_404(notices_in_scope(user), pk=pk)


def overdue_count(*, user) -> int:
    return notices_in_scope(user).filter(overdue_q()).count()


# -- what a finding may link to: in the reader's scope, of the finding's operator and province


def registrations_linkable(*, user, operator, province) -> QuerySet[Registration]:
    return scoping.registrations_in_scope(user).filter(operator=operator, province=province)


def outlets_linkable(*, user, operator, province) -> QuerySet[Outlet]:
    return scoping.outlets_in_scope(user).filter(operator=operator, province=province)


def staff_linkable(*, user, operator, province) -> QuerySet[User]:
    """Outlet staff of ``operator`` who work at one of its outlets in ``province`` that the
    reader sees (staff have no province of their own: their outlets give them one)."""
    outlet_pks = [
        str(pk)
        for pk in outlets_linkable(user=user, operator=operator, province=province).values_list(
            "pk", flat=True
        )
    ]
    app_label, codename = Grant.WORK_AT_OUTLET.split(".")
    holders = UserObjectPermission.objects.filter(
        content_type=ContentType.objects.get_for_model(Outlet),
        permission__codename=codename,
        permission__content_type__app_label=app_label,
        object_pk__in=outlet_pks,
    ).values("user_id")
    return User.objects.filter(
        groups__name=Role.OUTLET_STAFF, operator=operator, pk__in=holders
    ).distinct()


def finding_links(*, finding: Finding) -> dict:
    """The records a finding is about, for its page and its notice's (both sides): the
    operator's own, so its carrier admin sees them too."""
    return {
        "registrations": finding.registrations.select_related("subscriber"),
        "outlets": finding.outlets.all(),
        "staff": finding.staff.all(),
    }


# -- timelines ------------------------------------------------------------------------------


def finding_timeline(*, finding: Finding) -> QuerySet[AuditEvent]:
    """What happened to a finding already reached through scope, oldest first."""
    return AuditEvent.objects.filter(object_type="finding", object_id=str(finding.pk)).order_by(
        "sequence"
    )


def notice_timeline(*, notice: Notice) -> QuerySet[AuditEvent]:
    """The finding's recording, then every step of the notice, oldest first.

    For a notice already reached through scope: its events carry its own operator and
    province.
    """
    return AuditEvent.objects.filter(
        Q(object_type="notice", object_id=str(notice.pk))
        | Q(object_type="finding", object_id=str(notice.finding_id))
    ).order_by("sequence")
