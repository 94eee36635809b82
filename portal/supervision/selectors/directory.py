"""Reads of the inspectors' outlet and staff directory: the outlets of the provinces they
inspect, and the outlet staff who work at those outlets, read-only.

Staff have no province of their own: their outlets (a ``work_at_outlet`` grant on each) give
them one, so an inspector of Guangdong sees the staff of Guangdong's outlets, and of each
member only the outlets in the inspector's scope.
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, QuerySet
from django.db.models.functions import Cast
from guardian.models import UserObjectPermission

from portal.accounts.models import User
from portal.accounts.permissions import Grant
from portal.accounts.roles import Role
from registrations import scoping
from registrations.models import Outlet, Registration


def outlet_directory(*, user) -> QuerySet[Outlet]:
    return scoping.outlets_in_scope(user).order_by("province_id", "operator__code", "code", "pk")


def registration_counts(*, outlets) -> dict[int, int]:
    """How many registrations each outlet of a page has taken, in one query over the
    (outlet, created_at) index: for a page of outlets, never for the whole list."""
    rows = (
        Registration.objects.filter(outlet_id__in=[outlet.pk for outlet in outlets])
        .values("outlet_id")
        .annotate(n=Count("pk"))
        .values_list("outlet_id", "n")
    )
    return dict(rows)


def _outlet_grants(*, outlets: QuerySet[Outlet]) -> QuerySet[UserObjectPermission]:
    """The ``work_at_outlet`` grants on ``outlets`` (a grant names its object by its pk as
    text, hence the cast)."""
    app_label, codename = Grant.WORK_AT_OUTLET.split(".")
    return UserObjectPermission.objects.filter(
        content_type=ContentType.objects.get_for_model(Outlet),
        permission__codename=codename,
        permission__content_type__app_label=app_label,
        object_pk__in=outlets.annotate(pk_text=Cast("pk", CharField())).values("pk_text"),
    )


def staff_directory(*, user) -> QuerySet[User]:
    """Outlet staff working at an outlet in the user's scope."""
    holders = _outlet_grants(outlets=scoping.outlets_in_scope(user)).values("user_id")
    return (
        User.objects.filter(groups__name=Role.OUTLET_STAFF, pk__in=holders)
        .select_related("operator")
        .distinct()
        .order_by("username", "pk")
    )


def staff_outlets(*, user, members) -> dict[int, list[Outlet]]:
    """Each member's outlets that ``user`` sees, for a page of members, in two queries."""
    in_scope = scoping.outlets_in_scope(user)
    grants = _outlet_grants(outlets=in_scope).filter(user__in=[member.pk for member in members])
    outlet_pks_of = defaultdict(set)
    for user_id, object_pk in grants.values_list("user_id", "object_pk"):
        outlet_pks_of[user_id].add(int(object_pk))
    wanted = set().union(*outlet_pks_of.values())
    outlets = {outlet.pk: outlet for outlet in in_scope.filter(pk__in=wanted)}
    return {
        member.pk: sorted(
            (outlets[pk] for pk in outlet_pks_of[member.pk] if pk in outlets),
            key=lambda outlet: (outlet.code, outlet.pk),
        )
        for member in members
    }
