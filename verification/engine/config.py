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
    """Caps on what the engine agrees to decode; anything over them is ``unreadable_media``.

    Pixel counts are checked from the file header, before any pixel is decoded.
    """

    max_image_bytes: int = 15 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    max_video_bytes: int = 100 * 1024 * 1024
    max_frame_pixels: int = 3840 * 2160
    max_duration_s: float = 30.0
    max_frames: int = 1800
    # Frames are analysed at this size at most (longer side); faces stay well over 100 px.
    work_max_side: int = 640

    def to_dict(self) -> dict:
        return asdict(self)


DEFAULT_THRESHOLDS = Thresholds()
DEFAULT_LIMITS = Limits()
