from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from portal.accounts.middleware import session_clock_start
        from portal.accounts.services import role_groups_sync

        # Idle and absolute timeouts count from each sign-in.
        user_logged_in.connect(session_clock_start, dispatch_uid="accounts.session_clock")

        # After every migrate, once permissions exist: keep the role groups as roles.py says.
        post_migrate.connect(
            lambda **kwargs: role_groups_sync(using=kwargs["using"]),
            weak=False,
            dispatch_uid="accounts.role_groups_sync",
        )
