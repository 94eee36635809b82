from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "portal.supervision"
    label = "supervision"
    verbose_name = _("Supervision")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from portal.audit.labels import status_labels_register
        from portal.supervision.models import Notice, RiskAlert, SpotCheck

        for model in (Notice, RiskAlert, SpotCheck):
            status_labels_register(model._meta.model_name, model.Status.choices)

        from portal.supervision.selectors.alerts import strata_with_open_alerts
        from portal.supervision.services import rollups
        from portal.supervision.services.spot_checks import oversampling_source_register
        from registrations.signals import registration_changed
        from verification.models import ViewingGrant

        # The rollups move with every change of a registration, in its transaction.
        registration_changed.connect(rollups.on_registration_changed, dispatch_uid="rollups")
        post_save.connect(
            rollups.on_viewing_grant_saved, sender=ViewingGrant, dispatch_uid="rollups_views"
        )
        # A spot check oversamples the operator x province strata holding open risk alerts.
        oversampling_source_register(strata_with_open_alerts)
        from portal.supervision.selectors.notices import registration_ids_under_open_findings
        from verification.holds import hold_register

        # A registration named by a finding keeps its evidence until the notice is accepted.
        hold_register("finding", _("Open finding or notice"), registration_ids_under_open_findings)
