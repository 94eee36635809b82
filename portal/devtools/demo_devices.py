"""The demo accounts' second factors: an authenticator app and a few backup codes each.

So that a newcomer signs in as every role without an authenticator app: ``seed_demo`` prints
the backup codes, ``python manage.py demo_otp USER`` the app's current code. Each app's key is
drawn at random when the account first gets it (known to this database only), and an account
that already has an app keeps it and its codes: a re-run adds nothing.
"""

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_BACKUP_CODES = 5


def demo_devices_ensure(users) -> dict[str, list[str]]:
    """Give each of ``users`` an authenticator app and backup codes if it has none; return
    the unspent backup codes of each, by username."""
    codes = {}
    for user in users:
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="Demo authenticator app", confirmed=True)
            backup = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
            StaticToken.objects.bulk_create(
                StaticToken(device=backup, token=StaticToken.random_token())
                for _ in range(DEMO_BACKUP_CODES)
            )
        codes[user.username] = list(
            StaticToken.objects.filter(device__user=user, device__confirmed=True)
            .order_by("pk")
            .values_list("token", flat=True)
        )
    return codes
