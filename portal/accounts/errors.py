"""The codes of every refusal about signing in: second factors and sessions."""

from django.utils.translation import gettext_lazy as _

from portal.lib.errors import ErrorCode, PortalError


class AccountCode(ErrorCode):
    WRONG_CODE = (
        "wrong_code",
        _("This code is not right: check the code of your authenticator app, or a backup code."),
    )
    TOO_MANY_ATTEMPTS = (
        "too_many_attempts",
        _("Too many wrong codes: wait a little before trying again."),
    )
    NO_SUCH_DEVICE = "no_such_device", _("This device is not one of yours.")
    WEAK_PASSWORD = "weak_password", _("Choose a longer, less common password.")


class AccountError(PortalError):
    pass
