"""Evaluate the match threshold on labelled pairs of images (``evaluate`` on the command line)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

from . import faces
from .config import DEFAULT_LIMITS, DEFAULT_THRESHOLDS, Limits, Thresholds
from .results import EvaluationResult
from .verify import analyse_portrait
from .version import ENGINE_VERSION

_TRUE = {"true", "1", "yes", "y", "same"}
_FALSE = {"false", "0", "no", "n", "different"}


def read_pairs(path: str | os.PathLike) -> list[tuple[str, str, bool]]:
    """Rows ``image_a,image_b,same_person``; raises ValueError on a malformed file."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"image_a", "image_b", "same_person"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}")
        pairs = []
        for line, row in enumerate(reader, start=2):
            label = (row["same_person"] or "").strip().lower()
            if label not in _TRUE | _FALSE:
                raise ValueError(f"{path}:{line}: same_person must be true or false")
            pairs.append((row["image_a"].strip(), row["image_b"].strip(), label in _TRUE))
    return pairs


def recommend_threshold(same: list[float], different: list[float]) -> float | None:
    """Halfway between the classes when they separate; otherwise the threshold with the fewest
    errors (ties go to the lower threshold: a false match is the costlier error)."""
    if not same or not different:
        return None
    if max(same) < min(different):
        return round((max(same) + min(different)) / 2.0, 3)
    candidates = sorted(set(same) | set(different))
    best, best_errors = None, None
    for threshold in candidates:
        errors = sum(d > threshold for d in same) + sum(d <= threshold for d in different)
        if best_errors is None or errors < best_errors:
            best, best_errors = threshold, errors
    return round(float(best), 3) if best is not None else None


def evaluate(
    pairs: list[tuple[str, str, bool]],
    images: str | os.PathLike,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    limits: Limits = DEFAULT_LIMITS,
) -> EvaluationResult:
    """FMR/FNMR of ``thresholds.match_threshold`` on the pairs; every image is encoded once."""
    root = Path(images)
    encodings: dict[str, np.ndarray | None] = {}
    failures: list[str] = []
    for name in dict.fromkeys(name for a, b, _ in pairs for name in (a, b)):
        found = analyse_portrait(root / name, thresholds, limits)
        if found.chip is None:
            encodings[name] = None
            failures.append(f"{name}: {', '.join(found.reasons)}")
        else:
            encodings[name] = faces.encode_chips([found.chip])[0]
    same: list[float] = []
    different: list[float] = []
    errors: list[dict] = []
    threshold = thresholds.match_threshold
    for a, b, label in pairs:
        ea, eb = encodings[a], encodings[b]
        if ea is None or eb is None:
            continue
        distance = faces.distance(ea, eb)
        (same if label else different).append(distance)
        if (distance <= threshold) != label:
            errors.append({"image_a": a, "image_b": b, "same_person": label, "distance": distance})
    scored = len(same) + len(different)
    false_non_matches = sum(d > threshold for d in same)
    false_matches = sum(d <= threshold for d in different)
    return EvaluationResult(
        pairs=len(pairs),
        pairs_scored=scored,
        accuracy=(scored - false_matches - false_non_matches) / scored if scored else None,
        fmr=false_matches / len(different) if different else None,
        fnmr=false_non_matches / len(same) if same else None,
        threshold=threshold,
        recommended_threshold=recommend_threshold(same, different),
        failures=failures,
        same_person_max=max(same) if same else None,
        different_person_min=min(different) if different else None,
        errors=errors,
        engine_version=ENGINE_VERSION,
    )
