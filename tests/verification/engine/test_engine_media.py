"""Safe decoding: format by content, caps before decoding, reasons instead of tracebacks."""

from __future__ import annotations

import shutil
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFilter

from tests.verification.engine.makers import CLIP, CLIP_PORTRAIT, FACES, write_video
from verification.engine import Limits, MediaError, compare, load_image, verify
from verification.engine.media import Capture, sniff


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
