"""Writes to accounts: role groups, staff accounts and their scope grants."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext
from guardian.shortcuts import assign_perm, remove_perm

from portal.accounts.errors import AccountCode, AccountError
from portal.accounts.languages import is_supported
from portal.accounts.models import User
from portal.accounts.permissions import Grant, Perm
from portal.accounts.roles import ROLE_PERMISSIONS, Role, role_of
from portal.accounts.scoping import (
    account_province_code,
    granted,
    is_appointed_reviewer,
    one_province_code,
)
from portal.audit.actions import Action
from portal.audit.services import audit_record


def _permissions_by_name(wanted, *, using: str) -> dict[str, Permission]:
    wanted = set(wanted)
    found = (
        Permission.objects.using(using)
        .select_related("content_type")
        .filter(codename__in={p.split(".")[1] for p in wanted})
    )
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in found}
    return {name: by_name[name] for name in wanted if name in by_name}


@transaction.atomic
def role_groups_sync(*, using: str = "default") -> None:
    """Create the five role groups and give each exactly the permissions of roles.py.

    Runs after every migrate; it waits for the post_migrate of the last app, when every
    permission it needs exists.
    """
    wanted = {p for perms in ROLE_PERMISSIONS.values() for p in perms}
    permissions = _permissions_by_name(wanted, using=using)
    if len(permissions) < len(wanted):
        return
    for role in Role:
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        group.permissions.set([permissions[p] for p in ROLE_PERMISSIONS[role]])


def _grant_scope(user, *, role: Role, operator=None, outlets=(), provinces=None) -> None:
    if role == Role.MINISTRY_INSPECTOR:
        if provinces is None:  # the whole nation: a global grant
            assign_perm(Grant.INSPECT_PROVINCE, user)
        for province in provinces or ():
            assign_perm(Grant.INSPECT_PROVINCE, user, province)
    elif role == Role.CARRIER_ADMIN:
        assign_perm(Grant.MANAGE_OPERATOR, user, operator)
    elif role == Role.API_PARTNER:
        assign_perm(Grant.USE_PARTNER_API, user, operator)
    elif role == Role.OUTLET_STAFF:
        for outlet in outlets:
            assign_perm(Grant.WORK_AT_OUTLET, user, outlet)


def _check_password(password: str, *, user, demo: bool) -> None:
    """Refuse a password the validators reject (length, common, like the account's names)."""
    if demo and not settings.PRODUCTION:
        return
    try:
        validate_password(password, user=user)
    except ValidationError as refused:
        raise AccountError(
            AccountCode.WEAK_PASSWORD, " ".join(refused.messages), field="password"
        ) from None


def _check_scope_arguments(*, role: Role, operator, outlets) -> None:
    needs_operator = role in (Role.CARRIER_ADMIN, Role.API_PARTNER, Role.OUTLET_STAFF)
    if needs_operator and operator is None:
        raise ValueError(f"A {role.label} account belongs to an operator")
    if not needs_operator and operator is not None:
        raise ValueError(f"A {role.label} account belongs to no operator")
    if any(outlet.operator_id != operator.pk for outlet in outlets):
        raise ValueError("Outlet staff can only work at outlets of their own operator")


@transaction.atomic
def user_create(
    *,
    actor=None,
    username: str,
    password: str | None,
    role: Role,
    operator=None,
    outlets=(),
    provinces=None,
    full_name: str = "",
    email: str = "",
    demo_password: bool = False,
):
    """Create an account with its role and scope.

    ``provinces=None`` gives an inspector the whole nation; a list limits them to it. A
    password must pass AUTH_PASSWORD_VALIDATORS; ``demo_password`` (the demo accounts of
    portal/devtools) exempts it, but never when DJANGO_ENV is production.
    """
    outlets = list(outlets)
    _check_scope_arguments(role=role, operator=operator, outlets=outlets)
    user = User(
        username=username,
        operator=operator,
        full_name=full_name,
        email=email,
        # Only the ministry admin uses Django's admin site.
        is_staff=role == Role.MINISTRY_ADMIN,
    )
    if password:
        _check_password(password, user=user, demo=demo_password)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=role.value))
    _grant_scope(user, role=role, operator=operator, outlets=outlets, provinces=provinces)
    audit_record(
        action=Action.USER_CREATED,
        actor=actor,
        obj=user,
        operator_id=user.operator_id,
        province_code=one_province_code(outlets),
        changes={
            "username": (None, user.username),
            "role": (None, role.value),
            "scope": (None, _scope_description(operator, outlets, provinces, role)),
        },
    )
    return user


def _scope_description(operator, outlets, provinces, role: Role) -> str:
    if role == Role.MINISTRY_INSPECTOR:
        return "nation" if provinces is None else ",".join(sorted(p.code for p in provinces))
    if role == Role.OUTLET_STAFF:
        return ",".join(sorted(outlet.code for outlet in outlets))
    return operator.code if operator is not None else "nation"


@transaction.atomic
def staff_outlets_set(*, actor, user, outlets) -> None:
    """Replace the outlets an outlet staff account works at (all of its own operator)."""
    outlets = list(outlets)
    _check_scope_arguments(role=Role.OUTLET_STAFF, operator=user.operator, outlets=outlets)
    current = set(granted(user, Grant.WORK_AT_OUTLET))
    for outlet in current - set(outlets):
        remove_perm(Grant.WORK_AT_OUTLET, user, outlet)
    for outlet in set(outlets) - current:
        assign_perm(Grant.WORK_AT_OUTLET, user, outlet)
    if current != set(outlets):
        audit_record(
            action=Action.SCOPE_CHANGED,
            actor=actor,
            obj=user,
            operator_id=user.operator_id,
            # The outlets' province, before and after, for its inspectors.
            province_code=one_province_code(current | set(outlets)),
            changes={
                "outlets": (
                    ",".join(sorted(o.code for o in current)),
                    ",".join(sorted(o.code for o in outlets)),
                )
            },
        )


@transaction.atomic
def staff_active_set(*, actor, user, active: bool) -> None:
    """Deactivate an outlet staff account (it can no longer sign in), or reactivate it.

    Its outlet grants are kept, so a reactivated account works where it worked before.
    """
    if role_of(user) != Role.OUTLET_STAFF:
        raise ValueError("Only outlet staff accounts are activated here")
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(
            action=Action.USER_CHANGED,
            actor=actor,
            obj=user,
            operator_id=user.operator_id,
            province_code=account_province_code(user),
            changes={"is_active": (not active, active)},
        )


# What an appointed reviewer may do beyond their role: decide the review queue of their
# operator and look at the evidence of those cases. Granted to the user, not the role group,
# so appointing one member of staff changes nobody else.
REVIEWER_PERMISSIONS = (Perm.REVIEW_REGISTRATION, Perm.VIEW_EVIDENCE)


def _reviewer_permissions() -> list[Permission]:
    return list(_permissions_by_name(REVIEWER_PERMISSIONS, using="default").values())


@transaction.atomic
def staff_reviewer_set(*, actor, user, reviewer: bool) -> None:
    """Appoint an outlet staff account as a reviewer of its operator's cases, or revoke it."""
    if role_of(user) != Role.OUTLET_STAFF:
        raise ValueError("Only outlet staff accounts are appointed reviewers")
    was_reviewer = is_appointed_reviewer(user)
    if was_reviewer == reviewer:
        return
    permissions = _reviewer_permissions()
    if reviewer:
        user.user_permissions.add(*permissions)
    else:
        user.user_permissions.remove(*permissions)
    # ModelBackend caches permissions on the instance: forget them so has_perm sees the change.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    audit_record(
        action=Action.REVIEWER_APPOINTED,
        actor=actor,
        obj=user,
        operator_id=user.operator_id,
        changes={"reviewer": (was_reviewer, reviewer)},
    )


@transaction.atomic
def staff_update(*, actor, user, outlets, active: bool, reviewer: bool) -> None:
    """A carrier admin's edit of one staff account: outlets, active, reviewer; all or none."""
    staff_outlets_set(actor=actor, user=user, outlets=outlets)
    staff_active_set(actor=actor, user=user, active=active)
    staff_reviewer_set(actor=actor, user=user, reviewer=reviewer)


@transaction.atomic
def user_password_reset_issue(*, actor, user, site_url: str) -> bool:
    """Mail ``user`` a one-time link to set a new password; False if they have no address.

    Nobody sets another account's password directly: the link goes to the account's own
    address, so issuing it gives the issuer nothing. The token itself never enters the trail.
    """
    if not user.email:
        return False
    path = reverse(
        "admin:accounts_user_password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    audit_record(
        action=Action.PASSWORD_RESET_ISSUED,
        actor=actor,
        obj=user,
        operator_id=user.operator_id,
        changes={"sent_to": (None, user.email)},
    )
    # Inside the transaction: if the mail cannot be sent, no issue is recorded.
    send_mail(
        subject=gettext("Set a new password for the SIM registration portal"),
        message=gettext(
            "A new password was requested for your account %(username)s.\n\n"
            "Open this link to set it (it works once):\n%(link)s\n\n"
            "If you did not expect this, tell the ministry's administrators."
        )
        % {"username": user.get_username(), "link": site_url.rstrip("/") + path},
        from_email=None,
        recipient_list=[user.email],
    )
    return True


def user_language_set(*, user, language: str) -> None:
    """Keep the interface language a person chose (``""``: back to the site's default)."""
    if language and not is_supported(language):
        raise ValueError(f"not a supported language: {language!r}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
