"""A real browser (Debian's Chromium, driven by Playwright) against a live server."""

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chromium_executable() -> str:
    """Debian's Chromium (never a downloaded one): skip without it, except on CI."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium must be installed on CI (apt-get install chromium)")
        pytest.skip("Chromium is not installed")
    return executable


@pytest.fixture(scope="session")
def playwright():
    """One Playwright driver for the session: its sync API allows only one per thread."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(
        executable_path=chromium_executable(), headless=True, args=CHROMIUM_FLAGS
    )
    yield browser
    browser.close()


def write_y4m(path: Path, frames_rgb, fps: int = 25) -> Path:
    """RGB frames (same even size) to a YUV4MPEG2 file, what Chromium's fake camera plays."""
    import cv2

    height, width = frames_rgb[0].shape[:2]
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames_rgb:
            out.write(b"FRAME\n")
            out.write(cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420).tobytes())
    return path


@pytest.fixture(scope="session")
def camera_browser(playwright, tmp_path_factory):
    """``camera_browser(y4m)``: a Chromium whose camera plays that file in a loop.

    One browser per file, launched on first use and closed at the end of the session; the
    camera permission is granted without a prompt.
    """
    browsers = {}

    def launch(y4m: Path):
        if y4m not in browsers:
            flags = [
                *CHROMIUM_FLAGS,
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={y4m}",
            ]
            browsers[y4m] = playwright.chromium.launch(
                executable_path=chromium_executable(), headless=True, args=flags
            )
        return browsers[y4m]

    yield launch
    for browser in browsers.values():
        browser.close()


@pytest.fixture
def camera_page(camera_browser, live_server):
    """``camera_page(y4m)``: a page of a new context in the browser whose camera plays y4m."""
    contexts = []

    def open_page(y4m: Path):
        context = camera_browser(y4m).new_context(viewport={"width": 1280, "height": 900})
        context.grant_permissions(["camera"], origin=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(request):
    """Save a numbered screenshot of a page (``page`` unless another is given) as an artifact."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def take(step: str, page=None) -> Path:
        page = page or request.getfixturevalue("page")
        path = folder / f"{next(counter):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# --- Signing in as a person does: the password, then the authenticator app's code ---------


def authenticator_code(device) -> str:
    """What the authenticator app holding ``device``'s key shows: the current code, or, if
    that one was just spent (django-otp takes each once), the next one, which it accepts."""
    import time

    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if totp.t() <= device.last_t:
        totp.time = time.time() + device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def enrolled_app(user):
    """The account's authenticator app, enrolled beforehand as its owner once did."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def sign_in_through_the_pages(page, live_server, username, password=None):
    """The sign-in form, then, for an account that needs one, the second-factor page with
    the code of its app (enrolled first if it had none)."""
    from portal.accounts.models import User
    from portal.accounts.permissions import second_factor_required
    from portal.accounts.second_factor import has_second_factor
    from tests.factories import PASSWORD

    user = User.objects.get(username=username)
    device = enrolled_app(user) if second_factor_required(user) else None
    if device is None and has_second_factor(user):
        device = enrolled_app(user)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or PASSWORD)
    page.click("main button[type=submit]")  # not the header's language switch
    if device is not None:
        page.wait_for_selector("#id_code")
        page.fill("#id_code", authenticator_code(device))
        page.click("button:has-text('Verify')")
    page.wait_for_selector("text=Sign out")
