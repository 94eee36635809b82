from django import forms
from django.conf import settings

from verification import messages


class PortraitForm(forms.Form):
    portrait = forms.FileField(
        label="ID portrait",
        help_text="The photo read from the ID card's chip, or a scan of the card's photo "
        "(JPEG or PNG).",
        error_messages={"required": "Choose the ID portrait file.", "empty": "The file is empty."},
    )

    def clean_portrait(self):
        upload = self.cleaned_data["portrait"]
        if upload.size > settings.VERIFICATION_MAX_PORTRAIT_BYTES:
            raise forms.ValidationError(messages.problem("file_too_large"))
        self.cleaned_data["data"] = upload.read()
        return upload

    def refuse_dropped_file(self) -> None:
        """The memory-only upload handler drops a file over its size limit: say so, rather
        than "choose a file"."""
        self.errors["portrait"] = self.error_class([messages.problem("file_too_large")])


class ConsentForm(forms.Form):
    agreed = forms.BooleanField(
        label="The subscriber has read this notice and agrees to the biometric processing "
        "described in it.",
        error_messages={"required": messages.problem("consent_required")},
    )
