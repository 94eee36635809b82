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
    NOT_DISPUTABLE = (
        "not_disputable",
        _("Only a number registered and in use under your ID can be disputed."),
    )
    DISPUTE_OPEN = "dispute_open", _("This number is already disputed: the operator is on it.")
    DISPUTE_CLOSED = "dispute_closed", _("This dispute has already been decided.")
    ANSWER_REQUIRED = (
        "answer_required",
        _("Write the explanation the subscriber will read (at least 20 characters)."),
    )


class SelfServiceError(PortalError):
    pass
