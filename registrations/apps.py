from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self) -> None:
        from portal.audit.labels import status_labels_register
        from registrations.models import Registration

        status_labels_register("registration", Registration.Status.choices)
