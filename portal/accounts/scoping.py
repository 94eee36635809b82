"""The primitives of scope: who holds which grant on which operator, outlet or province.

Each layer decides the scope of the rows it owns from these (``registrations.scoping`` for
provinces, operators, outlets and registrations; ``verification.selectors`` for evidence;
``portal.supervision.selectors.audit`` for the audit trail; staff accounts here), so a row outside
a user's scope simply does not exist for them: a 404, the same answer as for a row that does
not exist. Grants are django-guardian object permissions (see ``permissions.Grant``):

- ministry inspector: ``inspect_province`` on provinces, or held globally for the nation;
- carrier admin: ``manage_operator`` on one operator;
- API partner: ``use_partner_api`` on one operator;
- outlet staff: ``work_at_outlet`` on outlets.
"""

from django.db.models import QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from portal.accounts.models import User
from portal.accounts.permissions import Grant, Perm
from portal.accounts.roles import Role, role_of


def granted(user, grant: Grant) -> QuerySet:
    """The rows on which ``user`` holds ``grant`` as an object permission (global grants and
    superuser status do not count: scope is always explicit)."""
    return get_objects_for_user(user, grant.value, accept_global_perms=False, with_superuser=False)


def granted_pks(user, grant: Grant) -> QuerySet:
    """The primary keys of ``granted``, as a subquery."""
    return granted(user, grant).values("pk")


# Where ``granted_pk_list`` keeps what it read, on the user object itself.
_GRANTED_PKS_MEMO = "_granted_pks_memo"


def granted_pk_list(user, grant: Grant) -> list:
    """The primary keys of ``granted`` as a list, read once per user object.

    For a hot path that filters by a handful of pks: a plain ``IN (...)`` costs far less to
    build and run than guardian's subquery. A user object lives for one request, except the
    API key's cached account, which is trusted for as long as its cache entry.
    """
    memo = user.__dict__.setdefault(_GRANTED_PKS_MEMO, {})
    if grant not in memo:
        memo[grant] = list(granted(user, grant).values_list("pk", flat=True))
    return memo[grant]


def granted_pks_held(user, grant: Grant) -> bool:
    """Whether this user object already holds the pks of ``grant`` (no query to get them)."""
    return grant in user.__dict__.get(_GRANTED_PKS_MEMO, {})


def granted_pks_read(user, grant: Grant, pks: list) -> None:
    """Give ``granted_pk_list`` the pks of ``grant`` already read (kept in a cache)."""
    user.__dict__.setdefault(_GRANTED_PKS_MEMO, {})[grant] = list(pks)


def sees_nation(user) -> bool:
    """True for the ministry admin, superusers and nation-wide inspectors."""
    if not user.is_authenticated or not user.is_active:
        return False
    role = role_of(user)
    if user.is_superuser or role == Role.MINISTRY_ADMIN:
        return True
    # A global (not object-level) grant of inspect_province means the whole nation.
    return role == Role.MINISTRY_INSPECTOR and user.has_perm(Grant.INSPECT_PROVINCE)


def reviewed_operator_pks(user) -> list[int]:
    """The operators whose review queue a user decides: a carrier admin their operator, an
    outlet staff member appointed reviewer (a grant on the account) their employer."""
    if not user.is_authenticated or not user.is_active:
        return []
    if not user.has_perm(Perm.REVIEW_REGISTRATION):
        return []
    role = role_of(user)
    if role == Role.CARRIER_ADMIN:
        return list(granted(user, Grant.MANAGE_OPERATOR).values_list("pk", flat=True))
    if role == Role.OUTLET_STAFF and user.operator_id is not None:
        return [user.operator_id]
    return []


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
        return staff.filter(operator__in=granted_pks(user, Grant.MANAGE_OPERATOR))
    return staff.none()


def one_province_code(outlets) -> str:
    """The province code of ``outlets`` when they all lie in one province, else "".

    An audit event carries one province, and the inspectors of that province read it: an
    account spread over outlets of several provinces (rare) is left to those of the nation.
    """
    codes = {outlet.province_id for outlet in outlets}
    return codes.pop() if len(codes) == 1 else ""


def account_province_code(user) -> str:
    """The province an account's audit events are about: that of the outlets an outlet staff
    member works at (see ``one_province_code``), "" for every other account."""
    if role_of(user) != Role.OUTLET_STAFF:
        return ""
    return one_province_code(granted(user, Grant.WORK_AT_OUTLET).only("province_id"))


def get_in_scope_or_404(queryset: QuerySet, **lookup):
    """Fetch one row of a scoped queryset: "not yours" and "does not exist" look the same."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError) as missing:
        raise Http404("No such record") from missing
