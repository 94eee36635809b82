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
