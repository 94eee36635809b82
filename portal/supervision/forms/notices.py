"""The forms of findings and notices: the finding (with its links typed as ids, codes and
logins: a select of a nation's registrations would not fit a page), the notice, its answer,
and the inspector's decision; and the notices list's filters."""

import re
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.lib.forms import BoundedDateField
from portal.supervision.models import Finding, Notice
from portal.supervision.selectors import notices as selectors
from portal.supervision.selectors.notices import NoticeFilters

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_LINKS = 200
_SEPARATORS = re.compile(r"[\s,;]+")


class ScopedChoiceField(forms.ModelChoiceField):
    """Django's, but an id too large for the column is "not a valid choice", not a 500."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError as error:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from error


def _tokens(value: str) -> list[str]:
    return list(dict.fromkeys(token for token in _SEPARATORS.split(value or "") if token))


class FindingForm(forms.Form):
    operator = ScopedChoiceField(queryset=None, label=_("Operator"))
    province = ScopedChoiceField(queryset=None, label=_("Province"))
    severity = forms.ChoiceField(choices=Finding.Severity.choices, label=_("Severity"))
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=5000, label=_("What was found")
    )
    source_kind = forms.ChoiceField(
        choices=Finding.SourceKind.choices, label=_("Source"), initial=Finding.SourceKind.MANUAL
    )
    source_ref = forms.CharField(
        required=False,
        max_length=64,
        label=_("Spot check or alert number"),
        help_text=_("For a finding from a spot check or a risk alert: its number."),
    )
    registrations = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Registrations (ids)"),
        help_text=_("Registration ids, separated by spaces, commas or new lines."),
    )
    outlets = forms.CharField(
        required=False,
        max_length=5000,
        label=_("Outlets (codes)"),
        help_text=_("Outlet codes of this operator in this province."),
    )
    staff = forms.CharField(
        required=False,
        max_length=5000,
        label=_("Staff accounts (logins)"),
        help_text=_("Logins of this operator's staff working in this province."),
    )

    def __init__(self, *args, user, operators, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["operator"].queryset = operators
        self.fields["province"].queryset = provinces

    def clean_source_ref(self) -> str:
        return self.cleaned_data["source_ref"].strip()

    def clean_registrations(self) -> list[str]:
        tokens = _tokens(self.cleaned_data["registrations"])
        if len(tokens) > MAX_LINKS:
            raise forms.ValidationError(_("Link at most %(n)d records.") % {"n": MAX_LINKS})
        for token in tokens:
            try:
                uuid.UUID(token)
            except ValueError as error:
                raise forms.ValidationError(
                    _("“%(value)s” is not a registration id.") % {"value": token[:40]}
                ) from error
        return tokens

    def clean_outlets(self) -> list[str]:
        return _tokens(self.cleaned_data["outlets"])[:MAX_LINKS]

    def clean_staff(self) -> list[str]:
        return _tokens(self.cleaned_data["staff"])[:MAX_LINKS]

    def clean(self):
        cleaned = super().clean()
        operator, province = cleaned.get("operator"), cleaned.get("province")
        if operator is None or province is None:
            return cleaned
        where = {"user": self.user, "operator": operator, "province": province}
        self._resolve(
            "registrations", selectors.registrations_linkable(**where), "pk", lambda r: str(r.pk)
        )
        self._resolve("outlets", selectors.outlets_linkable(**where), "code", lambda o: o.code)
        self._resolve(
            "staff", selectors.staff_linkable(**where), "username", lambda u: u.get_username()
        )
        return cleaned

    def _resolve(self, field: str, queryset, key: str, key_of) -> None:
        """Turn the typed keys into records, or say which ones this finding cannot link."""
        if field not in self.cleaned_data:
            return
        keys = self.cleaned_data[field]
        found = list(queryset.filter(**{f"{key}__in": keys}))
        missing = sorted(set(keys) - {key_of(row) for row in found})
        if missing:
            self.add_error(
                field,
                _("Not of this operator in this province, or not in your scope: %(keys)s")
                % {"keys": ", ".join(item[:40] for item in missing[:10])},
            )
            return
        self.cleaned_data[field] = found


class NoticeIssueForm(forms.Form):
    deadline = BoundedDateField(label=_("Deadline"), widget=DATE_INPUT)
    required_actions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, label=_("What must be done")
    )


class NoticeAnswerForm(forms.Form):
    actions_taken = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=5000, label=_("Actions taken")
    )


class NoticeAcceptForm(forms.Form):
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        label=_("Note (optional)"),
    )


class NoticeReopenForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label=_("Why it is reopened")
    )


class NoticeFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", _("Any state")), *Notice.Status.choices], required=False, label=_("State")
    )
    overdue = forms.BooleanField(required=False, label=_("Overdue only"))

    def filters(self) -> NoticeFilters:
        """The valid part of the query: a bad field is dropped, with its error shown."""
        if not self.is_bound:
            return NoticeFilters()
        self.is_valid()
        return NoticeFilters(**{k: v for k, v in self.cleaned_data.items() if v})
