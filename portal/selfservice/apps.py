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

        # Each look at a person's registration or evidence, indexed by the person.
        event_recorded.connect(on_event_recorded, dispatch_uid="selfservice.subject_access")
