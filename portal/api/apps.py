from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "portal.api"
    label = "api"
    verbose_name = "Partner API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the Bearer scheme with drf-spectacular.
        from portal.api import schema  # noqa: F401
        from portal.api.webhooks import outbox_write
        from registrations.signals import registration_event

        # Webhook messages are written in the transaction of each registration event.
        registration_event.connect(outbox_write, dispatch_uid="api.webhooks.outbox_write")
