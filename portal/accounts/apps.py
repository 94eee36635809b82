from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from portal.accounts.services import role_groups_sync

        # After every migrate, once permissions exist: keep the role groups as roles.py says.
        post_migrate.connect(
            lambda **kwargs: role_groups_sync(using=kwargs["using"]),
            weak=False,
            dispatch_uid="accounts.role_groups_sync",
        )
