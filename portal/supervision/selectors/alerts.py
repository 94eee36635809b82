"""Reads of the risk alerts, always within the user's scope: an inspector sees the alerts of
their provinces (a nation-wide one all), a carrier admin those of their operator."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from portal.accounts.permissions import Perm, can
from portal.accounts.roles import Role, role_of
from portal.accounts.scoping import get_in_scope_or_404, sees_nation
from portal.audit.models import AuditEvent
from portal.lib.masking import mask_msisdn, mask_name
from portal.supervision.models import RiskAlert
from registrations import scoping
from registrations.models import Registration
from registrations.rules import display_msisdn


def alerts_in_scope(user) -> QuerySet[RiskAlert]:
    # The subscriber comes by a second query, for the page's alerts only: joined, the
    # planner hashes the whole subscriber table (millions of rows) before it sorts the alerts.
    alerts = RiskAlert.objects.select_related(
        "outlet", "staff", "operator", "province", "assignee"
    ).prefetch_related("subscriber")
    if sees_nation(user):
        return alerts
    role = role_of(user)
    if role == Role.MINISTRY_INSPECTOR:
        return alerts.filter(province__in=scoping.provinces_in_scope(user))
    if role == Role.CARRIER_ADMIN:
        return alerts.filter(operator__in=scoping.operators_in_scope(user))
    return alerts.none()


@dataclass(frozen=True)
class AlertFilters:
    status: str = "open"  # "open", "all", or one status
    signal: str = ""
    province: str = ""
    assignee: str = ""  # "me" for the user's own


def alert_list(*, user, filters: AlertFilters) -> QuerySet[RiskAlert]:
    """The alerts in scope, the highest score first."""
    alerts = alerts_in_scope(user)
    if filters.status == "open":
        alerts = alerts.filter(status__in=RiskAlert.OPEN_STATUSES)
    elif filters.status and filters.status != "all":
        alerts = alerts.filter(status=filters.status)
    if filters.signal:
        alerts = alerts.filter(signal=filters.signal)
    if filters.province:
        alerts = alerts.filter(province_id=filters.province)
    if filters.assignee == "me":
        alerts = alerts.filter(assignee=user)
    return alerts.order_by("-score", "-raised_at", "-pk")


def alert_get(*, user, alert_id) -> RiskAlert:
    return get_in_scope_or_404(alerts_in_scope(user), pk=alert_id)


def alert_registrations(*, user, alert: RiskAlert) -> QuerySet[Registration]:
    """The registrations behind the alert that the user may see (an ID seen in two
    provinces shows an inspector of one only the registrations of theirs)."""
    return (
        scoping.registrations_in_scope(user)
        .filter(pk__in=alert.registrations.values("pk"))
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class AlertRegistrationRow:
    """A registration behind an alert, as the alert's page lists it: masked."""

    pk: object
    created_at: object
    status: str
    status_label: str
    msisdn: str
    id_number: str
    name: str
    outlet: str
    created_by: str


def alert_registration_rows(*, user, alert: RiskAlert) -> list[AlertRegistrationRow]:
    return [
        AlertRegistrationRow(
            pk=r.pk,
            created_at=r.created_at,
            status=r.status,
            status_label=r.get_status_display(),
            msisdn=display_msisdn(mask_msisdn(r.msisdn)),
            id_number=r.subscriber.masked_id_number,
            name=mask_name(r.subscriber.full_name),
            outlet=str(r.outlet) if r.outlet_id else r.get_channel_display(),
            created_by=r.created_by.get_username(),
        )
        for r in alert_registrations(user=user, alert=alert)
    ]


def alert_history(*, alert: RiskAlert) -> QuerySet[AuditEvent]:
    """Every change of the alert, as the audit trail recorded it, oldest first."""
    return AuditEvent.objects.filter(object_type="riskalert", object_id=str(alert.pk)).order_by(
        "sequence"
    )


def assignable_users(*, alert: RiskAlert) -> list:
    """Active accounts that may work on risk alerts and see this one."""
    app_label, codename = Perm.MANAGE_RISK_ALERTS.value.split(".")
    candidates = (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__permissions__codename=codename,
            groups__permissions__content_type__app_label=app_label,
        )
        .distinct()
        .order_by("username")
    )
    return [
        user
        for user in candidates
        if can(user, Perm.MANAGE_RISK_ALERTS) and alerts_in_scope(user).filter(pk=alert.pk).exists()
    ]


def strata_with_open_alerts(user, population) -> list[tuple[int, str]]:
    """(operator id, province code) of the open alerts in ``user``'s scope that fall in a
    spot check's population: the strata its draw oversamples (services.spot_checks)."""
    alerts = alerts_in_scope(user).filter(
        status__in=RiskAlert.OPEN_STATUSES, operator__isnull=False, province__isnull=False
    )
    if population.operator is not None:
        alerts = alerts.filter(operator=population.operator)
    if population.province is not None:
        alerts = alerts.filter(province=population.province)
    return sorted(set(alerts.values_list("operator_id", "province_id")))
