"""Accounts in Django's admin: names, contact and active only; never privileges or passwords.

The ministry admin manages accounts here but grants nothing: role, scope, staff and superuser
status, groups and permissions are read-only (they change only through the audited services
of ``services.py``), no account is added here (``manage.py create_account`` calls
``user_create``), and a password is never typed in for someone else: the admin mails the
account a one-time reset link instead.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UsernameField
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from guardian.models import UserObjectPermission

from portal.accounts.models import User
from portal.accounts.services import user_password_reset_issue
from portal.audit.actions import Action
from portal.audit.admin import AuditedModelAdmin

# The only fields an admin form of an account can ever write. Anything else in a POST
# (is_superuser, groups, user_permissions, password...) is not a field of the form: ignored.
EDITABLE_FIELDS = ["username", "full_name", "email", "is_active"]


class PortalUserChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = EDITABLE_FIELDS
        field_classes = {"username": UsernameField}


def _held_permissions(user) -> set[str]:
    """Every permission ``user`` holds, through its groups, its own or object-level grants,
    whether or not the account is active (a deactivated account may be reactivated)."""
    model_level = Permission.objects.filter(Q(group__user=user) | Q(user=user)).values_list(
        "content_type__app_label", "codename"
    )
    object_level = UserObjectPermission.objects.filter(user=user).values_list(
        "permission__content_type__app_label", "permission__codename"
    )
    return {f"{app}.{codename}" for app, codename in [*model_level, *object_level]}


def holds_more_than(target, actor) -> bool:
    """Whether ``target`` holds a privilege ``actor`` does not."""
    if target.is_superuser and not actor.is_superuser:
        return True
    if actor.is_superuser:
        return False
    return not _held_permissions(target) <= _held_permissions(actor)


@admin.register(User)
class PortalUserAdmin(AuditedModelAdmin, UserAdmin):
    audit_created_action = Action.USER_CREATED
    audit_changed_action = Action.USER_CHANGED
    form = PortalUserChangeForm
    list_display = ["username", "full_name", "operator", "is_active"]
    list_filter = ["groups", "operator", "is_active"]
    actions = ["send_password_reset_link"]
    fieldsets = [
        (None, {"fields": ["username"]}),
        (_("Personal info"), {"fields": ["full_name", "email"]}),
        (_("Status"), {"fields": ["is_active"]}),
        (
            _("Role and scope (changed only through the portal's audited services)"),
            {"fields": ["role", "operator", "is_staff", "is_superuser"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["role", "operator", "is_staff", "is_superuser", "last_login", "date_joined"]

    @admin.display(description=_("Role"))
    def role(self, obj):
        role = obj.role
        return role.label if role else "-"

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # The reset link goes to the account's address: whoever could change the address of
        # an account holding more than they do could take it over.
        if obj is not None and holds_more_than(obj, request.user):
            readonly.append("email")
        return readonly

    def get_form(self, request, obj=None, **kwargs):
        # Never UserAdmin's add form (it sets a password): only the change form, whose fields
        # are the editable ones minus the read-only ones.
        kwargs["form"] = self.form
        return admin.ModelAdmin.get_form(self, request, obj, **kwargs)

    def has_add_permission(self, request):
        return False  # accounts get a role and scope from user_create: manage.py create_account

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate an account instead: the audit trail refers to it

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied  # nobody types in another account's password: a reset link

    @admin.action(description=_("Mail a one-time password reset link"), permissions=["change"])
    def send_password_reset_link(self, request, queryset):
        site_url = request.build_absolute_uri("/")
        sent, skipped = 0, []
        for user in queryset:
            if user_password_reset_issue(actor=request.user, user=user, site_url=site_url):
                sent += 1
            else:
                skipped.append(user.get_username())
        if sent:
            self.message_user(
                request,
                ngettext(
                    "A reset link was mailed to %(count)d account.",
                    "Reset links were mailed to %(count)d accounts.",
                    sent,
                )
                % {"count": sent},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                _("No e-mail address, no link sent: %(usernames)s")
                % {"usernames": ", ".join(skipped)},
                messages.WARNING,
            )

    def get_urls(self):
        # The link's page is for the account holder, signed out: not behind admin_view.
        confirm = auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("login"),
            extra_context={"site_header": self.admin_site.site_header},
        )
        return [
            path(
                "password-reset/<uidb64>/<token>/",
                confirm,
                name="accounts_user_password_reset_confirm",
            ),
            *super().get_urls(),
        ]
