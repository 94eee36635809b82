from django import forms
from django.utils.translation import gettext_lazy as _

from portal.audit.actions import Action
from portal.lib.forms import BoundedDateField
from portal.supervision.selectors.audit import AuditFilters

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OBJECT_TYPES = [
    ("", _("Any object")),
    ("registration", _("Registration")),
    ("user", _("Account")),
    ("outlet", _("Outlet")),
    ("operator", _("Operator")),
    ("registrationpolicy", _("Registration policy")),
    ("auditevent", _("Audit trail")),
    ("riskalert", _("Risk alert")),
    ("spotcheck", _("Spot check")),
    ("spotchecksample", _("Spot check sample")),
    ("finding", _("Finding")),
    ("notice", _("Rectification notice")),
]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, max_length=150, label=_("Actor (login)"))
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("Any action")), *Action.choices], required=False
    )
    object_type = forms.ChoiceField(choices=OBJECT_TYPES, required=False, label=_("Object"))
    object_id = forms.CharField(required=False, max_length=64, label=_("Object id"))
    occurred_from = BoundedDateField(required=False, label=_("From"), widget=DATE_INPUT)
    occurred_to = BoundedDateField(required=False, label=_("To"), widget=DATE_INPUT)

    def filters(self) -> AuditFilters:
        """The valid part of the query: each bad field is dropped, with its error shown."""
        if not self.is_bound:
            return AuditFilters()
        self.is_valid()
        return AuditFilters(**{k: v for k, v in self.cleaned_data.items() if v})
