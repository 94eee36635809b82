from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from portal.supervision.models import RiskAlert
from portal.supervision.risk.registry import Signal
from portal.supervision.selectors.alerts import AlertFilters
from portal.supervision.services.alerts import TRANSITIONS, Step
from registrations import scoping

STATUS_CHOICES = [
    ("open", _("Open (new or under review)")),
    ("all", _("Any status")),
    *RiskAlert.Status.choices,
]


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    signal = forms.ChoiceField(
        label=_("Signal"), choices=[("", _("Any signal")), *Signal.choices], required=False
    )
    province = forms.ChoiceField(label=_("Province"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("Any province"))] + [
            (p.code, p.name) for p in scoping.provinces_in_scope(user)
        ]

    def filters(self) -> AlertFilters:
        """The valid part of the query: each bad field is dropped, with its error shown."""
        if not self.is_bound:
            return AlertFilters()
        self.is_valid()
        data = self.cleaned_data
        return AlertFilters(
            status=data.get("status") or "open",
            signal=data.get("signal") or "",
            province=data.get("province") or "",
            assignee="me" if data.get("mine") else "",
        )


class AlertChangeForm(forms.Form):
    step = forms.ChoiceField(
        label=_("Step"), choices=[(t.step, t.label) for t in TRANSITIONS], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to dismiss or confirm: what you found."),
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=None, required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, assignable, steps=TRANSITIONS, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [(t.step, t.label) for t in steps]
        self.fields["assignee"].queryset = get_user_model().objects.filter(
            pk__in=[user.pk for user in assignable]
        )

    def clean(self):
        data = super().clean()
        if data.get("step") != Step.ASSIGN and "assignee" in data:
            data["assignee"] = None
        return data
