"""What each reason code means for the person at the counter, in plain language."""

# The engine's reasons, as shown after a verification.
REASONS = {
    "unreadable_media": "The recording could not be read. Record it again.",
    "no_face": "No face was found. Keep the face in the frame, in good light.",
    "multiple_faces": "More than one face was in view. Only the subscriber may be in the frame.",
    "face_too_small": "The face was too small. Come closer to the camera.",
    "too_blurry": "The picture was blurred. Hold still, clean the lens, add light.",
    "face_not_visible": "The face left the frame too often. Stay in view for the whole recording.",
    "no_blink": "No blink was seen. Blink when the screen asks for it.",
    "turn_missing": "A head turn that was asked for was not seen. Turn the head clearly.",
    "challenge_order": "The actions were not done in the order shown. Follow the prompts in turn.",
    "not_live": "The recording did not show a live person (it looks like a photo or a screen).",
    "identity_changed": "The person in the recording changed during the recording.",
    "no_match": "The face in the recording does not match the ID portrait.",
    "match_uncertain": "The match with the ID portrait is uncertain: a reviewer will decide.",
    "processing_failed": "The recording could not be checked automatically: a reviewer decides.",
}

# Refusals of the flow itself (uploads, challenges, order of the steps).
PROBLEMS = {
    "empty_file": "The file is empty. Choose the file again.",
    "file_too_large": "The file is too large. Record a shorter clip (6 to 10 seconds).",
    "not_an_image": "The ID portrait must be a JPEG or PNG photo.",
    "not_a_video": "The recording must be a video (WebM, MP4 or MOV).",
    "missing_file": "No file was received. Choose a file and send it again.",
    "challenge_unknown": "This capture does not answer a challenge of this page. Start again.",
    "challenge_used": "This challenge was already used. Start a new capture.",
    "challenge_expired": "The challenge expired before the recording arrived. Start again.",
    "consent_missing": "Record the subscriber's biometric consent first.",
    "portrait_missing": "Upload the ID portrait first.",
    "attempts_exhausted": "All attempts are used: the registration goes to a reviewer.",
    "not_draft": "This registration was already submitted; it can no longer be changed.",
    "not_capturable": "This registration is not waiting for a capture.",
    "consent_required": "The subscriber must agree before a face can be captured.",
}

PORTRAIT_REASONS = {
    "unreadable_media": "The ID portrait could not be read. Upload a JPEG or PNG photo.",
    "no_face": "No face was found in the ID portrait. Upload the portrait read from the ID card.",
    "multiple_faces": "The ID portrait shows more than one face. It must show only the holder.",
    "face_too_small": "The face in the ID portrait is too small. Upload a larger portrait.",
    "too_blurry": "The ID portrait is blurred. Upload a sharper one.",
}


def reason_text(code: str) -> str:
    return REASONS.get(code, code.replace("_", " ").capitalize() + ".")


def problem(code: str) -> str:
    return PROBLEMS.get(code) or reason_text(code)


def portrait_problem(code: str) -> str:
    return PORTRAIT_REASONS.get(code) or problem(code)
