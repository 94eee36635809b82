"""The dlib models, loaded once per process on first use (thread-safe lazy singletons).

The model files come from the ``face_recognition_models`` package: the HOG frontal face
detector (built into dlib), the 68-point and 5-point shape predictors and the ResNet that
turns an aligned 150x150 face chip into a 128-d encoding.
"""

from __future__ import annotations

import threading
import warnings
from functools import cache

import dlib

_lock = threading.Lock()


def _model_paths():
    with warnings.catch_warnings():
        # face_recognition_models still imports pkg_resources, which warns on import.
        warnings.simplefilter("ignore")
        import face_recognition_models

    return face_recognition_models


@cache
def _load(name: str):
    models = _model_paths()
    if name == "detector":
        return dlib.get_frontal_face_detector()
    if name == "landmarks68":
        return dlib.shape_predictor(models.pose_predictor_model_location())
    if name == "landmarks5":
        return dlib.shape_predictor(models.pose_predictor_five_point_model_location())
    if name == "encoder":
        return dlib.face_recognition_model_v1(models.face_recognition_model_location())
    raise KeyError(name)


def _get(name: str):
    with _lock:
        return _load(name)


def detector():
    return _get("detector")


def landmarks68():
    return _get("landmarks68")


def landmarks5():
    return _get("landmarks5")


def encoder():
    return _get("encoder")


def load_all() -> None:
    """Load every model now (a worker can call it at start-up to keep the first job fast)."""
    for name in ("detector", "landmarks68", "landmarks5", "encoder"):
        _get(name)
