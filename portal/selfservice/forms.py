from django import forms
from django.utils.translation import gettext_lazy as _

from registrations.models import Subscriber


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
