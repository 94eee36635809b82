"""Issue 10's attacks, replayed end to end through the portal's HTTP endpoints.

Each test does what the attacker did, as the issue tells it, and checks that it now fails.
The per-hole tests next to this file pin each fix down; these replay the attack whole.

1. Challenge re-roll (hole 1): ask for challenges until one fits a recording.
2. Spliced clip (hole 13): cut the shared clip to meet ``blink,turn_left``.
3. Superuser self-grant (hole 3): the ministry admin ticks ``is_superuser`` on their account.
4. Reviewer of own capture (hole 4): a reviewer decides a case they captured.
5. Submit without evidence (hole 5): submit an outlet draft with no portrait or consent.
6. Oversized clip (hole 6): a 3840x2160 60 fps MP4 within the upload limits, in a worker.
7. 500 bad inputs with no 500 (hole 7): a seeded draw from the bad-input walk's corpus.
8. CSV injection (hole 8): a formula in a username and in a reason, then the audit export.
9. Forged evidence link (hole 9): a cross-site GET with ``?reason=``; zero-width reasons.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import cv2
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.accounts.roles import Role
from portal.accounts.services import staff_reviewer_set, user_create
from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from registrations import services as registration_services
from registrations.errors import RegistrationCode
from registrations.models import Registration
from tests.factories import PASSWORD, create_registration, sign_in, store_stand_in_portrait
from tests.security import test_bad_input as bad_input
from tests.verification.engine.makers import CLIP, CLIP_PORTRAIT, read_frames
from verification import engine_runner, services
from verification.engine import reasons
from verification.models import BiometricEvidence, VerificationJob, ViewingGrant
from verification.selectors import evidence_read

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# -- the attacker's tools ---------------------------------------------------------------------


@contextlib.contextmanager
def memory_video(frames_bgr, fps: float, size: tuple[int, int], folder: Path):
    """Frames written as an MPEG-4 file that lives in memory only (the face is personal data):
    yields the file's bytes. OpenCV picks the container from the name's suffix, so it writes
    through a link named ``.mp4`` in ``folder`` to an anonymous in-memory file."""
    descriptor = os.memfd_create("replay-video", os.MFD_CLOEXEC)
    link = folder / "capture.mp4"
    try:
        link.symlink_to(f"/proc/{os.getpid()}/fd/{descriptor}")
        writer = cv2.VideoWriter(str(link), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
        assert writer.isOpened()
        for frame in frames_bgr:
            writer.write(frame)
        writer.release()
        yield link.read_bytes()
    finally:
        link.unlink(missing_ok=True)
        os.close(descriptor)


def portrait_upload(client, registration) -> None:
    response = client.post(
        f"/registrations/{registration.pk}/portrait/",
        {"portrait": SimpleUploadedFile("portrait.jpg", Path(CLIP_PORTRAIT).read_bytes())},
    )
    assert response.status_code == 302, response.content[:500]


def consent_record(client, registration) -> None:
    response = client.post(f"/registrations/{registration.pk}/consent/", {"agreed": "on"})
    assert response.status_code == 302, response.content[:500]


def challenge_ask(client, registration):
    return client.post(f"/registrations/{registration.pk}/capture/challenge/")


def capture_upload(client, registration, data: bytes, name: str = "capture.mp4"):
    """The capture page's own POST: a fresh challenge, answered by ``data`` "from the camera"."""
    challenge = challenge_ask(client, registration)
    assert challenge.status_code == 201, challenge.content
    response = client.post(
        f"/registrations/{registration.pk}/capture/upload/",
        {
            "nonce": challenge.json()["nonce"],
            "source": "camera",
            "capture": SimpleUploadedFile(name, data),
        },
    )
    assert response.status_code == 202, response.content
    return VerificationJob.objects.get(pk=response.json()["job"])


def run_job(job_id) -> bool:
    """What the Celery task does, in this process (as tests/verification/test_flow_services)."""
    job = services.verification_job_start(job_id=job_id)
    if job is None:
        return False
    result = engine_runner.verify_job(job)
    return services.verification_job_complete(job_id=job_id, result=result)


@pytest.fixture
def staff_client(client, users):
    sign_in(client, users["staff"])
    return client


@pytest.fixture
def draft(users, outlet_gd):
    return create_registration(actor=users["staff"], outlet=outlet_gd)


# -- 1. challenge re-roll ---------------------------------------------------------------------


def test_challenge_reroll(staff_client, draft, settings):
    # The rate limit is a second, separate defence (test_rate_limits): lifted here, so the
    # budget of the registration alone answers the hundred requests.
    settings.RATE_LIMITS = {}
    settings.VERIFICATION_CHALLENGE_ACTIONS = []  # random challenges, as in production
    consent_record(staff_client, draft)
    store_stand_in_portrait(draft)
    budget = settings.VERIFICATION_MAX_ATTEMPTS * settings.VERIFICATION_CHALLENGES_PER_ATTEMPT

    answers = [challenge_ask(staff_client, draft) for _ in range(100)]

    statuses = [answer.status_code for answer in answers]
    assert statuses == [201] * budget + [409] * (100 - budget), statuses
    assert {tuple(answer.json()["reasons"]) for answer in answers[budget:]} == {
        ("challenges_exhausted",)
    }
    issued = AuditEvent.objects.filter(action=Action.CHALLENGE_ISSUED, object_id=str(draft.pk))
    assert issued.count() == budget
    # The old space was 12 lists of two or three actions: every challenge now has five steps.
    drawn = [answer.json()["actions"] for answer in answers[:budget]]
    assert all(len(actions) == 5 for actions in drawn), drawn
    assert all(set(actions) <= set(reasons.ACTIONS) for actions in drawn)
    assert ["turn_left", "blink"] not in drawn


# -- 2. spliced clip --------------------------------------------------------------------------


@pytest.mark.slow  # runs the face engine on a cut of the shared clip
def test_spliced_clip(staff_client, draft, settings, tmp_path):
    settings.VERIFICATION_CHALLENGE_ACTIONS = ["blink", "turn_left"]
    # Windows the cut fits: its blinks come first (0-3.6 s), then the turn (from ~3.7 s).
    settings.VERIFICATION_CHALLENGE_SCHEDULE = [0.2, 3.6]
    settings.VERIFICATION_CHALLENGE_WINDOW_S = 2.5
    frames = [cv2.cvtColor(frame, cv2.COLOR_RGB2BGR) for frame in read_frames(CLIP)]
    height, width = frames[0].shape[:2]
    consent_record(staff_client, draft)
    portrait_upload(staff_client, draft)

    cut = frames[110:201] + frames[25:81]
    with memory_video(cut, 25.0, (width, height), tmp_path) as spliced:
        job = capture_upload(staff_client, draft, spliced)
    assert job.challenge.actions == ["blink", "turn_left"]
    run_job(job.pk)

    job.refresh_from_db()
    draft.refresh_from_db()
    assert job.outcome != "approved", job.reasons
    assert reasons.SPLICED_MEDIA in job.reasons
    assert draft.status != Registration.Status.APPROVED


# -- 3. superuser self-grant ------------------------------------------------------------------


def test_superuser_self_grant(client, users, outlet_gd):
    from django.contrib.auth.models import Group, Permission

    me = users["ministry_admin"]
    evidence = store_stand_in_portrait(
        create_registration(actor=users["staff"], outlet=outlet_gd, status="review")
    )
    sign_in(client, me)
    forged_password = "Forged-password-1234"
    change = f"/admin/accounts/user/{me.pk}/change/"
    data = {
        "username": me.username,
        "full_name": me.full_name,
        "email": me.email,
        "is_active": "on",
        "operator": "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": me.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": me.date_joined.strftime("%H:%M:%S"),
        "is_staff": "on",
        "is_superuser": "on",
        "user_permissions": list(Permission.objects.values_list("pk", flat=True)),
        "groups": list(Group.objects.values_list("pk", flat=True)),
        "password": forged_password,
        "password1": forged_password,
        "password2": forged_password,
    }
    response = client.post(change, data)
    # Saved without the forged fields (302) or refused (403): not a form error that would
    # hide whether they would have been saved.
    assert response.status_code in (302, 403), response.content[:2000]

    me = get_user_model().objects.get(pk=me.pk)  # no cached permissions
    assert not me.is_superuser
    assert not me.user_permissions.exists()
    assert set(me.groups.values_list("name", flat=True)) == {Role.MINISTRY_ADMIN.value}
    assert me.check_password(PASSWORD) and not me.check_password(forged_password)
    sign_in(client, me)
    assert client.get("/review/").status_code == 403
    grant = f"/registrations/{evidence.registration_id}/evidence/"
    assert client.post(grant, {"reason": "checking this case now"}).status_code == 403
    assert not ViewingGrant.objects.exists()


# -- 4. reviewer of own capture ---------------------------------------------------------------


def test_reviewer_of_own_capture(client, users, cmcc, outlet_gd, draft):
    colleague = user_create(
        username="staff_gd_2", password=PASSWORD, role=Role.OUTLET_STAFF, operator=cmcc,
        outlets=[outlet_gd],
    )  # fmt: skip
    staff_reviewer_set(actor=users["carrier_admin"], user=colleague, reviewer=True)
    store_stand_in_portrait(draft)  # the colleague who created it uploaded the portrait
    sign_in(client, colleague)
    consent_record(client, draft)
    webm = b"\x1a\x45\xdf\xa3" + b"\x00" * 64  # sniffed as a WebM recording
    capture_upload(client, draft, webm, name="capture.webm")
    # The engine was unsure: the case goes to review.
    draft = registration_services.registration_start_verification(registration=draft)
    registration_services.registration_decide(registration=draft, decision="review", reasons=[])

    page = client.get(f"/review/{draft.pk}/")
    assert page.status_code == 200
    assert "another reviewer must decide it" in page.content.decode()
    posted = client.post(f"/review/{draft.pk}/", {"decision": "approve", "note": "All fine"})
    assert posted.status_code == 400
    draft.refresh_from_db()
    assert draft.status == Registration.Status.REVIEW
    assert draft.decided_by is None


# -- 5. submit without evidence ---------------------------------------------------------------


def test_submit_without_evidence(staff_client, draft):
    response = staff_client.post(f"/registrations/{draft.pk}/submit/", follow=True)
    assert str(RegistrationCode.CAPTURE_REQUIRED.label) in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Registration.Status.DRAFT
    assert not draft.verification_jobs.exists()
    assert not BiometricEvidence.objects.filter(registration=draft).exists()


# -- 6. oversized clip ------------------------------------------------------------------------

# A worker: models loaded first (as at start-up), then the job's evidence, decrypted into
# memory; the engine's time and the process's peak RSS (KiB on Linux) reported.
WORKER = """
import json, resource, sys, time
from verification.engine import load_models, verify
from verification.memfile import memory_path
def peak_of_this_image():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1])
job = json.loads(sys.argv[1])
data = sys.stdin.buffer.read()
split = int.from_bytes(data[:8], "big")
load_models()
with memory_path(data[8 : 8 + split]) as portrait, memory_path(data[8 + split :]) as capture:
    started = time.perf_counter()
    result = verify(portrait=portrait, capture=capture, **job)
    wall_ms = (time.perf_counter() - started) * 1000.0
print(json.dumps({
    "decision": result.decision, "reasons": result.reasons, "details": result.details,
    "engine_ms": result.timings_ms.get("total"), "wall_ms": round(wall_ms, 1),
    "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "vm_hwm_kib": peak_of_this_image(),
}))
"""


def uhd_gradient(count: int):
    """Cheap to encode, every frame different (as test_cost_caps makes it)."""
    import numpy as np

    ramp = np.tile(np.arange(3840, dtype=np.uint16)[None, :], (2160, 1))
    for i in range(count):
        yield np.repeat(((ramp + 8 * i) % 256).astype(np.uint8)[:, :, None], 3, axis=2)


@pytest.mark.slow  # a worker process loads the face models
def test_oversized_clip(staff_client, draft, capsys, tmp_path):
    consent_record(staff_client, draft)
    portrait_upload(staff_client, draft)
    with memory_video(uhd_gradient(6), 60.0, (3840, 2160), tmp_path) as heavy:
        job = capture_upload(staff_client, draft, heavy)

    portrait = BiometricEvidence.objects.filter(
        registration=draft, kind=BiometricEvidence.Kind.PORTRAIT
    ).latest("created_at")
    capture = job.evidence.get(kind=BiometricEvidence.Kind.CAPTURE)
    portrait_bytes, capture_bytes = evidence_read(portrait), evidence_read(capture)
    arguments = {"challenge": job.challenge.actions, "schedule": job.challenge.schedule or None}
    worker = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", WORKER, json.dumps(arguments)],
        input=len(portrait_bytes).to_bytes(8, "big") + portrait_bytes + capture_bytes,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert worker.returncode == 0, worker.stderr.decode()[-2000:]
    report = json.loads(worker.stdout.decode().strip().splitlines()[-1])
    # The worker's own peak: /proc's high-water mark of its image. ru_maxrss would not do
    # here: Linux keeps a process's peak across exec, and the child starts as a copy of the
    # pytest process, so its ru_maxrss is at least pytest's peak.
    peak_mb = report["vm_hwm_kib"] / 1024.0
    figures = (
        f"oversized clip: {len(capture_bytes) / 1e6:.2f} MB, engine {report['engine_ms']} ms, "
        f"wall {report['wall_ms']} ms, worker peak RSS {peak_mb:.0f} MB "
        f"(ru_maxrss {report['ru_maxrss_kib'] / 1024.0:.0f} MB, inherited from pytest)"
    )
    with capsys.disabled():
        print(f"\n{figures}")

    assert report["decision"] == "fail", figures
    assert report["reasons"] == [reasons.UNREADABLE_MEDIA], (report["reasons"], figures)
    assert any(reasons.MEDIA_TOO_HEAVY in detail for detail in report["details"]), figures
    assert report["wall_ms"] < 1000 and report["engine_ms"] < 1000, figures
    assert peak_mb < 300, figures


# -- 7. 500 bad inputs with no 500 ------------------------------------------------------------

DRAWN_CASES = 500


@pytest.fixture
def world(users, outlet_gd, guangdong, draft):
    """What the bad-input walk's pages are built from (its ``world`` fixture, rebuilt)."""
    in_review = create_registration(actor=users["staff"], outlet=outlet_gd, status="review")
    submitted = create_registration(actor=users["staff"], outlet=outlet_gd, status="submitted")
    return {
        **users,
        "outlet_gd": outlet_gd,
        "guangdong": guangdong,
        "draft": draft,
        "review": in_review,
        "evidence": store_stand_in_portrait(in_review),
        "submitted": submitted,
    }


def every_case(world) -> list[tuple[str, str, int]]:
    """(page, field, index in the corpus) for every field of every page the walk knows."""
    cases = []
    for page, build in bad_input.PAGES.items():
        _method, _role, _url, valid, fields = build(world)
        for field in fields or list(valid):
            cases += [(page, field, index) for index in range(len(bad_input.CORPUS))]
    return cases


@pytest.mark.slow  # 500 requests
def test_500_bad_inputs_with_no_500(world, capsys):
    seed = int(os.environ.get("REPLAY_SEED") or random.SystemRandom().randrange(2**32))
    with capsys.disabled():
        print(f"\nbad inputs: REPLAY_SEED={seed}")
    cases = every_case(world)
    assert len(cases) >= DRAWN_CASES
    drawn = random.Random(seed).sample(cases, DRAWN_CASES)
    clients = {}
    crashes = []
    for page, field, index in drawn:
        method, role, url, valid, _fields = bad_input.PAGES[page](world)
        if role not in clients:
            clients[role] = bad_input.client_for(world[role] if role else None)
        value = bad_input.CORPUS[index]
        data = {**valid, field: value}
        if page == "capture upload":
            data["capture"] = SimpleUploadedFile("capture.webm", bad_input.WEBM)
        response = bad_input.isolated(getattr(clients[role], method), url, data)
        if response.status_code >= 500:
            crashes.append((page, field, repr(value)[:40], bad_input.crash(response)))
    with capsys.disabled():
        print(f"bad inputs: {len(drawn)} drawn from {len(cases)}, {len(crashes)} answered 500")
    assert not crashes, f"REPLAY_SEED={seed}\n" + "\n".join(map(str, crashes))


# -- 8. CSV injection -------------------------------------------------------------------------

HOSTILE_USERNAME = '=HYPERLINK("http://x","y")'
HOSTILE_REASON = "=1+2+cmd|' /C calc'!A0"


def test_csv_injection(client, users, cmcc, outlet_gd):
    hostile = user_create(
        username=HOSTILE_USERNAME, password=PASSWORD, role=Role.CARRIER_ADMIN, operator=cmcc
    )
    client.post("/accounts/login/", {"username": HOSTILE_USERNAME, "password": "wrong"})
    client.post("/accounts/login/", {"username": HOSTILE_USERNAME, "password": PASSWORD})
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="review")
    store_stand_in_portrait(registration)
    sign_in(client, hostile)
    opened = client.post(f"/registrations/{registration.pk}/evidence/", {"reason": HOSTILE_REASON})
    assert opened.status_code == 302, "a grant, recorded with the reason"

    sign_in(client, users["inspector"])
    response = client.get("/audit/export.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    cells = [cell for row in csv.reader(io.StringIO(body, newline="")) for cell in row]
    assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == []
    # Both values are in the file, as text.
    assert "'" + HOSTILE_REASON in cells
    assert "'" + HOSTILE_USERNAME in cells


# -- 9. forged evidence link ------------------------------------------------------------------

ZERO_WIDTH_SPACE = "\u200b"
CROSS_SITE = {
    "HTTP_SEC_FETCH_SITE": "cross-site",
    "HTTP_SEC_FETCH_MODE": "navigate",
    "HTTP_SEC_FETCH_DEST": "document",
    "HTTP_REFERER": "https://attacker.example/lure.html",
}


def test_forged_evidence_link(client, users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="review")
    for _ in range(3):
        store_stand_in_portrait(registration)
    sign_in(client, users["inspector"])
    page = f"/registrations/{registration.pk}/"

    response = client.get(f"{page}?reason=forged+reason+here", **CROSS_SITE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "/evidence/" not in html.replace(f"{page}evidence/", ""), "no evidence URL"
    assert "forged reason here" not in html
    opened = AuditEvent.objects.filter(
        action__in=[Action.VIEWING_GRANT_OPENED, Action.EVIDENCE_VIEWED]
    )
    assert not opened.exists()
    assert not ViewingGrant.objects.exists()

    refused = client.post(f"{page}evidence/", {"reason": ZERO_WIDTH_SPACE * 5})
    assert refused.status_code == 400
    assert not ViewingGrant.objects.exists()
    assert not opened.exists()
