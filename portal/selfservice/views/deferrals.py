"""The registration page's part from the subscriber's side (its disputes; for an inspector,
a way to defer the notices to the person), and the deferral form."""

from datetime import datetime, time

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm, can
from portal.lib.forms import posted, render_form
from portal.selfservice.forms import NoticeDeferralForm
from portal.selfservice.models import Dispute
from portal.selfservice.services.notices import notice_deferral_create
from registrations.selectors import registration_get


def registration_section(request, registration) -> dict:
    """Added to the registration page (see apps.py)."""
    may_defer = can(request.user, Perm.DEFER_NOTICES)
    return {
        "registration_disputes": list(
            Dispute.objects.filter(registration=registration).order_by("-opened_at")
        ),
        "defer_notices_url": reverse("selfservice:defer", args=[registration.pk])
        if may_defer
        else "",
    }


@permission_required(Perm.DEFER_NOTICES)
def notice_deferral_new(request, pk):
    registration = registration_get(user=request.user, pk=pk)
    form = NoticeDeferralForm(posted(request))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        until = timezone.make_aware(datetime.combine(data["until"], time.max))
        notice_deferral_create(
            subscriber_id=registration.subscriber_id,
            actor=request.user,
            reason=data["reason"],
            until=until,
        )
        messages.success(
            request,
            _("Notices to this person are held until %(date)s.") % {"date": data["until"]},
        )
        return redirect("registrations:detail", pk=registration.pk)
    context = {"form": form, "registration": registration}
    return render_form(request, "selfservice/deferral_new.html", context)
