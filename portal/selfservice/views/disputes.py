"""Disputes: the subscriber's "not mine" on a number, and the carrier admin's pages that
uphold or answer them (/operator/disputes/)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm
from portal.lib.errors import PortalError, add_to_form
from portal.lib.forms import posted, render_form
from portal.lib.listing import paginate
from portal.selfservice import selectors
from portal.selfservice.forms import DisputeAnswerForm, DisputeForm, DisputeUpholdForm
from portal.selfservice.models import Dispute
from portal.selfservice.services.disputes import dispute_answer, dispute_open, dispute_uphold
from portal.selfservice.session import subscriber_required

PAGE_SIZE = 50


@never_cache
@subscriber_required
def dispute_new(request, pk):
    registration = selectors.my_registrations(subscriber=request.subscriber).filter(pk=pk).first()
    if registration is None:
        raise Http404("No such registration")
    form = DisputeForm(posted(request))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            dispute_open(
                subscriber=request.subscriber,
                registration=registration,
                reason=data["reason"],
                detail=data["detail"],
                contact=data["contact"],
            )
        except PortalError as error:
            add_to_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "Your dispute was sent to %(operator)s. It must answer within %(days)d "
                    "days; the answer will show here."
                )
                % {
                    "operator": registration.operator.name,
                    "days": settings.SELFSERVICE_DISPUTE_DAYS,
                },
            )
            return redirect("selfservice:numbers")
    context = {
        "form": form,
        "registration": registration,
        "number": selectors.last_four(registration.msisdn),
    }
    return render_form(request, "selfservice/dispute_new.html", context)


@permission_required(Perm.HANDLE_DISPUTES)
def operator_dispute_list(request):
    status = request.GET.get("status", "")
    if status not in Dispute.Status.values:
        status = ""
    disputes = selectors.dispute_list(user=request.user, status=status)
    context = {
        "status": status,
        "statuses": Dispute.Status.choices,
        "overdue_count": selectors.overdue_disputes_count(user=request.user),
        **paginate(request, disputes, per_page=PAGE_SIZE),
    }
    return render(request, "selfservice/operator_dispute_list.html", context)


def _detail_page(request, dispute: Dispute, *, uphold_form=None, answer_form=None, status=200):
    context = {
        "dispute": dispute,
        "registration": dispute.registration,
        "uphold_form": uphold_form or DisputeUpholdForm(),
        "answer_form": answer_form or DisputeAnswerForm(),
    }
    return render(request, "selfservice/operator_dispute_detail.html", context, status=status)


@permission_required(Perm.HANDLE_DISPUTES)
def operator_dispute_detail(request, pk):
    return _detail_page(request, selectors.dispute_get(user=request.user, pk=pk))


def _decision(request, pk, *, form_class, form_key: str, perform, done: str):
    """POST of one of the two decisions: done, back to the dispute; refused, its form again."""
    dispute = selectors.dispute_get(user=request.user, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            perform(dispute, form.cleaned_data)
        except PortalError as error:
            add_to_form(form, error)
        else:
            messages.success(request, done)
            return redirect("operator-disputes:detail", pk=dispute.pk)
    return _detail_page(request, dispute, status=400, **{form_key: form})


@permission_required(Perm.HANDLE_DISPUTES)
@require_POST
def operator_dispute_uphold(request, pk):
    def uphold(dispute, data):
        dispute_uphold(dispute=dispute, actor=request.user, note=data["note"])

    return _decision(
        request, pk, form_class=DisputeUpholdForm, form_key="uphold_form", perform=uphold,
        done=_("Dispute upheld: the registration is cancelled."),
    )  # fmt: skip


@permission_required(Perm.HANDLE_DISPUTES)
@require_POST
def operator_dispute_answer(request, pk):
    def answer(dispute, data):
        dispute_answer(dispute=dispute, actor=request.user, answer=data["answer"])

    return _decision(
        request, pk, form_class=DisputeAnswerForm, form_key="answer_form", perform=answer,
        done=_("Answer sent to the subscriber."),
    )  # fmt: skip


@permission_required(Perm.VIEW_OVERDUE_DISPUTES)
def ministry_overdue_list(request):
    disputes = selectors.overdue_disputes_for_ministry(user=request.user)
    context = paginate(request, disputes, per_page=PAGE_SIZE)
    return render(request, "selfservice/ministry_overdue_disputes.html", context)
