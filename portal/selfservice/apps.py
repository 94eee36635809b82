from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfServiceConfig(AppConfig):
    name = "portal.selfservice"
    label = "selfservice"
    verbose_name = _("Subscriber self-service")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portal.audit.hooks import event_recorded
        from portal.selfservice.services.access import on_event_recorded
        from portal.selfservice.services.notices import on_registration_changed
        from registrations.signals import registration_changed

        # Each look at a person's registration or evidence, indexed by the person (and a
        # look at the evidence told to them).
        event_recorded.connect(on_event_recorded, dispatch_uid="selfservice.subject_access")
        from portal.selfservice.views.deferrals import registration_section
        from registrations.views.registrations import DETAIL_SECTIONS

        # The registration page shows its disputes (and an inspector's way to defer notices).
        if registration_section not in DETAIL_SECTIONS:
            DETAIL_SECTIONS.append(registration_section)
        # A new number under an ID, told to the other numbers under it.
        registration_changed.connect(on_registration_changed, dispatch_uid="selfservice.notices")
        from portal.selfservice.selectors import disputed_registration_ids
        from verification.holds import hold_register

        # A registration under an open dispute keeps its evidence until the dispute ends.
        hold_register("dispute", _("Open dispute"), disputed_registration_ids)
