from django.db import models


class SupervisionAccess(models.Model):
    """No table: the ministry side's named permissions (``portal.accounts.permissions.Perm``)
    hang on it, as Django permissions must hang on a model."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_dashboard", "Can see the supervision figures within their scope"),
            ("manage_risk_alerts", "Can review, dismiss and confirm risk alerts"),
            ("run_spot_checks", "Can run spot checks and re-adjudicate their samples"),
            ("issue_notices", "Can record findings and issue rectification notices"),
            ("answer_notices", "Can answer the rectification notices to their operator"),
            ("view_outlet_directory", "Can read the outlets and outlet staff within their scope"),
        ]

    def __str__(self) -> str:
        return "supervision access"
