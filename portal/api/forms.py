"""The carrier admin's form for a new API key."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.api.networks import normalized_networks
from portal.lib.errors import PortalError


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the key is for, e.g. the partner's app or shop."),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Empty: the key works until revoked."),
    )
    allowed_networks = forms.CharField(
        label=_("Allowed addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "IP addresses or networks such as 203.0.113.0/24, one per line. Empty: any address."
        ),
    )

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        return expires_at

    def clean_allowed_networks(self):
        entries = self.cleaned_data["allowed_networks"].split()
        try:
            return normalized_networks(entries)
        except PortalError as refused:
            raise forms.ValidationError(refused.message) from None
