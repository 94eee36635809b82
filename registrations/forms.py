from django import forms

from registrations.models import Registration, Subscriber
from registrations.selectors import RegistrationFilters

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegistrationFilterForm(forms.Form):
    """The list filters. An unknown value is reported and ignored, never a 500."""

    status = forms.ChoiceField(
        choices=[("", "Any status"), *Registration.Status.choices], required=False
    )
    operator = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any operator")
    outlet = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any outlet")
    province = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any province")
    created_from = forms.DateField(required=False, label="From", widget=DATE_INPUT)
    created_to = forms.DateField(required=False, label="To", widget=DATE_INPUT)

    def __init__(self, *args, operators, outlets, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = operators
        self.fields["outlet"].queryset = outlets
        self.fields["province"].queryset = provinces

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("created_from"), cleaned.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", "The end date is before the start date.")
        return cleaned

    def filters(self) -> RegistrationFilters:
        """The valid part of the query: each bad field is dropped, with its error shown."""
        self.is_valid()  # invalid fields are left out of cleaned_data
        return RegistrationFilters(**{k: v for k, v in self.cleaned_data.items() if v})


class RegistrationForm(forms.Form):
    outlet = forms.ModelChoiceField(queryset=None, empty_label=None)
    id_type = forms.ChoiceField(
        label="ID type", choices=Subscriber.IdType.choices, initial=Subscriber.IdType.RESIDENT_ID
    )
    id_number = forms.CharField(label="ID number", max_length=32)
    full_name = forms.CharField(label="Full name (as on the ID)", max_length=100)
    birth_date = forms.DateField(label="Date of birth", widget=DATE_INPUT)
    id_expiry = forms.DateField(
        label="ID valid until",
        required=False,
        widget=DATE_INPUT,
        help_text="Leave empty for a long-term ID.",
    )
    msisdn = forms.CharField(
        label="Mobile number", max_length=24, help_text="11 digits, for example 138 0013 8000."
    )
    iccid = forms.CharField(
        label="SIM card number (ICCID)", max_length=24, help_text="19 or 20 digits starting 89."
    )

    def __init__(self, *args, outlets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outlet"].queryset = outlets
        for name in ("id_number", "msisdn", "iccid"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
