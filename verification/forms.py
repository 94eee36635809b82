"""Forms of the outlet's verification steps and of the pages showing evidence."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from verification.consent_notice import LANGUAGES as NOTICE_LANGUAGES
from verification.errors import REVIEW_REASON_CODES, VerificationCode, VerificationError
from verification.selectors import ReviewFilters
from verification.services.evidence import REASON_MAX_LENGTH, evidence_reason_clean


class PortraitForm(forms.Form):
    portrait = forms.FileField(
        label=_("ID portrait"),
        help_text=_(
            "The photo read from the ID card's chip, or a scan of the card's photo (JPEG or PNG)."
        ),
        error_messages={
            "required": _("Choose the ID portrait file."),
            "empty": _("The file is empty."),
        },
    )

    def clean_portrait(self):
        upload = self.cleaned_data["portrait"]
        if upload.size > settings.VERIFICATION_MAX_PORTRAIT_BYTES:
            raise forms.ValidationError(VerificationCode.FILE_TOO_LARGE.label)
        self.cleaned_data["data"] = upload.read()
        return upload

    def refuse_dropped_file(self) -> None:
        """The memory-only upload handler drops a file over its size limit: say so, rather
        than "choose a file"."""
        self.errors["portrait"] = self.error_class([VerificationCode.FILE_TOO_LARGE.label])


class ConsentForm(forms.Form):
    # The language the notice was shown in: recorded as what the subscriber read, even if
    # the page's language changes before the form is sent.
    language = forms.ChoiceField(
        choices=[(code, code) for code in NOTICE_LANGUAGES],
        required=False,  # absent: the language the page is in now
        widget=forms.HiddenInput,
    )
    agreed = forms.BooleanField(
        label=_(
            "The subscriber has read this notice and agrees to the biometric processing "
            "described in it."
        ),
        error_messages={"required": VerificationCode.CONSENT_REQUIRED.label},
    )


class EvidenceReasonForm(forms.Form):
    """Why the viewer opens the evidence: posted, it opens a short viewing grant, recorded
    once in the audit trail for every file the page then shows."""

    # The page a posted form goes back to ("back_to"): one of these, never a URL (no open
    # redirect), and anything else means the registration page.
    REGISTRATION, REVIEW = "registration", "review"

    reason = forms.CharField(
        label=_("Reason for viewing the evidence"),
        max_length=REASON_MAX_LENGTH,
        help_text=_(
            "Recorded in the audit trail; the evidence is then shown to you for a few minutes."
        ),
        error_messages={"required": _("State why you are viewing the evidence.")},
    )

    def clean_reason(self) -> str:
        try:
            return evidence_reason_clean(self.cleaned_data["reason"])
        except VerificationError as refused:
            raise forms.ValidationError(refused.message, code=refused.code) from refused


class ReviewDecisionForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"), choices=[(APPROVE, _("Approve")), (REJECT, _("Reject"))]
    )
    # Not required here: the service refuses an empty note, with its own message.
    note = forms.CharField(
        label=_("Reason for the decision"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown in the registration's history and the audit trail."),
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == self.APPROVE


class ReviewFilterForm(forms.Form):
    """The review queue's filters. An unknown value is reported and ignored, never a 500."""

    # How long a case has waited since it was submitted: the hours offered.
    WAITED_HOURS = (1, 4, 24)

    outlet = forms.ModelChoiceField(
        label=_("Outlet"), queryset=None, required=False, empty_label=_("Any outlet")
    )
    reason = forms.ChoiceField(label=_("Why it is in review"), required=False)
    waited = forms.TypedChoiceField(
        label=_("Waiting"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args, outlets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outlet"].queryset = outlets
        self.fields["reason"].choices = [
            ("", _("Any reason")),
            *((code.value, code.label) for code in REVIEW_REASON_CODES),
        ]
        # Said in the language of the request, not of the process start.
        self.fields["waited"].choices = [
            ("", gettext("Any time")),
            *(
                (str(hours), gettext("More than %(hours)d h") % {"hours": hours})
                for hours in self.WAITED_HOURS
            ),
        ]

    def filters(self) -> ReviewFilters:
        """The valid part of the query: each bad field is dropped, with its error shown."""
        if not self.is_bound:
            return ReviewFilters()
        self.is_valid()  # invalid fields are left out of cleaned_data
        cleaned = self.cleaned_data
        return ReviewFilters(
            outlet=cleaned.get("outlet"),
            reason=cleaned.get("reason") or "",
            waited_hours=cleaned.get("waited"),
        )
