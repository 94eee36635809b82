"""Who may see which rows: the one place that decides it.

Every list, detail page and export reads through these functions, so a row outside a user's
scope simply does not exist for them (a 404, the same answer as for a row that does not
exist). Object-level grants are django-guardian permissions:

- ministry inspector: ``registrations.inspect_province`` on provinces, or held globally
  for the whole nation;
- carrier admin: ``registrations.manage_operator`` on one operator;
- API partner: ``registrations.use_partner_api`` on one operator;
- outlet staff: ``registrations.work_at_outlet`` on outlets.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from portal.accounts.models import User
from portal.accounts.roles import Role, role_of
from portal.audit.models import AuditEvent
from registrations.models import Operator, Outlet, Province, Registration

INSPECT_PROVINCE = "registrations.inspect_province"
MANAGE_OPERATOR = "registrations.manage_operator"
USE_PARTNER_API = "registrations.use_partner_api"
WORK_AT_OUTLET = "registrations.work_at_outlet"
REVIEW_REGISTRATION = "registrations.review_registration"
VIEW_EVIDENCE = "verification.view_biometricevidence"


def _granted(user, perm: str, model) -> QuerySet:
    return get_objects_for_user(
        user, perm, klass=model, accept_global_perms=False, with_superuser=False
    )


def sees_nation(user) -> bool:
    """True for the ministry admin, superusers and nation-wide inspectors."""
    if not user.is_authenticated or not user.is_active:
        return False
    role = role_of(user)
    if user.is_superuser or role == Role.MINISTRY_ADMIN:
        return True
    # A global (not object-level) grant of inspect_province means the whole nation.
    return role == Role.MINISTRY_INSPECTOR and user.has_perm(INSPECT_PROVINCE)


def provinces_in_scope(user) -> QuerySet[Province]:
    if sees_nation(user):
        return Province.objects.all()
    if role_of(user) == Role.MINISTRY_INSPECTOR:
        return _granted(user, INSPECT_PROVINCE, Province)
    return Province.objects.none()


def operators_in_scope(user) -> QuerySet[Operator]:
    """Operators whose data the user may read (inspectors see every operator's name)."""
    role = role_of(user)
    if sees_nation(user) or role == Role.MINISTRY_INSPECTOR:
        return Operator.objects.all()
    if role == Role.CARRIER_ADMIN:
        return _granted(user, MANAGE_OPERATOR, Operator)
    if role == Role.API_PARTNER:
        return _granted(user, USE_PARTNER_API, Operator)
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
        return outlets.filter(pk__in=_granted(user, WORK_AT_OUTLET, Outlet).values("pk"))
    return outlets.none()


def registrations_in_scope(user) -> QuerySet[Registration]:
    role = role_of(user)
    registrations = Registration.objects.select_related(
        "subscriber", "operator", "outlet", "province", "created_by"
    )
    if sees_nation(user):
        return registrations
    if role == Role.MINISTRY_INSPECTOR:
        return registrations.filter(province__in=provinces_in_scope(user))
    if role == Role.CARRIER_ADMIN:
        return registrations.filter(operator__in=operators_in_scope(user))
    if role == Role.OUTLET_STAFF:
        return registrations.filter(outlet__in=outlets_in_scope(user))
    if role == Role.API_PARTNER:
        # A partner sees what it submitted itself, for its operator only.
        return registrations.filter(
            operator__in=operators_in_scope(user),
            channel=Registration.Channel.ONLINE,
            created_by=user,
        )
    return registrations.none()


def registrations_for_review(user) -> QuerySet[Registration]:
    """The manual review queue a user may decide: registrations in review of their operator.

    Carrier admins review for the operator they manage; outlet staff appointed as reviewers
    (a user-level ``review_registration`` grant) for their employer, at any of its outlets.
    """
    if not user.is_authenticated or not user.is_active or not user.has_perm(REVIEW_REGISTRATION):
        return Registration.objects.none()
    role = role_of(user)
    if role == Role.CARRIER_ADMIN:
        operators = operators_in_scope(user)
    elif role == Role.OUTLET_STAFF and user.operator_id is not None:
        operators = Operator.objects.filter(pk=user.operator_id)
    else:
        return Registration.objects.none()
    return Registration.objects.select_related(
        "subscriber", "operator", "outlet", "province", "created_by"
    ).filter(operator__in=operators, status=Registration.Status.REVIEW)


def registrations_with_evidence(user) -> QuerySet[Registration]:
    """Registrations whose biometric evidence the user may view (with a stated reason).

    Their ordinary scope, plus the review queue: an appointed reviewer must see the faces of
    the cases they decide, even at outlets they do not work at.
    """
    if not user.is_authenticated or not user.has_perm(VIEW_EVIDENCE):
        return Registration.objects.none()
    in_scope = registrations_in_scope(user).values("pk")
    for_review = registrations_for_review(user).values("pk")
    return Registration.objects.select_related("operator", "province").filter(
        Q(pk__in=in_scope) | Q(pk__in=for_review)
    )


def is_appointed_reviewer(user) -> bool:
    """Outlet staff whose carrier admin made them a reviewer (a grant on the user itself)."""
    return user.user_permissions.filter(
        content_type__app_label="registrations", codename="review_registration"
    ).exists()


def staff_in_scope(user) -> QuerySet[User]:
    """Outlet staff accounts a carrier admin manages: those employed by their operator."""
    staff = User.objects.filter(groups__name=Role.OUTLET_STAFF)
    if sees_nation(user):
        return staff
    if role_of(user) == Role.CARRIER_ADMIN:
        return staff.filter(operator__in=operators_in_scope(user))
    return staff.none()


def audit_events_in_scope(user) -> QuerySet[AuditEvent]:
    """Inspectors read events about their provinces, carrier admins about their operator."""
    role = role_of(user)
    if sees_nation(user):
        return AuditEvent.objects.all()
    if role == Role.MINISTRY_INSPECTOR:
        return AuditEvent.objects.filter(province_code__in=provinces_in_scope(user).values("code"))
    if role == Role.CARRIER_ADMIN:
        return AuditEvent.objects.filter(operator_id__in=operators_in_scope(user).values("pk"))
    return AuditEvent.objects.none()


def get_in_scope_or_404(queryset: QuerySet, **lookup):
    """Fetch one row of a scoped queryset: "not yours" and "does not exist" look the same."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError) as missing:
        raise Http404("No such record") from missing
