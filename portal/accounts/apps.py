from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from portal.accounts.middleware import session_clock_start
        from portal.accounts.scoping import account_province_code
        from portal.accounts.services import role_groups_sync
        from portal.audit.signals import ACCOUNT_PROVINCE

        # Sign-ins of outlet staff carry the province they work in, for its inspectors.
        if account_province_code not in ACCOUNT_PROVINCE:
            ACCOUNT_PROVINCE.append(account_province_code)

        # Idle and absolute timeouts count from each sign-in.
        user_logged_in.connect(session_clock_start, dispatch_uid="accounts.session_clock")

        # After every migrate, once permissions exist: keep the role groups as roles.py says.
        post_migrate.connect(
            lambda **kwargs: role_groups_sync(using=kwargs["using"]),
            weak=False,
            dispatch_uid="accounts.role_groups_sync",
        )
