"""Every write of live verification: consent, evidence, challenge and capture, jobs.

The flow of a registration at an outlet:
1. ``consent_record`` and ``portrait_store`` while it is a draft;
2. ``challenge_issue`` when the capture page opens;
3. ``capture_submit`` with the recording: the challenge is spent, the capture stored, the
   registration submitted (first attempt) and the job queued once the transaction commits;
4. the worker's ``verification_job_start`` / ``verification_job_complete`` around the engine;
   the registration is approved, rejected, sent to review, or left for a retake.
"""

from verification.services.captures import capture_submit, challenge_issue
from verification.services.consent import consent_record, consent_withdraw
from verification.services.evidence import (
    evidence_reason_clean,
    evidence_store,
    portrait_store,
    review_purpose,
    viewing_grant_end,
    viewing_grant_for_review,
    viewing_grant_open,
)
from verification.services.jobs import (
    RETAKE_REASONS,
    registrations_stranded_sweep,
    verification_job_complete,
    verification_job_enqueue,
    verification_job_note_error,
    verification_job_start,
    verification_jobs_sweep,
)
from verification.services.review import review_decide

__all__ = [
    "RETAKE_REASONS",
    "capture_submit",
    "challenge_issue",
    "consent_record",
    "consent_withdraw",
    "evidence_reason_clean",
    "evidence_store",
    "portrait_store",
    "registrations_stranded_sweep",
    "review_decide",
    "review_purpose",
    "verification_job_complete",
    "verification_job_enqueue",
    "verification_job_note_error",
    "verification_job_start",
    "verification_jobs_sweep",
    "viewing_grant_end",
    "viewing_grant_for_review",
    "viewing_grant_open",
]
