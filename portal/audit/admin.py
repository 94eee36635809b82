"""Changes made in Django's admin are audited like any other."""

from django.contrib import admin

from portal.audit.actions import Action
from portal.audit.services import audit_record


def _admin_value(value):
    if hasattr(value, "all") and callable(value.all):  # a queryset of related rows
        return sorted(str(item) for item in value.all())
    if isinstance(value, list | tuple | set):
        return sorted(str(item) for item in value)
    if hasattr(value, "pk"):
        return str(value)
    return value


class AuditedModelAdmin(admin.ModelAdmin):
    """Record each save from the admin as ``audit_created_action`` or ``audit_changed_action``.

    The admin's change view already runs in one transaction, so the event commits with it.
    """

    audit_created_action: Action
    audit_changed_action: Action

    def save_related(self, request, form, formsets, change):
        # After the related rows (a user's groups): the event then shows the whole change.
        super().save_related(request, form, formsets, change)
        obj = form.instance
        # Passwords (password, password1, password2 of the add form) never enter the trail.
        secret = [name for name in form.changed_data if "password" in name]
        fields = [name for name in form.changed_data if name not in secret]
        changes = {
            name: (
                _admin_value(form.initial.get(name)) if change else None,
                _admin_value(form.cleaned_data.get(name)),
            )
            for name in fields
        }
        if secret:
            changes["password"] = ("********", "changed")
        audit_record(
            action=self.audit_changed_action if change else self.audit_created_action,
            actor=request.user,
            obj=obj,
            changes=changes,
        )
