"""The codes of every refusal of the supervision: risk alerts, spot checks, findings and
notices. The label is the default message (a rule may give a more precise one)."""

from django.utils.translation import gettext_lazy as _

from portal.lib.errors import ErrorCode, PortalError


class RiskAlertCode(ErrorCode):
    NOT_ALLOWED_NOW = "risk_alert_step_not_allowed", _("This alert cannot take that step now.")
    NOTE_REQUIRED = "risk_alert_note_required", _("Write a note saying why.")
    ASSIGNEE_OUT_OF_SCOPE = (
        "risk_alert_assignee_out_of_scope",
        _("That person cannot work on this alert."),
    )


class RiskAlertError(PortalError):
    pass


class SpotCheckCode(ErrorCode):
    NOT_ALLOWED = "spot_check_not_allowed", _("Your account cannot run spot checks.")
    OUT_OF_SCOPE = (
        "spot_check_out_of_scope",
        _("Choose a province you inspect: a campaign cannot reach beyond your scope."),
    )
    EMPTY_POPULATION = (
        "spot_check_empty_population",
        _("No decided registration matches these filters: there is nothing to draw."),
    )
    BAD_SIZE = "spot_check_bad_size", _("Enter a sample size from 1 to %(max)d.")
    BAD_NAME = "spot_check_bad_name", _("Give the campaign a name of plain, visible characters.")
    BAD_PERIOD = "spot_check_bad_period", _("The period must end on or after its first day.")
    ALREADY_ADJUDICATED = (
        "spot_check_already_adjudicated",
        _("This sample was already re-adjudicated: a verdict is recorded once."),
    )
    BAD_VERDICT = "spot_check_bad_verdict", _("Choose match, no match or cannot tell.")
    CLOSED = "spot_check_closed", _("This campaign is closed: nothing more can be recorded.")


class SpotCheckError(PortalError):
    pass


class NoticeCode(ErrorCode):
    NOT_ALLOWED = "not_allowed", _("Your account cannot do this.")
    INVALID_CHOICE = "invalid_choice", _("Choose one of the values offered.")
    INVALID_TRANSITION = "invalid_transition", _("This notice cannot do that now.")
    OUT_OF_SCOPE = (
        "out_of_scope",
        _("This is outside the provinces you supervise."),
    )
    NOT_LINKABLE = (
        "not_linkable",
        _("Only records of the finding's operator and province can be linked."),
    )
    NOTICE_EXISTS = "notice_exists", _("A notice was already issued for this finding.")
    DEADLINE_PAST = "deadline_past", _("The deadline must be a day after today.")
    DEADLINE_TOO_FAR = (
        "deadline_too_far",
        _("The deadline must be within a year."),
    )
    TEXT_TOO_SHORT = (
        "text_too_short",
        _("Write at least a sentence (10 characters or more)."),
    )


class NoticeError(PortalError):
    pass
