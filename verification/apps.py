from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = _("Verification")

    def ready(self) -> None:
        from registrations.views.registrations import DETAIL_SECTIONS
        from verification.views.registrations import registration_section

        # The registration page shows the verification steps, attempts and evidence.
        if registration_section not in DETAIL_SECTIONS:
            DETAIL_SECTIONS.append(registration_section)
