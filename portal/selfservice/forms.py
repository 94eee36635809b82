from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib.forms import BoundedDateField
from portal.selfservice.models import Dispute
from registrations.models import Subscriber

MAX_DEFERRAL_DAYS = 180


class StartForm(forms.Form):
    id_type = forms.ChoiceField(
        label=_("ID type"), choices=Subscriber.IdType.choices, initial=Subscriber.IdType.RESIDENT_ID
    )
    id_number = forms.CharField(label=_("ID number"), max_length=32)
    full_name = forms.CharField(label=_("Full name (as on the ID)"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        )
        self.fields["full_name"].widget.attrs.update({"autocomplete": "name"})


class NumberForm(forms.Form):
    number = forms.ChoiceField(
        label=_("Send the code to"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the number to send the code to.")},
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].choices = [(token, masked) for token, _msisdn, masked in choices]


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("The 6-digit code from the SMS"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("The code is 6 digits.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric"}
        )


class DisputeForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is this number not yours?"),
        choices=Dispute.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the number is not yours.")},
    )
    detail = forms.CharField(
        label=_("Anything the operator should know"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact = forms.CharField(
        label=_("A mobile number to reach you"),
        max_length=24,
        help_text=_("11 digits, for example 138 0013 8000. The operator may call you about it."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Dispute.Reason.OTHER and not cleaned.get("detail", "").strip():
            self.add_error("detail", _("Write why the number is not yours."))
        return cleaned


class DisputeUpholdForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the record"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The registration is cancelled and the number freed; the subscriber sees it."),
    )


class DisputeAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your explanation to the subscriber"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the registration stands: the subscriber reads this."),
    )


class NoticeDeferralForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the person must not be told yet"),
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the audit trail; the person reads it once the deferral ends."),
    )
    until = BoundedDateField(
        label=_("Hold the notices until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("At most 180 days from today."),
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        today = timezone.localdate()
        if not today < until <= today + timedelta(days=MAX_DEFERRAL_DAYS):
            raise forms.ValidationError(_("Choose a day after today and at most 180 days ahead."))
        return until
