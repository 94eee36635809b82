from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = _("Verification")

    def ready(self) -> None:
        from registrations.selectors import READ_FLAGS
        from registrations.views import registrations as registration_views
        from registrations.views.api import NEXT_ACTION_SOURCES
        from registrations.views.registrations import DETAIL_SECTIONS
        from verification.selectors import flow_flags_sql, next_step_url
        from verification.views.api import verification_next_actions
        from verification.views.registrations import registration_section

        # The registration page shows the verification steps, attempts and evidence.
        if registration_section not in DETAIL_SECTIONS:
            DETAIL_SECTIONS.append(registration_section)
        # A draft saved (or found again) at the outlet goes on to its next verification step.
        registration_views.NEXT_STEP_URL = next_step_url
        # The API's registrations list the verification steps among their next actions.
        if verification_next_actions not in NEXT_ACTION_SOURCES:
            NEXT_ACTION_SOURCES.append(verification_next_actions)
        # ... read with the registration itself, in the partner API's one query.
        READ_FLAGS.update(flow_flags_sql())
