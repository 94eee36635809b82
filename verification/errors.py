"""Every code of live verification, with what it means for the person at the counter.

One enum: the engine's reasons (shown after a verification; their values are the engine's
own vocabulary, ``verification.engine.reasons``) and the flow's refusals (uploads, challenges,
the order of the steps). The label is the plain sentence shown.
"""

from django.utils.translation import gettext_lazy as _

from portal.lib.errors import ErrorCode, PortalError
from verification.engine import reasons as engine_reasons


class VerificationCode(ErrorCode):
    # The engine's reasons.
    UNREADABLE_MEDIA = "unreadable_media", _("The recording could not be read. Record it again.")
    NO_FACE = "no_face", _("No face was found. Keep the face in the frame, in good light.")
    MULTIPLE_FACES = (
        "multiple_faces",
        _("More than one face was in view. Only the subscriber may be in the frame."),
    )
    FACE_TOO_SMALL = "face_too_small", _("The face was too small. Come closer to the camera.")
    TOO_BLURRY = "too_blurry", _("The picture was blurred. Hold still, clean the lens, add light.")
    FACE_NOT_VISIBLE = (
        "face_not_visible",
        _("The face left the frame too often. Stay in view for the whole recording."),
    )
    NO_BLINK = "no_blink", _("No blink was seen. Blink when the screen asks for it.")
    TURN_MISSING = (
        "turn_missing",
        _("A head turn that was asked for was not seen. Turn the head clearly."),
    )
    LOOK_MISSING = (
        "look_missing",
        _("A look up or down that was asked for was not seen. Tilt the head clearly."),
    )
    CHALLENGE_TIMING = (
        "challenge_timing",
        _("An action was not done while the screen asked for it. Follow each prompt in time."),
    )
    SPLICED_MEDIA = (
        "spliced_media",
        _("The recording has cuts: it must be one continuous live recording."),
    )
    CHALLENGE_ORDER = (
        "challenge_order",
        _("The actions were not done in the order shown. Follow the prompts in turn."),
    )
    NOT_LIVE = (
        "not_live",
        _("The recording did not show a live person (it looks like a photo or a screen)."),
    )
    IDENTITY_CHANGED = (
        "identity_changed",
        _("The person in the recording changed during the recording."),
    )
    NO_MATCH = "no_match", _("The face in the recording does not match the ID portrait.")
    MATCH_UNCERTAIN = (
        "match_uncertain",
        _("The match with the ID portrait is uncertain: a reviewer will decide."),
    )
    STRANDED = (
        "stranded",
        _("The registration waited too long for a verification: a reviewer decides."),
    )
    PROCESSING_FAILED = (
        "processing_failed",
        _("The recording could not be checked automatically: a reviewer decides."),
    )
    # Not the engine's: the portal's own reason for sending a passing capture to a person.
    UPLOADED_FILE = (
        "uploaded_file",
        _("Uploaded file, not recorded live by the camera: a reviewer decides."),
    )

    # Refusals of the flow itself.
    EMPTY_FILE = "empty_file", _("The file is empty. Choose the file again.")
    FILE_TOO_LARGE = (
        "file_too_large",
        _("The file is too large. Record a shorter clip (6 to 10 seconds)."),
    )
    NOT_AN_IMAGE = "not_an_image", _("The ID portrait must be a JPEG or PNG photo.")
    NOT_A_VIDEO = "not_a_video", _("The recording must be a video (WebM, MP4 or MOV).")
    MISSING_FILE = "missing_file", _("No file was received. Choose a file and send it again.")
    UNKNOWN_SOURCE = (
        "unknown_source",
        _("The capture must come from the camera or from an uploaded file."),
    )
    UPLOADS_OFF = (
        "uploads_off",
        _("Uploading a recorded clip is switched off: record the capture with this page's camera."),
    )
    CHALLENGE_UNKNOWN = (
        "challenge_unknown",
        _("This capture does not answer a challenge of this page. Start again."),
    )
    CHALLENGES_EXHAUSTED = (
        "challenges_exhausted",
        _("No challenge is left: asking for new ones used up this registration's attempts."),
    )
    CHALLENGE_USED = "challenge_used", _("This challenge was already used. Start a new capture.")
    CHALLENGE_EXPIRED = (
        "challenge_expired",
        _("The challenge expired before the recording arrived. Start again."),
    )
    CONSENT_MISSING = "consent_missing", _("Record the subscriber's biometric consent first.")
    CONSENT_TEXT_UNKNOWN = (
        "consent_text_unknown",
        _("This is not the version of the consent text in force: show the current one."),
    )
    CONSENT_TIME_IMPOSSIBLE = (
        "consent_time_impossible",
        _(
            "The consent must be collected after the registration was started, and not later "
            "than now."
        ),
    )
    PORTRAIT_MISSING = "portrait_missing", _("Upload the ID portrait first.")
    ATTEMPTS_EXHAUSTED = (
        "attempts_exhausted",
        _("All attempts are used: the registration goes to a reviewer."),
    )
    NOT_DRAFT = (
        "not_draft",
        _("This registration was already submitted; it can no longer be changed."),
    )
    NOT_CAPTURABLE = "not_capturable", _("This registration is not waiting for a capture.")
    CONSENT_REQUIRED = (
        "consent_required",
        _("The subscriber must agree before a face can be captured."),
    )
    VIEWING_REASON_REQUIRED = (
        "viewing_reason_required",
        _("State why you are viewing this evidence."),
    )
    VIEWING_GRANT_UNKNOWN = (
        "viewing_grant_unknown",
        _("No such leave to view evidence: open the registration and state your reason."),
    )
    VIEWING_GRANT_EXPIRED = (
        "viewing_grant_expired",
        _("Your leave to view this evidence has ended: state your reason again to see it."),
    )
    OUTLET_SUSPENDED = (
        "outlet_suspended",
        _("This outlet is suspended: it cannot take this registration further."),
    )
    REVIEWER_TOOK_PART = (
        "reviewer_took_part",
        _("You took part in this registration: another reviewer must decide it."),
    )
    EVIDENCE_UNAVAILABLE = (
        "evidence_unavailable",
        _(
            "This file cannot be decrypted or is missing. Tell the portal's administrators (the "
            "evidence keys may have been rotated without it)."
        ),
    )


# Why a registration waits for a person: any reason of the engine, or one of the portal's
# own (it waited too long, it could not be checked, the capture is a file). The review
# queue is filtered by these, in the enum's order.
REVIEW_REASON_CODES = tuple(
    code
    for code in VerificationCode
    if code in engine_reasons.ALL_REASONS
    or code
    in {
        VerificationCode.STRANDED,
        VerificationCode.PROCESSING_FAILED,
        VerificationCode.UPLOADED_FILE,
    }
)


# The engine's reasons about an ID portrait, said for the portrait rather than a recording.
PORTRAIT_MESSAGES = {
    VerificationCode.UNREADABLE_MEDIA: _(
        "The ID portrait could not be read. Upload a JPEG or PNG photo."
    ),
    VerificationCode.NO_FACE: _(
        "No face was found in the ID portrait. Upload the portrait read from the ID card."
    ),
    VerificationCode.MULTIPLE_FACES: _(
        "The ID portrait shows more than one face. It must show only the holder."
    ),
    VerificationCode.FACE_TOO_SMALL: _(
        "The face in the ID portrait is too small. Upload a larger portrait."
    ),
    VerificationCode.TOO_BLURRY: _("The ID portrait is blurred. Upload a sharper one."),
}


class VerificationError(PortalError):
    """A request the verification flow refuses; nothing was changed."""


def message_for(code: str) -> str:
    """The plain sentence for a code (a reason the engine gave, or a refusal)."""
    if code in VerificationCode.values:
        return str(VerificationCode(code).label)
    # A reason from a newer engine than this vocabulary: still say something readable.
    return code.replace("_", " ").capitalize() + "."


def portrait_message_for(code: str) -> str:
    return str(PORTRAIT_MESSAGES.get(code) or message_for(code))
