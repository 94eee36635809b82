"""Safe decoding of portraits and captures.

The format is judged by the first bytes of the file (never by its name), sizes are checked
before anything is decoded (the pixel count comes from the image header or the video stream
parameters), and every failure becomes a ``MediaError`` carrying the reason
``unreadable_media`` and a short human-readable detail: never a traceback.

Images: JPEG and PNG, in any mode Pillow reads (RGB, RGBA, palette, grey, 16-bit grey), with
EXIF orientation applied. They come back as ``uint8`` RGB arrays of shape (H, W, 3).

Captures: WebM (VP8/VP9), MP4 (H.264, MPEG-4) and QuickTime MOV, decoded once by OpenCV's
FFmpeg backend, or a list of frames (RGB or grey ``uint8`` arrays). A video frame's time is its
timestamp in the stream (browsers record at a variable frame rate), see ``_FrameClock``.

What a capture may cost is capped (``Limits``): its pixel rate (width x height x frame rate)
from the header, before a single frame is decoded, then against the frames' timestamps while
decoding; and how many frames per second are handed over for analysis (``_AnalysisBudget``).
A capture over a cost cap is ``unreadable_media`` whose detail starts with ``media_too_heavy``.
"""

from __future__ import annotations

import contextlib
import math
import os
import struct
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .config import DEFAULT_LIMITS, Limits
from .reasons import MEDIA_TOO_HEAVY, UNREADABLE_MEDIA

JPEG = "jpeg"
PNG = "png"
WEBM = "webm"
MP4 = "mp4"
MOV = "mov"
IMAGE_KINDS = (JPEG, PNG)
VIDEO_KINDS = (WEBM, MP4, MOV)

# ISO base media boxes that may open a QuickTime file written without an ``ftyp`` box.
_QUICKTIME_FIRST_BOXES = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
_JPEG_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


class MediaError(Exception):
    """A file (or array) the engine refuses to decode; ``reason`` is ``unreadable_media``."""

    reason = UNREADABLE_MEDIA

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def _too_heavy(name: str, why: str) -> MediaError:
    return MediaError(f"{name}: {MEDIA_TOO_HEAVY}: {why}")


def _check_pixel_rate(name: str, width: int, height: int, fps: float, limits: Limits) -> None:
    """Refuse, from the header alone, a capture that would cost more to decode than allowed."""
    rate = width * height * fps
    if rate > limits.max_pixel_rate:
        raise _too_heavy(
            name,
            f"{width}x{height} at {fps:g} fps is {rate / 1e6:.0f} Mpixel/s, over the limit of "
            f"{limits.max_pixel_rate / 1e6:.0f} (not decoded)",
        )


class _AnalysisBudget:
    """At most ``max_analysed_fps`` frames per second of capture go to analysis, on average
    over the capture so far, with one second's worth of head start: the dense analysis around
    a blink may spend what the coarse frames before it left, but the total stays within
    ``max_analysed_fps x (duration + 1 s)`` whatever the frame rate or the tracker asks."""

    def __init__(self, max_fps: float):
        self.max_fps = max_fps
        self.granted = 0

    def grant(self, time_s: float) -> bool:
        if self.granted >= self.max_fps * (time_s + 1.0):
            return False
        self.granted += 1
        return True


def sniff(head: bytes) -> str | None:
    """The media kind from the first bytes of a file, or None when it is none we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM  # EBML: WebM or Matroska
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return MOV if head[8:12] == b"qt  " else MP4
    if len(head) >= 8 and head[4:8] in _QUICKTIME_FIRST_BOXES:
        return MOV
    return None


def _open_checked(path: str | os.PathLike, max_bytes: int) -> tuple[Path, str, int]:
    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise MediaError(f"{path.name}: not a regular file")
        with path.open("rb") as handle:
            head = handle.read(32)
    except OSError as error:
        raise MediaError(f"{path.name}: cannot be read ({error.strerror or error})") from None
    if size == 0:
        raise MediaError(f"{path.name}: empty file")
    if size > max_bytes:
        raise MediaError(f"{path.name}: {size} bytes, over the limit of {max_bytes}")
    kind = sniff(head)
    if kind is None:
        raise MediaError(f"{path.name}: not a JPEG, PNG, WebM, MP4 or MOV file")
    return path, kind, size


def png_dimensions(path: Path) -> tuple[int, int, int]:
    """(width, height, bit depth) from a PNG's IHDR chunk, whose CRC is checked."""
    with path.open("rb") as handle:
        data = handle.read(33)
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise MediaError(f"{path.name}: PNG without a header chunk")
    (length,) = struct.unpack(">I", data[8:12])
    if length != 13:
        raise MediaError(f"{path.name}: malformed PNG header chunk")
    width, height, depth = struct.unpack(">IIB", data[16:25])
    (crc,) = struct.unpack(">I", data[29:33])
    if zlib.crc32(data[12:29]) != crc:
        raise MediaError(f"{path.name}: corrupt PNG header chunk")
    return width, height, depth


def jpeg_dimensions(path: Path) -> tuple[int, int]:
    """(width, height) from the first start-of-frame marker of a JPEG."""
    with path.open("rb") as handle:
        handle.read(2)
        for _ in range(10_000):
            byte = handle.read(1)
            while byte == b"\xff":
                byte = handle.read(1)
            if not byte:
                break
            marker = byte[0]
            if marker in (0x01, *range(0xD0, 0xD8)):
                continue  # markers without a length
            raw = handle.read(2)
            if len(raw) < 2:
                break
            (length,) = struct.unpack(">H", raw)
            if length < 2:
                break
            if marker in _JPEG_SOF_MARKERS:
                body = handle.read(5)
                if len(body) < 5:
                    break
                height, width = struct.unpack(">HH", body[1:5])
                return width, height
            if marker == 0xDA:
                break  # start of scan before any frame header
            handle.seek(length - 2, os.SEEK_CUR)
    raise MediaError(f"{path.name}: JPEG without a readable frame header")


def _check_pixels(name: str, width: int, height: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0:
        raise MediaError(f"{name}: empty image ({width}x{height})")
    if width * height > max_pixels:
        raise MediaError(
            f"{name}: {width}x{height} pixels, over the limit of {max_pixels} (not decoded)"
        )


def _pil_to_rgb(image: Image.Image) -> np.ndarray:
    """Any Pillow mode to uint8 RGB; transparency is composed over white."""
    mode = image.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        values = np.asarray(image).astype(np.float32)
        scale = 257.0 if mode != "I" or values.max(initial=0) > 255 else 1.0
        grey = np.clip(values / scale + 0.5, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    if mode == "F":
        grey = np.clip(np.asarray(image), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    if mode in ("RGBA", "LA", "PA", "La", "RGBa") or (mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return np.ascontiguousarray(np.asarray(image.convert("RGB"), dtype=np.uint8))


def load_image(
    source: str | os.PathLike | np.ndarray, limits: Limits = DEFAULT_LIMITS
) -> np.ndarray:
    """A portrait as a uint8 RGB array; raises MediaError when it cannot or may not be decoded."""
    if isinstance(source, np.ndarray):
        return as_rgb_frame(source, limits, name="portrait array")
    path, kind, _ = _open_checked(source, limits.max_image_bytes)
    if kind not in IMAGE_KINDS:
        raise MediaError(f"{path.name}: a {kind} video where a JPEG or PNG image was expected")
    width, height = png_dimensions(path)[:2] if kind == PNG else jpeg_dimensions(path)
    _check_pixels(path.name, width, height, limits.max_image_pixels)
    try:
        with Image.open(path, formats=["JPEG", "PNG"]) as image:
            if image.size != (width, height):
                raise MediaError(f"{path.name}: inconsistent image header")
            image.load()
            # A broken EXIF block only loses the rotation.
            with contextlib.suppress(Exception):
                image = ImageOps.exif_transpose(image)
            return _pil_to_rgb(image)
    except MediaError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise MediaError(f"{path.name}: cannot be decoded ({error})") from None
    except Exception as error:  # noqa: BLE001 - Pillow plugins raise many types on bad input
        raise MediaError(f"{path.name}: cannot be decoded ({type(error).__name__})") from None


def as_rgb_frame(
    array: np.ndarray, limits: Limits = DEFAULT_LIMITS, *, name: str = "frame"
) -> np.ndarray:
    """A caller's array (RGB, RGBA or grey; uint8 or uint16) as contiguous uint8 RGB."""
    if not isinstance(array, np.ndarray) or array.ndim not in (2, 3):
        raise MediaError(f"{name}: not an image array")
    if array.ndim == 3 and array.shape[2] not in (1, 3, 4):
        raise MediaError(f"{name}: {array.shape[2]} channels")
    height, width = array.shape[:2]
    _check_pixels(name, width, height, limits.max_frame_pixels)
    if array.dtype == np.uint16:
        array = (array / 257.0 + 0.5).astype(np.uint8)
    elif array.dtype != np.uint8:
        raise MediaError(f"{name}: pixel type {array.dtype}, expected uint8 or uint16")
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    elif array.shape[2] == 1:
        array = np.repeat(array, 3, axis=2)
    elif array.shape[2] == 4:
        alpha = array[:, :, 3:4].astype(np.float32) / 255.0
        array = (array[:, :, :3] * alpha + 255.0 * (1.0 - alpha) + 0.5).astype(np.uint8)
    return np.ascontiguousarray(array)


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded frame. ``image`` is BGR for decoded videos and RGB for frame lists."""

    index: int
    time_s: float
    image: np.ndarray
    bgr: bool


@dataclass(slots=True)
class CaptureInfo:
    kind: str
    width: int
    height: int
    fps: float
    declared_frames: int
    decoded_frames: int = 0


# Two frames stamped closer than this are not a camera's (over 500 frames a second): the later
# stamp is then not believed.
_MIN_FRAME_GAP_S = 0.002


class _FrameClock:
    """The time of each decoded frame, from the stream's timestamps while they move forward.

    A browser's MediaRecorder writes WebM at a variable frame rate, usually with no rate or
    duration in the container, and FFmpeg then guesses one from the first frames (a 15 fps
    recording reads as 25 fps, a 25 fps one sometimes as 200): ``index / fps`` would squeeze or
    stretch every duration liveness measures. A frame without a usable stamp (missing, or not
    after the previous frame) is put one frame later, at the rate measured so far; until two
    frames are in, that rate is the container's.
    """

    def __init__(self, nominal_fps: float):
        self.nominal_fps = nominal_fps
        self.origin: float | None = None
        self.frames = 0
        self.last_s = 0.0

    @property
    def fps(self) -> float:
        """The frame rate measured over the frames so far."""
        if self.frames < 2 or self.last_s <= 0.0:
            return self.nominal_fps
        return (self.frames - 1) / self.last_s

    def tick(self, stamp_ms: float) -> float:
        """The time of the next frame, given its stamp (``CAP_PROP_POS_MSEC`` after a grab)."""
        stamp_s = stamp_ms / 1000.0 if math.isfinite(stamp_ms) else None
        if self.frames == 0:
            self.origin, time_s = stamp_s, 0.0  # times count from the first frame
        else:
            time_s = self._since_origin(stamp_s)
            if time_s is None or time_s < self.last_s + _MIN_FRAME_GAP_S:
                time_s = self.last_s + 1.0 / self.fps
        self.frames += 1
        self.last_s = time_s
        return time_s

    def _since_origin(self, stamp_s: float | None) -> float | None:
        if stamp_s is None or self.origin is None:
            return None
        return stamp_s - self.origin


def _truncated(info: CaptureInfo, clock: _FrameClock) -> bool:
    """Fewer frames than the container declares, over a shorter time than it declares.

    A variable-rate WebM that has a duration declares its duration times a guessed rate (a
    15 fps browser recording of 10 s: 251 frames at a guessed 25 fps, for 151 real frames), so
    the count alone would call it truncated; the time its frames reach does not fall short.
    """
    if not info.declared_frames or info.decoded_frames >= 0.9 * info.declared_frames - 2:
        return False
    declared_s = info.declared_frames / clock.nominal_fps
    return clock.last_s < 0.9 * declared_s - 2 / clock.nominal_fps


class Capture:
    """A capture to iterate over once: a video file or a list of frames."""

    def __init__(
        self,
        source: str | os.PathLike | Sequence[np.ndarray],
        limits: Limits = DEFAULT_LIMITS,
        *,
        fps: float | None = None,
    ):
        self.limits = limits
        self._frames: Sequence[np.ndarray] | None = None
        self._path: Path | None = None
        if isinstance(source, str | os.PathLike):
            self._path, kind, _ = _open_checked(source, limits.max_video_bytes)
            if kind not in VIDEO_KINDS:
                raise MediaError(f"{self._path.name}: a {kind} image where a video was expected")
            self.info = CaptureInfo(kind=kind, width=0, height=0, fps=0.0, declared_frames=0)
        elif isinstance(source, Sequence) and not isinstance(source, bytes | bytearray):
            if len(source) == 0:
                raise MediaError("empty frame list")
            if len(source) > limits.max_frames:
                raise MediaError(f"{len(source)} frames, over the limit of {limits.max_frames}")
            rate = float(fps or 25.0)
            if not 1.0 <= rate <= 240.0:
                raise MediaError(f"frame rate {rate} out of range")
            if len(source) / rate > limits.max_duration_s:
                raise MediaError(f"capture longer than {limits.max_duration_s:g} s")
            first = source[0]
            if not isinstance(first, np.ndarray) or first.ndim not in (2, 3):
                raise MediaError("frame 0: not an image array")
            _check_pixel_rate("frame list", first.shape[1], first.shape[0], rate, limits)
            self._frames = source
            self.info = CaptureInfo(
                kind="frames",
                width=int(first.shape[1]),
                height=int(first.shape[0]),
                fps=rate,
                declared_frames=len(source),
            )
        else:
            raise MediaError("a capture is a video file path or a list of frames")

    def __iter__(self) -> Iterator[Frame]:
        return self.frames()

    def frames(self, wanted: Callable[[int], bool] | None = None) -> Iterator[Frame]:
        """Every frame, in order; with ``wanted`` (analysis), only the frames it accepts and the
        analysis budget allows (``Limits.max_analysed_fps``) are converted to pixels (a video is
        still decoded in full, as its frames depend on each other), and ``None`` is yielded in
        place of the others."""
        if self._frames is not None:
            return self._iter_frames(wanted)
        return self._iter_video(wanted)

    def _iter_frames(self, wanted: Callable[[int], bool] | None) -> Iterator[Frame | None]:
        assert self._frames is not None
        budget = _AnalysisBudget(self.limits.max_analysed_fps)
        for index, array in enumerate(self._frames):
            self.info.decoded_frames = index + 1
            if wanted is not None and not (wanted(index) and budget.grant(index / self.info.fps)):
                yield None
                continue
            rgb = as_rgb_frame(array, self.limits, name=f"frame {index}")
            yield Frame(index=index, time_s=index / self.info.fps, image=rgb, bgr=False)

    def _open_video(self) -> cv2.VideoCapture:
        assert self._path is not None
        capture = cv2.VideoCapture(str(self._path), cv2.CAP_FFMPEG)
        if not capture.isOpened():
            capture.release()
            raise MediaError(
                f"{self._path.name}: the video cannot be opened (damaged or truncated)"
            )
        return capture

    def _iter_video(self, wanted: Callable[[int], bool] | None) -> Iterator[Frame | None]:
        assert self._path is not None
        name, limits, info = self._path.name, self.limits, self.info
        capture = self._open_video()
        try:
            info.width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
            info.height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
            if info.width <= 0 or info.height <= 0:
                raise MediaError(f"{name}: empty video ({info.width}x{info.height})")
            fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
            trusted_rate = 5.0 <= fps <= 120.0
            info.fps = fps if trusted_rate else 25.0
            declared = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
            info.declared_frames = declared if trusted_rate and declared > 0 else 0
            if info.declared_frames / info.fps > limits.max_duration_s + 0.5:
                raise MediaError(f"{name}: capture longer than {limits.max_duration_s:g} s")
            # The container's rate when it is believable; else browsers' usual 25 (checked
            # again below against the timestamps, which a header cannot fake away).
            _check_pixel_rate(name, info.width, info.height, info.fps, limits)
            if info.width * info.height > limits.max_frame_pixels:
                raise _too_heavy(
                    name,
                    f"{info.width}x{info.height} frames, over the limit of "
                    f"{limits.max_frame_pixels} pixels (not decoded)",
                )
            clock = _FrameClock(info.fps)
            budget = _AnalysisBudget(limits.max_analysed_fps)
            index = 0
            while capture.grab():
                if index >= limits.max_frames:
                    raise MediaError(f"{name}: more than {limits.max_frames} frames")
                time_s = clock.tick(capture.get(cv2.CAP_PROP_POS_MSEC))
                info.fps = clock.fps
                if time_s > limits.max_duration_s:
                    raise MediaError(f"{name}: capture longer than {limits.max_duration_s:g} s")
                self._check_decoded_rate(index + 1, time_s)
                if wanted is not None and not (wanted(index) and budget.grant(time_s)):
                    index += 1
                    info.decoded_frames = index
                    yield None
                    continue
                ok, image = capture.retrieve()
                if not ok or image is None:
                    break
                if image.shape[0] * image.shape[1] > limits.max_frame_pixels:
                    raise MediaError(f"{name}: frame {index} over the pixel limit")
                index += 1
                info.decoded_frames = index
                yield Frame(index=index - 1, time_s=time_s, image=image, bgr=True)
        finally:
            capture.release()
        if info.decoded_frames == 0:
            raise MediaError(f"{name}: no frame could be decoded")
        if _truncated(info, clock):
            raise MediaError(
                f"{name}: truncated ({info.decoded_frames} of {info.declared_frames} frames)"
            )

    def _check_decoded_rate(self, frames: int, time_s: float) -> None:
        """The pixels decoded so far against the pixel rate over the time they cover: frames
        stamped closer together than their header's rate said (or than any camera records)."""
        info, limits = self.info, self.limits
        allowed = limits.max_pixel_rate * (time_s + limits.pixel_rate_grace_s)
        if frames * info.width * info.height > allowed:
            raise _too_heavy(
                self._path.name if self._path else "capture",
                f"{frames} frames of {info.width}x{info.height} within {time_s:.2f} s, over "
                f"{limits.max_pixel_rate / 1e6:.0f} Mpixel/s",
            )
