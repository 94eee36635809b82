"""Risk alerts: the ranked list, one alert with the registrations behind it, its steps."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm
from portal.lib.errors import add_to_form
from portal.lib.listing import paginate
from portal.supervision.errors import RiskAlertError
from portal.supervision.forms.risk import AlertChangeForm, AlertFilterForm
from portal.supervision.risk.registry import BY_SIGNAL, describe
from portal.supervision.selectors import alerts as selectors
from portal.supervision.services import alerts as services

PAGE_SIZE = 50


# Past this many alerts the list says "more than" and counts no further.
COUNT_CAP = 1000


@permission_required(Perm.MANAGE_RISK_ALERTS)
def risk_alert_list(request):
    form = AlertFilterForm(request.GET or None, user=request.user)
    alerts = selectors.alert_list(user=request.user, filters=form.filters())
    context = {
        "form": form,
        **paginate(request, alerts, per_page=PAGE_SIZE, count_cap=COUNT_CAP),
    }
    return render(request, "supervision/risk_list.html", context)


def _detail(request, alert, form, status=200):
    context = {
        "alert": alert,
        "spec": BY_SIGNAL.get(alert.signal),
        "figures": describe(alert.detail),
        "form": form,
        "steps": services.steps_for(alert),
        "registrations": selectors.alert_registration_rows(user=request.user, alert=alert),
        "history": selectors.alert_history(alert=alert),
    }
    return render(request, "supervision/risk_detail.html", context, status=status)


@permission_required(Perm.MANAGE_RISK_ALERTS)
def risk_alert_detail(request, pk):
    alert = selectors.alert_get(user=request.user, alert_id=pk)
    form = AlertChangeForm(
        assignable=selectors.assignable_users(alert=alert), steps=services.steps_for(alert)
    )
    return _detail(request, alert, form)


@permission_required(Perm.MANAGE_RISK_ALERTS)
@require_POST
def risk_alert_change(request, pk):
    alert = selectors.alert_get(user=request.user, alert_id=pk)
    form = AlertChangeForm(
        request.POST,
        assignable=selectors.assignable_users(alert=alert),
        steps=services.steps_for(alert),
    )
    if not form.is_valid():
        return _detail(request, alert, form, status=400)
    try:
        services.risk_alert_change(
            alert=alert,
            actor=request.user,
            step=form.cleaned_data["step"],
            note=form.cleaned_data["note"],
            assignee=form.cleaned_data.get("assignee"),
        )
    except RiskAlertError as error:
        add_to_form(form, error)
        return _detail(request, alert, form, status=error.status)
    messages.success(request, _("The alert was updated."))
    return redirect("risk:detail", pk=alert.pk)
