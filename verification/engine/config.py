"""Thresholds and limits, passed in by the caller; the defaults are documented here.

The match thresholds were calibrated on ``../shared/data`` (see README.md in this folder):
dlib 128-d encodings, Euclidean distance, 152 pairs. Same person: at most 0.523 (alex_lacamoire);
different people: at least 0.695; the 102x126 chip portrait against the frames of
blink_turn.mp4 chosen for the match: 0.23-0.33.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Every tunable number of a verification.

    Match (Euclidean distance between 128-d encodings):
      match_threshold: at or under it, the capture matches the portrait (and ``compare`` says
        ``same_person``). 0.55: above the largest same-person distance of the shared data
        (0.525), well under the smallest different-person one (0.686).
      review_threshold: above ``match_threshold`` and at or under this, the decision is
        ``review`` (a person decides); beyond it, ``no_match``. 0.62 covers dlib's own
        operating point (0.6) and stays under every different-person distance measured.
      identity_threshold: the largest distance allowed between two frames of the same capture.
        0.55 (frames of one clip are within 0.25 of each other in the shared clip).

    Quality:
      portrait_min_face_px: the face box (about brow-to-chin width) in the portrait, in pixels.
        48: an ID-chip portrait (102x126) has a ~70 px face.
      capture_min_face_px: the median face box in the capture, in the file's pixels. 80.
      min_sharpness: variance of the Laplacian of the face, resampled to 112x112 grey pixels.
        Shared data: portraits 91-1503 (the 102x126 chip: 91.5), the best capture frames of
        blink_turn.mp4: ~200-225; obama_1 blurred with a Gaussian of sigma = 1/300 of its
        size: 16.9. Default 30.
      min_face_visible_ratio: share of the analysed capture frames in which the face is found.

    Liveness:
      blink_ratio: a blink starts when the eye aspect ratio (EAR) falls under this fraction of
        the local open-eye baseline (the 80th percentile of EAR within +-1 s).
      blink_reopen_ratio: ... and ends when EAR is back over this fraction.
      blink_max_s: the longest closure that still counts as a blink (a squint or a wink held
        for a second is not one).
      blink_max_yaw_deg: closures on a head turned further than this are not blinks: the far
        eye foreshortens and its EAR dips by itself. Browser recordings of the shared clip
        showed such a dip mid-turn (yaw ~30 deg); its real blinks are under 20 deg.
      turn_yaw_deg: a head turn is seen when the yaw passes this many degrees to one side...
      turn_min_s: ... for at least this long.
      min_shape_motion: a face whose landmarks never leave an affine image of themselves (a flat
        picture moved, zoomed or tilted) is ``not_live``. The 95th percentile of the affine
        residual, in inter-ocular distances. A still photo zoomed and panned with noise: ~0.014;
        the shared clip: ~0.10.
      look_pitch_deg: a look up (down) is seen when the pitch passes this many degrees above
        (below) the capture's own level (the median pitch of its frontal frames: a camera held
        low or high shifts every pitch alike)...  The shared clip, which never looks up or down
        on purpose, stays within -9 and +13 degrees of its level (+13 as the head comes back
        from its turn); a deliberate nod is 20-30 degrees. Default 18.
      look_min_s: ... for at least this long.

    Schedule (when a challenge carries one: each action has a window of the recording):
      window_grace_s: the first part of each window in which the movement of the previous
        step may still be ending (a head coming back from a turn). A movement asked for must
        reach beyond it, and only a movement beyond it counts as "another movement" in the
        window. With it, a window admits at most one action: a movement in its core admits
        only that movement, no movement admits only a blink. So a fixed recording meets at most
        one sequence of actions for a given schedule (see README.md, "Challenges").

    Cuts (a recording cut and put together again, ``spliced_media``):
      cut_max_shift_iod: the largest move of the face (the mean of its 68 landmarks) between
        two consecutive decoded frames, in inter-ocular distances. The shared clip at every
        frame: at most 0.051 (0.118 between analysed frames 4 apart, in its fastest turn); its
        frames 110-200 then 25-80 put together: 0.66 at the joint. Default 0.2.
      cut_max_pose_deg: the largest change of yaw, pitch or roll between two consecutive
        decoded frames. The shared clip: at most 4.6 degrees (11.4 between analysed frames 4
        apart); the joint of the splice above: 14; the clip's end joined to its mirror image:
        ~28 (roll). Default 12.
        Analysed frames are ``analyse_every`` apart: a pair of them that moved more than these
        bounds is looked at again frame by frame (a second decoding up to that pair, landmarks
        on the few frames between them), and only a jump within one frame is a cut. The shared
        clip has no such pair, so it costs nothing there.

    Work:
      analyse_every: analyse every n-th decoded frame (and every frame around a possible blink).
      detect_every: run the face detector on every n-th analysed frame; track in between.
      identity_samples: how many frames spread over the capture are encoded.
    """

    match_threshold: float = 0.55
    review_threshold: float = 0.62
    identity_threshold: float = 0.55
    portrait_min_face_px: float = 48.0
    capture_min_face_px: float = 80.0
    min_sharpness: float = 30.0
    min_face_visible_ratio: float = 0.8
    blink_ratio: float = 0.75
    blink_reopen_ratio: float = 0.85
    blink_max_s: float = 0.5
    blink_max_yaw_deg: float = 20.0
    turn_yaw_deg: float = 15.0
    turn_min_s: float = 0.1
    min_shape_motion: float = 0.03
    look_pitch_deg: float = 18.0
    look_min_s: float = 0.1
    window_grace_s: float = 0.4
    cut_max_shift_iod: float = 0.2
    cut_max_pose_deg: float = 12.0
    analyse_every: int = 4
    detect_every: int = 10
    identity_samples: int = 2

    def __post_init__(self) -> None:
        if not 0 < self.match_threshold <= self.review_threshold:
            raise ValueError("need 0 < match_threshold <= review_threshold")
        if not 0 < self.blink_ratio < self.blink_reopen_ratio <= 1:
            raise ValueError("need 0 < blink_ratio < blink_reopen_ratio <= 1")
        if self.analyse_every < 1 or self.detect_every < 1 or self.identity_samples < 2:
            raise ValueError("analyse_every, detect_every >= 1 and identity_samples >= 2")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps on what the engine agrees to decode and to spend; over them is ``unreadable_media``.

    Pixel counts and the pixel rate are checked from the file header, before any frame is
    decoded; the pixel rate is checked again while decoding, against the frames' timestamps.

    Why these figures: a 3840x2160, 60 fps, 30 s MP4 (30 MB, within the byte, size, duration
    and frame caps alone) took 24-28 s of engine time and ~500 MB of worker memory, and three
    of them held a district's queue for over a minute. A capture is 6-10 s from a phone or a
    laptop camera: 1280x720 or 1920x1080 at 25-30 fps.

      max_frame_pixels: one frame (a video's, or an image array). 2560x1440: a 4K frame
        alone made the decoder hold over 300 MB (3840x2160 at 7 fps, under the pixel rate:
        366 MB peak RSS); 2560x1440 at 16 fps: 282 MB; 1920x1080 at 30 fps, 30 s: 268 MB.
      max_pixel_rate: width x height x frame rate, pixels per second of video. 1920x1080 at
        30 fps (62.2 M/s): every camera the portal is used with; decoding it costs ~0.12 s per
        second of clip on one core (the heaviest clip allowed, 30 s of it: 7.7 s in all,
        decode 3.6 s); 3840x2160 at 60 fps is 8 times the rate (refused in ~20 ms).
        While decoding, the pixels decoded may not exceed this rate over the time the frames'
        timestamps cover (plus ``pixel_rate_grace_s``), so a header that lies about its frame
        rate is caught after about a second of video.
      max_analysed_fps: frames analysed (landmarks, pose) per second of clip, on average, with
        one second's worth of head start. 15: twice the coarse rate at 25 fps (every 4th frame,
        6.25/s) plus the dense frames around the blinks of the shared clip; a 60 fps file gets
        its every 4th frame at most, a 120 fps one its every 8th, whatever ``analyse_every``
        says.
      work_max_side: frames are scaled to this longer side before any analysis (right after
        decoding, one frame at a time: no decoded frame is kept at its own size); faces stay
        well over 100 px.
    """

    max_image_bytes: int = 15 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    max_video_bytes: int = 100 * 1024 * 1024
    max_frame_pixels: int = 2560 * 1440
    max_duration_s: float = 30.0
    max_frames: int = 1800
    max_pixel_rate: int = 1920 * 1080 * 30
    pixel_rate_grace_s: float = 1.0
    max_analysed_fps: float = 15.0
    work_max_side: int = 640

    def __post_init__(self) -> None:
        if self.max_pixel_rate < 1 or self.max_analysed_fps <= 0 or self.pixel_rate_grace_s < 0:
            raise ValueError("need max_pixel_rate >= 1, max_analysed_fps > 0, grace >= 0")

    def to_dict(self) -> dict:
        return asdict(self)


DEFAULT_THRESHOLDS = Thresholds()
DEFAULT_LIMITS = Limits()
