"""Safe decoding: format by content, caps before decoding, reasons instead of tracebacks."""

from __future__ import annotations

import shutil
import struct
import time
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageFilter

from tests.verification.engine.makers import CLIP, CLIP_PORTRAIT, FACES, write_video
from verification.engine import Limits, MediaError, compare, load_image, verify
from verification.engine.media import Capture, _FrameClock, sniff


def png_claiming(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return b"\x89PNG\r\n\x1a\n" + ihdr + np.random.default_rng(3).bytes(4096)


@pytest.mark.parametrize("mode", ["RGBA", "L", "I;16", "LA", "P"])
def test_it_decodes_pngs_in_every_mode_to_rgb(tmp_path, mode):
    source = Image.open(FACES / "obama_small.jpg")
    if mode == "I;16":
        grey = np.asarray(source.convert("L"), dtype=np.uint16) * 257
        image = Image.fromarray(grey)
    elif mode == "P":
        image = source.convert("P", palette=Image.Palette.ADAPTIVE, colors=256)
    else:
        image = source.convert(mode)
    path = tmp_path / f"portrait_{mode.replace(';', '')}.png"
    image.save(path)
    rgb = load_image(path)
    assert rgb.dtype == np.uint8
    assert rgb.shape == (240, 320, 3)
    reference = np.asarray(source.convert("L"), dtype=np.float32)
    assert np.abs(rgb.mean(axis=2) - reference).mean() < 3.0


def test_it_finds_the_face_in_a_16_bit_grey_portrait(tmp_path):
    grey = np.asarray(Image.open(CLIP_PORTRAIT).convert("L"), dtype=np.uint16) * 257
    path = tmp_path / "chip16.png"
    Image.fromarray(grey).save(path)
    assert Image.open(path).mode.startswith("I")
    result = verify(portrait=path, capture=CLIP, challenge=["turn_left", "blink"])
    assert result.quality.portrait_faces == 1
    assert result.match.decision == "match"


def test_it_judges_the_format_by_content_not_by_name(tmp_path):
    disguised = tmp_path / "portrait.png"
    shutil.copy(FACES / "obama_small.jpg", disguised)  # a JPEG named .png
    assert load_image(disguised).shape == (240, 320, 3)
    assert sniff(CLIP.read_bytes()[:32]) == "webm"  # the shared .mp4 is a WebM (VP8) file


def test_it_refuses_a_text_file_named_jpg(tmp_path):
    fake = tmp_path / "portrait.jpg"
    fake.write_text("this is not a picture\n")
    with pytest.raises(MediaError, match="not a JPEG"):
        load_image(fake)
    result = verify(portrait=fake, capture=CLIP)
    assert result.decision == "fail"
    assert result.reasons[0] == "unreadable_media"


def test_it_refuses_a_png_claiming_50000_by_50000_pixels_before_decoding(tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_claiming(50000, 50000))
    started = time.perf_counter()
    with pytest.raises(MediaError, match="50000x50000"):
        load_image(bomb)
    assert time.perf_counter() - started < 0.5
    result = verify(portrait=bomb, capture=[np.zeros((64, 64, 3), np.uint8)])
    assert result.reasons[0] == "unreadable_media"
    assert "not decoded" in result.details[0]


def test_it_refuses_an_image_over_a_smaller_pixel_cap_too(tmp_path):
    with pytest.raises(MediaError, match="over the limit"):
        load_image(FACES / "obama_3.jpg", Limits(max_image_pixels=1_000_000))


def test_it_refuses_a_truncated_jpeg(tmp_path):
    cut = tmp_path / "cut.jpg"
    cut.write_bytes((FACES / "obama_1.jpg").read_bytes()[:5000])
    with pytest.raises(MediaError):
        load_image(cut)


def test_it_refuses_a_truncated_mp4(tmp_path, clip_frames):
    video = write_video(tmp_path / "whole.mp4", clip_frames[:50])
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(video.read_bytes()[: video.stat().st_size // 2])
    result = verify(portrait=CLIP_PORTRAIT, capture=cut)
    assert result.decision == "fail"
    assert result.reasons[-1] == "unreadable_media"


def test_it_refuses_the_shared_clip_cut_to_a_third(tmp_path):
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(CLIP.read_bytes()[: CLIP.stat().st_size // 3])
    result = verify(portrait=CLIP_PORTRAIT, capture=cut)
    assert result.reasons == ["unreadable_media"]
    assert "truncated" in result.details[0]


def test_it_decodes_mp4_and_mov_written_by_opencv(tmp_path, clip_frames):
    for name in ("capture.mp4", "capture.mov"):
        video = write_video(tmp_path / name, clip_frames[:40])
        frames = list(Capture(video))
        assert len(frames) == 40
        assert frames[0].image.shape == (336, 596, 3)
    assert sniff((tmp_path / "capture.mov").read_bytes()[:32]) == "mov"


def write_vfr_webm(
    path: Path, frames: list[np.ndarray], stamps_ms: list[int], timebase: int
) -> Path:
    """RGB frames to a VP8 WebM whose frame i is stamped ``stamps_ms[i]``, like a browser's
    variable-rate recording: the frames are encoded at a constant 25 fps, then their packets are
    written again one by one with OpenCV's raw-stream writer, which takes each packet's stamp in
    units of 1/``timebase`` s (the container then declares ``timebase`` as its rate)."""
    needed = ("VIDEOWRITER_PROP_RAW_VIDEO", "VIDEOWRITER_PROP_PTS", "CAP_PROP_LRF_HAS_KEY_FRAME")
    if not all(hasattr(cv2, name) for name in needed):
        pytest.skip("this OpenCV cannot write an encoded stream with stamps of our choice")
    height, width = frames[0].shape[:2]
    fourcc = cv2.VideoWriter_fourcc(*"VP80")
    constant = path.with_suffix(".cfr.webm")
    writer = cv2.VideoWriter(str(constant), cv2.CAP_FFMPEG, fourcc, 25.0, (width, height))
    assert writer.isOpened()
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    packets = cv2.VideoCapture(str(constant), cv2.CAP_FFMPEG, [cv2.CAP_PROP_FORMAT, -1])
    raw = [cv2.VIDEOWRITER_PROP_RAW_VIDEO, 1]
    writer = cv2.VideoWriter(str(path), cv2.CAP_FFMPEG, fourcc, timebase, (width, height), raw)
    assert writer.isOpened()
    for stamp in stamps_ms:
        ok, packet = packets.read()
        assert ok
        writer.set(cv2.VIDEOWRITER_PROP_KEY_FLAG, packets.get(cv2.CAP_PROP_LRF_HAS_KEY_FRAME))
        writer.set(cv2.VIDEOWRITER_PROP_PTS, stamp * timebase / 1000)
        writer.write(packet)
    packets.release()
    writer.release()
    return path


def moving_square_frames(count: int) -> list[np.ndarray]:
    frames = []
    for i in range(count):
        frame = np.full((120, 160, 3), 40, np.uint8)
        frame[30:70, 2 * i : 2 * i + 40] = (200, 120, 60)
        frames.append(frame)
    return frames


# (time base, stamps in ms). 25: a 15 fps recording on a 40 ms grid (frames 40 or 80 ms apart),
# which FFmpeg reads as 25 fps, and whose declared frame count is its duration times 25.
# 1000: uneven gaps and a stall, read as 1000 fps (untrusted: the engine assumed 25).
_VFR_STAMPS = {
    25: [40 * i for i in range(100) if i % 5 in (0, 2, 3)],
    1000: list(np.cumsum([0] + [33, 41, 67, 35, 120, 48] * 8 + [400, 66, 71, 59])),
}


@pytest.mark.parametrize("timebase", sorted(_VFR_STAMPS))
def test_frame_times_follow_the_stamps_of_a_variable_rate_webm(tmp_path, timebase):
    stamps = [int(stamp) for stamp in _VFR_STAMPS[timebase]]
    frames = moving_square_frames(len(stamps))
    video = write_vfr_webm(tmp_path / "browser.webm", frames, stamps, timebase)
    probe = cv2.VideoCapture(str(video), cv2.CAP_FFMPEG)
    container_fps = probe.get(cv2.CAP_PROP_FPS)
    probe.release()
    assert container_fps in (25.0, 1000.0)  # the rate FFmpeg reads says nothing of the stamps
    capture = Capture(video)
    decoded = list(capture)
    assert [frame.index for frame in decoded] == list(range(len(stamps)))
    assert [frame.time_s for frame in decoded] == pytest.approx([s / 1000 for s in stamps])
    assert capture.info.fps == pytest.approx((len(stamps) - 1) * 1000 / stamps[-1])
    assert np.abs(decoded[10].image.astype(int) - frames[10][:, :, ::-1]).mean() < 8


def test_the_frame_clock_steps_by_the_rate_where_stamps_are_missing_or_go_back():
    clock = _FrameClock(25.0)  # a stream without stamps (OpenCV reads them as 0)
    assert [clock.tick(0.0) for _ in range(4)] == pytest.approx([0.0, 0.04, 0.08, 0.12])
    clock = _FrameClock(25.0)
    stamps = [1000.0, 1100.0, 1200.0, 1150.0, float("nan"), 1500.0, 1501.0]
    # Counted from the first frame; a stamp that goes back, is missing or comes 1 ms after the
    # previous frame is one frame later at the measured 10 fps.
    assert [clock.tick(ms) for ms in stamps] == pytest.approx([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    assert clock.fps == pytest.approx(10.0)


def test_it_still_refuses_a_variable_rate_webm_cut_short(tmp_path):
    stamps = _VFR_STAMPS[25]
    video = write_vfr_webm(tmp_path / "whole.webm", moving_square_frames(len(stamps)), stamps, 25)
    cut = tmp_path / "cut.webm"
    cut.write_bytes(video.read_bytes()[: video.stat().st_size // 2])
    with pytest.raises(MediaError, match="truncated"):
        list(Capture(cut))


def test_a_15_fps_recording_of_the_clip_passes_on_the_clips_timeline(tmp_path, clip_frames):
    kept = [i for i in range(len(clip_frames)) if i % 5 in (0, 2, 3)]  # 151 frames, ~15 fps
    frames = [clip_frames[i] for i in kept]
    video = write_vfr_webm(tmp_path / "browser.webm", frames, [40 * i for i in kept], 25)
    result = verify(portrait=CLIP_PORTRAIT, capture=video, challenge=["turn_left", "blink"])
    assert result.decision == "pass", result.reasons
    assert result.quality.frames_decoded == 151
    assert result.quality.capture_fps == pytest.approx(15.0, abs=0.05)
    turn = next(e for e in result.liveness.events if e["action"] == "turn_left")
    assert turn["time_s"] == pytest.approx(1.12, abs=0.1)  # 1.12 s in the clip itself


def test_it_refuses_a_capture_longer_than_the_cap(clip_frames):
    with pytest.raises(MediaError, match="longer than"):
        Capture(clip_frames, Limits(max_duration_s=5.0))
    result = verify(portrait=CLIP_PORTRAIT, capture=CLIP, limits=Limits(max_frames=100))
    assert result.reasons == ["unreadable_media"]


def test_it_refuses_a_picture_given_as_capture_and_a_video_given_as_portrait():
    assert verify(portrait=CLIP_PORTRAIT, capture=CLIP_PORTRAIT).reasons == ["unreadable_media"]
    assert verify(portrait=CLIP, capture=[np.zeros((64, 64, 3), np.uint8)]).reasons[0] == (
        "unreadable_media"
    )


@pytest.mark.parametrize(
    "frames",
    [[], ["not an array"], [np.zeros((10, 10, 3), np.float32)], [np.zeros((4, 4, 5), np.uint8)]],
)
def test_it_refuses_a_malformed_frame_list(frames):
    result = verify(portrait=CLIP_PORTRAIT, capture=frames)
    assert result.decision == "fail"
    assert result.reasons == ["unreadable_media"]


def test_it_says_no_face_for_a_capture_without_one():
    blank = [np.full((240, 320, 3), 128, np.uint8)] * 30
    result = verify(portrait=CLIP_PORTRAIT, capture=blank)
    assert result.reasons == ["no_face"]


def test_it_says_too_blurry_for_a_blurred_portrait(tmp_path):
    image = Image.open(FACES / "obama_1.jpg")
    blurred = tmp_path / "blurred.jpg"
    image.filter(ImageFilter.GaussianBlur(image.size[1] / 300)).save(blurred)
    result = compare(blurred, FACES / "obama_1.jpg")
    assert result.reasons == ["too_blurry"]
    assert compare(FACES / "obama_1.jpg", FACES / "obama_2.jpg").reasons == []


def test_it_says_face_too_small_for_a_tiny_portrait(tmp_path):
    tiny = tmp_path / "tiny.png"
    Image.open(FACES / "obama_small.jpg").resize((80, 60)).save(tiny)
    result = compare(tiny, FACES / "obama_1.jpg")
    assert "face_too_small" in result.reasons
