"""The carrier admin's side of rectification notices: the notices to their operator, one
notice with its finding and timeline, and the answer (the actions taken)."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm
from portal.lib.listing import paginate
from portal.supervision import notice_lifecycle
from portal.supervision.forms.notices import NoticeAnswerForm, NoticeFilterForm
from portal.supervision.models import Notice
from portal.supervision.notice_lifecycle import NoticeStep
from portal.supervision.selectors import notices as selectors
from portal.supervision.services import notices as services
from portal.supervision.views.notices import PAGE_SIZE, notice_context, notice_step


@permission_required(Perm.ANSWER_NOTICES)
def operator_notice_list(request):
    form = NoticeFilterForm(request.GET or None)
    notices = selectors.notice_list(user=request.user, filters=form.filters())
    context = {
        "form": form,
        "overdue_count": selectors.overdue_count(user=request.user),
        **paginate(request, notices, per_page=PAGE_SIZE),
    }
    return render(request, "supervision/operator_notice_list.html", context)


def _page(request, notice: Notice, *, answer_form=None, status=200):
    actions = notice_lifecycle.actions_for(request.user, notice)
    context = {
        **notice_context(request, notice),
        "answer_form": (answer_form or NoticeAnswerForm())
        if NoticeStep.ANSWER in actions
        else None,
    }
    return render(request, "supervision/operator_notice_detail.html", context, status=status)


@permission_required(Perm.ANSWER_NOTICES)
def operator_notice_detail(request, pk):
    return _page(request, selectors.notice_get(user=request.user, pk=pk))


@permission_required(Perm.ANSWER_NOTICES)
@require_POST
def operator_notice_answer(request, pk):
    def answer(notice, data):
        services.notice_answer(
            actor=request.user, notice=notice, actions_taken=data["actions_taken"]
        )

    return notice_step(
        request, pk, form_class=NoticeAnswerForm, form_key="answer_form", page=_page,
        perform=answer, done=_("Answer sent to the ministry."), detail="operator-notices:detail",
    )  # fmt: skip
