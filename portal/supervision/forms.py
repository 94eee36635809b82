from django import forms

from portal.audit.actions import Action
from portal.audit.selectors import AuditFilters

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OBJECT_TYPES = [
    ("", "Any object"),
    ("registration", "Registration"),
    ("user", "Account"),
    ("outlet", "Outlet"),
    ("operator", "Operator"),
    ("registrationpolicy", "Registration policy"),
    ("auditevent", "Audit trail"),
]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, max_length=150, label="Actor (login)")
    action = forms.ChoiceField(choices=[("", "Any action"), *Action.choices], required=False)
    object_type = forms.ChoiceField(choices=OBJECT_TYPES, required=False, label="Object")
    object_id = forms.CharField(required=False, max_length=64, label="Object id")
    occurred_from = forms.DateField(required=False, label="From", widget=DATE_INPUT)
    occurred_to = forms.DateField(required=False, label="To", widget=DATE_INPUT)

    def filters(self) -> AuditFilters:
        """The valid part of the query: each bad field is dropped, with its error shown."""
        if not self.is_bound:
            return AuditFilters()
        self.is_valid()
        return AuditFilters(**{k: v for k, v in self.cleaned_data.items() if v})
