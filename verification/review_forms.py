"""Forms of the manual review pages."""

from django import forms

from verification.evidence_services import REASON_MAX_LENGTH, REASON_MIN_LENGTH


class EvidenceReasonForm(forms.Form):
    """Why the reviewer opens the evidence: recorded with every file the page then loads."""

    reason = forms.CharField(
        label="Reason for viewing the evidence",
        min_length=REASON_MIN_LENGTH,
        max_length=REASON_MAX_LENGTH,
        help_text="Recorded in the audit trail with every picture and video shown.",
        error_messages={
            "required": "State why you are viewing the evidence.",
            "min_length": f"Write at least {REASON_MIN_LENGTH} characters.",
        },
    )


def evidence_reason_form(query) -> tuple[EvidenceReasonForm, str]:
    """The reason form of a page showing evidence, and the valid reason ("" until there is one)."""
    form = EvidenceReasonForm(query if "reason" in query else None)
    return form, form.cleaned_data["reason"] if form.is_valid() else ""


class ReviewDecisionForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(choices=[(APPROVE, "Approve"), (REJECT, "Reject")])
    # Not required here: the service refuses an empty note, with its own message.
    note = forms.CharField(
        label="Reason for the decision",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown in the registration's history and the audit trail.",
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == self.APPROVE
