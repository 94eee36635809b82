"""Which provinces, operators, outlets and registrations a user may see.

One decision per kind of row, built on the grants of ``portal.accounts.scoping``; every list,
page and export of these rows reads through here (via the selectors), so a row outside a
user's scope is a 404, the same answer as for a row that does not exist.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from portal.accounts.permissions import Grant
from portal.accounts.roles import Role, role_of
from portal.accounts.scoping import (
    granted_pk_list,
    granted_pks,
    reviewed_operator_pks,
    sees_nation,
)
from registrations.lifecycle import Step, states_allowing
from registrations.models import Operator, Outlet, Province, Registration


def provinces_in_scope(user) -> QuerySet[Province]:
    if sees_nation(user):
        return Province.objects.all()
    if role_of(user) == Role.MINISTRY_INSPECTOR:
        return Province.objects.filter(pk__in=granted_pks(user, Grant.INSPECT_PROVINCE))
    return Province.objects.none()


def operators_in_scope(user) -> QuerySet[Operator]:
    """Operators whose data the user may read (inspectors see every operator's name)."""
    role = role_of(user)
    if sees_nation(user) or role == Role.MINISTRY_INSPECTOR:
        return Operator.objects.all()
    if role == Role.CARRIER_ADMIN:
        return Operator.objects.filter(pk__in=granted_pks(user, Grant.MANAGE_OPERATOR))
    if role == Role.API_PARTNER:
        return Operator.objects.filter(pk__in=granted_pk_list(user, Grant.USE_PARTNER_API))
    if role == Role.OUTLET_STAFF:
        return Operator.objects.filter(outlets__in=outlets_in_scope(user)).distinct()
    return Operator.objects.none()


def outlets_in_scope(user) -> QuerySet[Outlet]:
    role = role_of(user)
    outlets = Outlet.objects.select_related("operator", "province")
    if sees_nation(user):
        return outlets
    if role == Role.MINISTRY_INSPECTOR:
        return outlets.filter(province__in=provinces_in_scope(user))
    if role == Role.CARRIER_ADMIN:
        return outlets.filter(operator__in=operators_in_scope(user))
    if role == Role.OUTLET_STAFF:
        return outlets.filter(pk__in=granted_pks(user, Grant.WORK_AT_OUTLET))
    return outlets.none()


def _registrations() -> QuerySet[Registration]:
    return Registration.objects.select_related(
        "subscriber", "operator", "outlet", "province", "created_by"
    )


def registrations_in_scope(user) -> QuerySet[Registration]:
    role = role_of(user)
    registrations = _registrations()
    if sees_nation(user):
        return registrations
    if role == Role.MINISTRY_INSPECTOR:
        return registrations.filter(province__in=provinces_in_scope(user))
    if role == Role.CARRIER_ADMIN:
        return registrations.filter(operator__in=operators_in_scope(user))
    if role == Role.OUTLET_STAFF:
        return registrations.filter(outlet__in=outlets_in_scope(user))
    if role == Role.API_PARTNER:
        # Every API request passes here: only the rows its answers read are joined (a
        # partner has no outlet, and is the creator).
        scope = partner_scope(user)
        return Registration.objects.select_related("subscriber", "operator", "province").filter(
            operator_id__in=scope.operator_ids,
            channel=scope.channel,
            created_by_id=scope.account_id,
        )
    return registrations.none()


@dataclass(frozen=True)
class PartnerScope:
    """What an API partner's account sees: the online registrations it created itself, for
    the operators it is granted (a list of pks, not a subquery to build and run)."""

    account_id: int
    operator_ids: tuple[int, ...]
    channel: str = Registration.Channel.ONLINE


def partner_scope(user) -> PartnerScope | None:
    """The scope of an API partner's account as plain values (for ``registrations_in_scope``
    and for the partner API's hand-written read); None for any other account."""
    if sees_nation(user) or role_of(user) != Role.API_PARTNER:
        return None
    return PartnerScope(
        account_id=user.pk, operator_ids=tuple(granted_pk_list(user, Grant.USE_PARTNER_API))
    )


def registrations_for_review(user) -> QuerySet[Registration]:
    """The manual review queue a user may decide: registrations in review of their operator.

    Carrier admins review for the operator they manage; outlet staff appointed as reviewers
    (a user-level ``review_registration`` grant) for their employer, at any of its outlets.
    """
    operators = reviewed_operator_pks(user)
    if not operators:
        return Registration.objects.none()
    return _registrations().filter(
        operator__in=operators, status__in=states_allowing(Step.REVIEW_APPROVE)
    )
