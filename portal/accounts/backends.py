"""Django's model backend, with a signed-in person's groups and permissions read in one query.

Every page asks for both: the role (``roles.role_of``, from the groups) for the scope and the
layout, the permissions for the view and each navigation link. Django reads them in three
queries per request (groups, the account's own permissions, its groups' permissions); this
reads them in one, hand-written (the ORM would spend longer compiling it than the database
takes to answer), and keeps them on the user object for the request, as Django does.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

_SQL: str | None = None


def _grants_sql() -> str:
    """Rows of ('group', name, '') and ('perm', app_label, codename), for one user id."""
    global _SQL  # noqa: PLW0603 - built once, from the models' table names
    if _SQL is None:
        user_model = get_user_model()
        user_groups = user_model.groups.through._meta.db_table
        user_permissions = user_model.user_permissions.through._meta.db_table
        group_permissions = Group.permissions.through._meta.db_table
        _SQL = f"""
            SELECT 'group', g.name, '' FROM {Group._meta.db_table} g
              JOIN {user_groups} ug ON ug.group_id = g.id WHERE ug.user_id = %(user)s
            UNION
            SELECT 'perm', ct.app_label, p.codename FROM {Permission._meta.db_table} p
              JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id
             WHERE p.id IN (
                SELECT permission_id FROM {user_permissions} WHERE user_id = %(user)s
                UNION
                SELECT gp.permission_id FROM {group_permissions} gp
                  JOIN {user_groups} ug ON ug.group_id = gp.group_id
                 WHERE ug.user_id = %(user)s)
        """  # noqa: S608 - table names from the models, the user id a parameter
    return _SQL


def load_groups_and_permissions(user) -> None:
    """Reads the user's group names and permissions once; kept on the object as
    ``_portal_group_names`` and Django's own ``_perm_cache``."""
    with connection.cursor() as cursor:
        cursor.execute(_grants_sql(), {"user": user.pk})
        rows = cursor.fetchall()
    user._portal_group_names = frozenset(name for kind, name, _ in rows if kind == "group")
    if not user.is_superuser:  # who holds every permission: Django's own answer
        user._perm_cache = {f"{app}.{codename}" for kind, app, codename in rows if kind == "perm"}


class ModelBackendInOneQuery(ModelBackend):
    """ModelBackend, its permission check answered by ``load_groups_and_permissions``."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj)
        if not hasattr(user_obj, "_perm_cache"):
            load_groups_and_permissions(user_obj)
        return user_obj._perm_cache
