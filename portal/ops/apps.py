from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "portal.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from prometheus_client import REGISTRY

        from portal.ops.metrics import PortalCollector

        REGISTRY.register(PortalCollector())  # read at each scrape, not now
