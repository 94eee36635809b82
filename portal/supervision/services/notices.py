"""Every write to findings and rectification notices.

Each function checks the actor's permission and scope (a finding outside the actor's
provinces does not exist for them), runs in one transaction and writes its audit event in
it. The notice's steps are the rows of ``notice_lifecycle``: a step the table does not allow
from the notice's state is refused with ``invalid_transition``.
"""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.permissions import Perm, can
from portal.audit.actions import Action
from portal.audit.services import audit_record
from portal.supervision import notice_lifecycle
from portal.supervision.errors import NoticeCode, NoticeError
from portal.supervision.models import Finding, Notice
from portal.supervision.notice_lifecycle import NoticeStep
from portal.supervision.selectors import notices as selectors
from registrations import scoping
from registrations.models import Operator, Outlet, Province, Registration

# The longest a notice may give an operator (a year) and the shortest text that says something.
MAX_DEADLINE_DAYS = 366
MIN_TEXT_LENGTH = 10


def _require_permission(actor, perm: Perm) -> None:
    if not can(actor, perm):
        raise NoticeError(NoticeCode.NOT_ALLOWED, status=403)


def _require_text(value: str, field: str) -> str:
    text = (value or "").strip()
    if len(text) < MIN_TEXT_LENGTH:
        raise NoticeError(NoticeCode.TEXT_TOO_SHORT, field=field)
    return text


def _within(items: Iterable, allowed, field: str) -> list:
    items = list(items)
    allowed_pks = set(
        allowed.filter(pk__in=[item.pk for item in items]).values_list("pk", flat=True)
    )
    if any(item.pk not in allowed_pks for item in items):
        raise NoticeError(NoticeCode.NOT_LINKABLE, field=field)
    return items


@transaction.atomic
def finding_record(
    *,
    actor,
    operator: Operator,
    province: Province,
    severity: str,
    description: str,
    source_kind: str = Finding.SourceKind.MANUAL,
    source_ref: str = "",
    registrations: Iterable[Registration] = (),
    outlets: Iterable[Outlet] = (),
    staff: Iterable = (),
) -> Finding:
    """Record a finding about ``operator`` in ``province``: a province the actor supervises,
    and links only to that operator's records there that the actor sees."""
    _require_permission(actor, Perm.ISSUE_NOTICES)
    if not scoping.provinces_in_scope(actor).filter(pk=province.pk).exists():
        raise NoticeError(NoticeCode.OUT_OF_SCOPE, field="province", status=404)
    if severity not in Finding.Severity.values:
        raise NoticeError(NoticeCode.INVALID_CHOICE, field="severity")
    if source_kind not in Finding.SourceKind.values:
        raise NoticeError(NoticeCode.INVALID_CHOICE, field="source_kind")
    description = _require_text(description, "description")
    where = {"user": actor, "operator": operator, "province": province}
    registrations = _within(
        registrations, selectors.registrations_linkable(**where), "registrations"
    )
    outlets = _within(outlets, selectors.outlets_linkable(**where), "outlets")
    staff = _within(staff, selectors.staff_linkable(**where), "staff")
    finding = Finding.objects.create(
        operator=operator,
        province=province,
        severity=severity,
        description=description,
        source_kind=source_kind,
        source_ref=(source_ref or "").strip()[:64],
        recorded_by=actor,
    )
    finding.registrations.set(registrations)
    finding.outlets.set(outlets)
    finding.staff.set(staff)
    audit_record(
        action=Action.FINDING_RECORDED,
        actor=actor,
        obj=finding,
        changes={
            "severity": (None, finding.severity),
            "source": (None, f"{finding.source_kind}:{finding.source_ref}".rstrip(":")),
            "registrations": (None, len(registrations)),
            "outlets": (None, [outlet.code for outlet in outlets]),
            "staff": (None, [member.get_username() for member in staff]),
        },
    )
    return finding


def _in_scope(actor, notice_or_finding) -> None:
    """A finding or notice the actor cannot see does not exist for them."""
    model = type(notice_or_finding)
    scoped = (
        selectors.findings_in_scope(actor)
        if model is Finding
        else selectors.notices_in_scope(actor)
    )
    if not scoped.filter(pk=notice_or_finding.pk).exists():
        raise Http404("No such record")


@transaction.atomic
def notice_issue(
    *,
    actor,
    finding: Finding,
    deadline: date,
    required_actions: str,
    today: date | None = None,
) -> Notice:
    """A finding becomes a notice to its operator, due by ``deadline``."""
    _require_permission(actor, Perm.ISSUE_NOTICES)
    _in_scope(actor, finding)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if Notice.objects.filter(finding=finding).exists():
        raise NoticeError(NoticeCode.NOTICE_EXISTS, status=409)
    today = today or timezone.localdate()
    if deadline <= today:
        raise NoticeError(NoticeCode.DEADLINE_PAST, field="deadline")
    if (deadline - today).days > MAX_DEADLINE_DAYS:
        raise NoticeError(NoticeCode.DEADLINE_TOO_FAR, field="deadline")
    required_actions = _require_text(required_actions, "required_actions")
    notice = Notice.objects.create(
        finding=finding,
        operator=finding.operator,
        province=finding.province,
        status=notice_lifecycle.INITIAL_STATE,
        deadline=deadline,
        required_actions=required_actions,
        issued_by=actor,
    )
    audit_record(
        action=Action.NOTICE_ISSUED,
        actor=actor,
        obj=notice,
        changes={
            "status": (None, notice.status),
            "deadline": (None, deadline),
            "finding": (None, finding.pk),
        },
        reason=required_actions,
    )
    return notice


def _refused_step(notice: Notice, action: NoticeStep) -> NoticeError:
    return NoticeError(
        NoticeCode.INVALID_TRANSITION,
        _("A notice that is %(status)s cannot be %(step)s.")
        % {"status": notice.get_status_display().lower(), "step": action.label},
        status=409,
    )


# The audit action each step is recorded as.
_AUDITED_AS = {
    NoticeStep.ANSWER: Action.NOTICE_ANSWERED,
    NoticeStep.ACCEPT: Action.NOTICE_ACCEPTED,
    NoticeStep.REOPEN: Action.NOTICE_REOPENED,
}


def _step(notice: Notice, action: NoticeStep, *, actor, fields: dict, reason: str) -> Notice:
    """Apply one row of the table to the notice (locked), in scope, with its permission."""
    _in_scope(actor, notice)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    row = notice_lifecycle.transition(notice.status, action)
    if row is None:
        raise _refused_step(notice, action)
    _require_permission(actor, row.permission)
    before = notice.status
    notice.status = row.next_state
    for name, value in fields.items():
        setattr(notice, name, value)
    notice.save(update_fields=["status", *fields])
    audit_record(
        action=_AUDITED_AS[action],
        actor=actor,
        obj=notice,
        changes={"status": (before, notice.status)},
        reason=reason,
    )
    return notice


@transaction.atomic
def notice_answer(*, actor, notice: Notice, actions_taken: str) -> Notice:
    """issued | reopened -> answered: the carrier admin says what was done."""
    actions_taken = _require_text(actions_taken, "actions_taken")
    fields = {"actions_taken": actions_taken, "answered_by": actor, "answered_at": timezone.now()}
    return _step(notice, NoticeStep.ANSWER, actor=actor, fields=fields, reason=actions_taken)


@transaction.atomic
def notice_accept(*, actor, notice: Notice, note: str = "") -> Notice:
    """answered -> accepted: the inspector is satisfied."""
    fields = {"decided_by": actor, "decided_at": timezone.now()}
    return _step(notice, NoticeStep.ACCEPT, actor=actor, fields=fields, reason=note.strip())


@transaction.atomic
def notice_reopen(*, actor, notice: Notice, reason: str) -> Notice:
    """answered -> reopened: not done yet, and why."""
    reason = _require_text(reason, "reason")
    fields = {"reopen_reason": reason, "decided_by": actor, "decided_at": timezone.now()}
    return _step(notice, NoticeStep.REOPEN, actor=actor, fields=fields, reason=reason)
