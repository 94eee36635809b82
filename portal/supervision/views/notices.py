"""The inspector's pages of findings and rectification notices.

Findings: list, new (prefilled from a spot check or a risk alert by its query string),
detail with "issue a notice". Notices: list filtered by state and overdue, detail with
accept and reopen. Scope is the selectors' (out of scope is a 404), the rules the services'.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm, can
from portal.lib.errors import PortalError, add_to_form, add_to_messages
from portal.lib.forms import posted, render_form
from portal.lib.listing import paginate
from portal.supervision import notice_lifecycle
from portal.supervision.forms.notices import (
    FindingForm,
    NoticeAcceptForm,
    NoticeFilterForm,
    NoticeIssueForm,
    NoticeReopenForm,
)
from portal.supervision.models import Finding, Notice
from portal.supervision.notice_lifecycle import NoticeStep
from portal.supervision.selectors import notices as selectors
from portal.supervision.services import notices as services
from registrations import scoping

PAGE_SIZE = 50
# What a link from a spot check or a risk alert may prefill on the new finding's form.
PREFILLED = ("operator", "province", "source_kind", "source_ref", "registrations", "outlets")


def show_refusal(request, form, error: PortalError) -> None:
    """A refusal about a field of the form goes on the field; any other (the notice is no
    longer in that state) on top of the page, which the form may no longer be on."""
    for single in error:
        if single.field in form.fields:
            add_to_form(form, single)
        else:
            add_to_messages(request, single)


@permission_required(Perm.ISSUE_NOTICES)
def finding_list(request):
    findings = selectors.finding_list(user=request.user)
    return render(
        request,
        "supervision/finding_list.html",
        paginate(request, findings, per_page=PAGE_SIZE),
    )


@permission_required(Perm.ISSUE_NOTICES)
def finding_new(request):
    user = request.user
    initial = {key: request.GET[key][:2000] for key in PREFILLED if key in request.GET}
    form = FindingForm(
        posted(request),
        initial=initial,
        user=user,
        operators=scoping.operators_in_scope(user),
        provinces=scoping.provinces_in_scope(user),
    )
    status = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            finding = services.finding_record(
                actor=user,
                operator=data["operator"],
                province=data["province"],
                severity=data["severity"],
                description=data["description"],
                source_kind=data["source_kind"],
                source_ref=data["source_ref"],
                registrations=data["registrations"],
                outlets=data["outlets"],
                staff=data["staff"],
            )
        except PortalError as error:
            add_to_form(form, error)
            status = error.status
        else:
            messages.success(request, _("Finding recorded."))
            return redirect("findings:detail", pk=finding.pk)
    response = render_form(request, "supervision/finding_new.html", {"form": form})
    if status:
        response.status_code = status
    return response


def _finding_page(request, finding: Finding, *, issue_form=None, status=200):
    notice = Notice.objects.filter(finding=finding).first()
    can_issue = notice is None and can(request.user, Perm.ISSUE_NOTICES)
    context = {
        "finding": finding,
        "notice": notice,
        **selectors.finding_links(finding=finding),
        "issue_form": (issue_form or NoticeIssueForm()) if can_issue else None,
        "show_timeline": can(request.user, Perm.VIEW_AUDIT_TRAIL),
        "timeline": selectors.finding_timeline(finding=finding),
    }
    return render(request, "supervision/finding_detail.html", context, status=status)


@permission_required(Perm.ISSUE_NOTICES)
def finding_detail(request, pk):
    return _finding_page(request, selectors.finding_get(user=request.user, pk=pk))


@permission_required(Perm.ISSUE_NOTICES)
@require_POST
def finding_issue_notice(request, pk):
    finding = selectors.finding_get(user=request.user, pk=pk)
    form = NoticeIssueForm(request.POST)
    if not form.is_valid():
        return _finding_page(request, finding, issue_form=form, status=400)
    try:
        notice = services.notice_issue(
            actor=request.user,
            finding=finding,
            deadline=form.cleaned_data["deadline"],
            required_actions=form.cleaned_data["required_actions"],
        )
    except PortalError as error:
        show_refusal(request, form, error)
        return _finding_page(request, finding, issue_form=form, status=error.status)
    messages.success(request, _("Rectification notice issued to %(operator)s.") % {
        "operator": notice.operator.name
    })  # fmt: skip
    return redirect("notices:detail", pk=notice.pk)


@permission_required(Perm.ISSUE_NOTICES)
def notice_list(request):
    form = NoticeFilterForm(request.GET or None)
    notices = selectors.notice_list(user=request.user, filters=form.filters())
    context = {
        "form": form,
        "overdue_count": selectors.overdue_count(user=request.user),
        **paginate(request, notices, per_page=PAGE_SIZE),
    }
    return render(request, "supervision/notice_list.html", context)


def notice_context(request, notice: Notice) -> dict:
    """What both sides' notice pages show: the notice, its finding and links, the timeline."""
    return {
        "notice": notice,
        "finding": notice.finding,
        **selectors.finding_links(finding=notice.finding),
        "show_timeline": can(request.user, Perm.VIEW_AUDIT_TRAIL),
        "timeline": selectors.notice_timeline(notice=notice),
    }


def _notice_page(request, notice: Notice, *, accept_form=None, reopen_form=None, status=200):
    actions = notice_lifecycle.actions_for(request.user, notice)
    context = {
        **notice_context(request, notice),
        "accept_form": (accept_form or NoticeAcceptForm())
        if NoticeStep.ACCEPT in actions
        else None,
        "reopen_form": (reopen_form or NoticeReopenForm())
        if NoticeStep.REOPEN in actions
        else None,
    }
    return render(request, "supervision/notice_detail.html", context, status=status)


@permission_required(Perm.ISSUE_NOTICES)
def notice_detail(request, pk):
    return _notice_page(request, selectors.notice_get(user=request.user, pk=pk))


def notice_step(request, pk, *, form_class, form_key: str, page, perform, done: str, detail: str):
    """The POST of one step of a notice, on either side: the form checked, the service
    called, a refusal shown on the notice's page again (4xx), success back to that page."""
    notice = selectors.notice_get(user=request.user, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        return page(request, notice, **{form_key: form}, status=400)
    try:
        perform(notice, form.cleaned_data)
    except PortalError as error:
        show_refusal(request, form, error)
        return page(request, notice, **{form_key: form}, status=error.status)
    messages.success(request, done)
    return redirect(detail, pk=notice.pk)


@permission_required(Perm.ISSUE_NOTICES)
@require_POST
def notice_accept(request, pk):
    def accept(notice, data):
        services.notice_accept(actor=request.user, notice=notice, note=data["note"])

    return notice_step(
        request, pk, form_class=NoticeAcceptForm, form_key="accept_form", page=_notice_page,
        perform=accept, done=_("Notice accepted: the rectification is done."),
        detail="notices:detail",
    )  # fmt: skip


@permission_required(Perm.ISSUE_NOTICES)
@require_POST
def notice_reopen(request, pk):
    def reopen(notice, data):
        services.notice_reopen(actor=request.user, notice=notice, reason=data["reason"])

    return notice_step(
        request, pk, form_class=NoticeReopenForm, form_key="reopen_form", page=_notice_page,
        perform=reopen, done=_("Notice reopened: the operator must answer again."),
        detail="notices:detail",
    )  # fmt: skip
