from django.utils.translation import gettext_lazy as _

from portal.lib.errors import ErrorCode, PortalError


class SelfServiceCode(ErrorCode):
    CODE_WRONG = (
        "code_wrong",
        _("This code is not right, or no longer valid. Check the SMS, or ask for a new code."),
    )
    CODE_EXHAUSTED = (
        "code_exhausted",
        _("Too many wrong codes: this code no longer works. Start again to get a new one."),
    )
    NOT_STARTED = (
        "sign_in_not_started",
        _("Enter your ID details first: your sign-in has not started or has run out of time."),
    )
    NUMBER_UNKNOWN = "number_unknown", _("Choose one of the numbers shown.")


class SelfServiceError(PortalError):
    pass
