"""Face geometry on numpy arrays: detection, landmarks, encodings and the measures built on them.

Coordinates are pixels of the image they were computed on, (x, y) with y downwards. Landmarks
are dlib's 68-point layout (iBUG 300-W): 36-41 the eye on the image's left, 42-47 the eye on
the image's right, 30 the nose tip, 8 the chin, 48/54 the mouth corners.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import dlib
import numpy as np

from . import models

# Generic 3D face (millimetre-like units, x to the face's left-of-image, y up, z out of the
# face), for the nose tip, chin, outer eye corners and mouth corners.
_MODEL_3D = np.array(
    [
        (0.0, 0.0, 0.0),
        (0.0, -330.0, -65.0),
        (-225.0, 170.0, -135.0),
        (225.0, 170.0, -135.0),
        (-150.0, -150.0, -125.0),
        (150.0, -150.0, -125.0),
    ]
)
_MODEL_POINTS = [30, 8, 36, 45, 48, 54]
# Landmarks that a flat picture moves as one affine block: brows, nose, eyes and mouth.
_INNER = np.arange(17, 68)


@dataclass(frozen=True, slots=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def size(self) -> float:
        return (self.width + self.height) / 2.0

    @property
    def center(self) -> tuple[float, float]:
        return (self.left + self.right) / 2.0, (self.top + self.bottom) / 2.0

    def scaled(self, factor: float) -> Box:
        return Box(self.left * factor, self.top * factor, self.right * factor, self.bottom * factor)

    def rect(self) -> dlib.rectangle:
        return dlib.rectangle(
            int(round(self.left)),
            int(round(self.top)),
            int(round(self.right)),
            int(round(self.bottom)),
        )

    def iou(self, other: Box) -> float:
        width = min(self.right, other.right) - max(self.left, other.left)
        height = min(self.bottom, other.bottom) - max(self.top, other.top)
        if width <= 0 or height <= 0:
            return 0.0
        inter = width * height
        return inter / (self.width * self.height + other.width * other.height - inter)

    @classmethod
    def from_rect(cls, rect: dlib.rectangle, factor: float = 1.0) -> Box:
        return cls(rect.left(), rect.top(), rect.right(), rect.bottom()).scaled(factor)


def to_grey(image: np.ndarray, *, bgr: bool = False) -> np.ndarray:
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY if bgr else cv2.COLOR_RGB2GRAY)


def resize(image: np.ndarray, factor: float) -> np.ndarray:
    if abs(factor - 1.0) < 1e-6:
        return image
    interpolation = cv2.INTER_AREA if factor < 1.0 else cv2.INTER_LINEAR
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=interpolation)


def detect(grey: np.ndarray, *, long_side: int, upsample: int) -> list[Box]:
    """Faces found by dlib's HOG detector on ``grey`` scaled to ``long_side`` (boxes in
    ``grey``'s pixels).

    With ``upsample=1`` the detector sees faces down to ~40 px of the scaled image, i.e. about
    ``40 / long_side`` of the image's longer side.
    """
    factor = long_side / max(grey.shape[:2])
    rects = models.detector()(resize(grey, factor), upsample)
    return [Box.from_rect(rect, 1.0 / factor) for rect in rects]


def landmarks(grey: np.ndarray, box: Box) -> np.ndarray:
    """The 68 landmarks inside ``box`` as a (68, 2) float array."""
    shape = models.landmarks68()(grey, box.rect())
    return np.array([(point.x, point.y) for point in shape.parts()], dtype=np.float64)


def box_from_landmarks(points: np.ndarray) -> Box:
    """The box the detector would draw around a face with these landmarks (calibrated on the
    shared data: detector boxes are ~1.08 times the landmarks' extent, ~9 % higher)."""
    low = points.min(axis=0)
    high = points.max(axis=0)
    extent = high - low
    side = 1.08 * float(max(extent))
    cx = (low[0] + high[0]) / 2.0
    cy = (low[1] + high[1]) / 2.0 - 0.09 * extent[1]
    return Box(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)


def eye_aspect_ratio(points: np.ndarray) -> float:
    """Mean eye aspect ratio of both eyes (Soukupova and Cech, 2016): ~0.3 open, ~0.1 closed."""

    def one(eye: np.ndarray) -> float:
        vertical = np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4])
        horizontal = np.linalg.norm(eye[0] - eye[3])
        return float(vertical / (2.0 * horizontal)) if horizontal > 0 else 0.0

    return (one(points[36:42]) + one(points[42:48])) / 2.0


def head_pose(points: np.ndarray, width: int, height: int) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees, IN IMAGE TERMS.

    yaw > 0: the face points towards the image's right edge (its nose tip moved right in the
    pixels). pitch > 0: the face points up. roll > 0: the line between the eyes goes down
    towards the image's right (clockwise on screen). solvePnP on six landmarks against a generic
    3D face (SQPnP: a global optimum, without the mirror-image solutions an iterative solver
    sometimes falls into), with a pinhole camera of focal length = image width.
    """
    focal = float(width)
    camera = np.array([[focal, 0, width / 2.0], [0, focal, height / 2.0], [0, 0, 1.0]])
    image_points = np.ascontiguousarray(points[_MODEL_POINTS], dtype=np.float64)
    ok, rvec, _ = cv2.solvePnP(
        _MODEL_3D, image_points, camera, np.zeros(4), flags=cv2.SOLVEPNP_SQPNP
    )
    left_eye = points[36:42].mean(axis=0)
    right_eye = points[42:48].mean(axis=0)
    roll = float(np.degrees(np.arctan2(right_eye[1] - left_eye[1], right_eye[0] - left_eye[0])))
    if not ok:
        return 0.0, 0.0, roll
    rotation, _ = cv2.Rodrigues(rvec)
    normal = rotation @ np.array([0.0, 0.0, 1.0])  # out of the face, in camera coordinates
    yaw = float(np.degrees(np.arctan2(normal[0], -normal[2])))
    pitch = float(np.degrees(np.arctan2(-normal[1], -normal[2])))
    return yaw, pitch, roll


def interocular(points: np.ndarray) -> float:
    return float(np.linalg.norm(points[36:42].mean(axis=0) - points[42:48].mean(axis=0)))


def affine_residual(reference: np.ndarray, points: np.ndarray) -> float:
    """How far ``points`` are from an affine image of ``reference`` (inner landmarks), in
    inter-ocular distances: ~0 for a flat picture moved, zoomed or tilted, larger for a face
    that turns (the nose leaves the face plane), blinks or smiles."""
    source = np.hstack([reference[_INNER], np.ones((len(_INNER), 1))])
    target = points[_INNER]
    solution, *_ = np.linalg.lstsq(source, target, rcond=None)
    error = source @ solution - target
    return float(np.sqrt((error**2).sum(axis=1).mean()) / max(interocular(points), 1e-6))


def sharpness(grey: np.ndarray, box: Box) -> float:
    """Variance of the Laplacian of the face box, resampled to 112x112 grey pixels."""
    height, width = grey.shape[:2]
    left, top = max(int(box.left), 0), max(int(box.top), 0)
    right, bottom = min(int(box.right), width), min(int(box.bottom), height)
    if right - left < 8 or bottom - top < 8:
        return 0.0
    crop = cv2.resize(grey[top:bottom, left:right], (112, 112), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(crop, cv2.CV_64F).var())


def face_chip(rgb: np.ndarray, box: Box) -> np.ndarray:
    """The aligned 150x150 chip the encoder expects (5-point alignment, as face_recognition)."""
    shape = models.landmarks5()(rgb, box.rect())
    return dlib.get_face_chip(rgb, shape, size=150, padding=0.25)


def encode_chips(chips: Sequence[np.ndarray]) -> list[np.ndarray]:
    """128-d encodings of face chips, in one batch."""
    if not chips:
        return []
    descriptors = models.encoder().compute_face_descriptor(list(chips))
    return [np.array(descriptor, dtype=np.float64) for descriptor in descriptors]


def distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b))
