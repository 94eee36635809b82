"""The command line, run as a subprocess: exit codes and JSON keys."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.verification.engine.makers import CLIP, CLIP_PORTRAIT, FACES

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "verification.engine", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_it_prints_one_json_object_and_exits_0_on_a_fail_decision():
    # Without --challenge both turns are required; the shared clip turns only to the left.
    done = run("verify", "--portrait", str(CLIP_PORTRAIT), "--capture", str(CLIP), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["decision"] == "fail"
    assert data["reasons"] == ["turn_missing"]
    assert data["match"]["distance"] < 0.55
    assert data["liveness"]["blinks"] >= 3
    assert data["liveness"]["challenge_met"] is False
    assert {"portrait", "decode", "track", "encode", "total"} <= set(data["timings_ms"])
    assert data["engine_version"]


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "--portrait", str(CLIP_PORTRAIT), "--capture", str(CLIP), "--challenge", "wink"],
        ["verify", "--portrait", str(CLIP_PORTRAIT), "--json"],
        ["verify", "--portrait", str(CLIP_PORTRAIT), "--capture", "/no/such/file.mp4"],
        ["compare", str(FACES / "obama_1.jpg")],
        ["frobnicate"],
    ],
)
def test_it_exits_2_on_bad_usage(args):
    done = run(*args)
    assert done.returncode == 2
    assert "usage:" in done.stderr


def test_it_compares_two_pictures_in_json():
    done = run("compare", str(FACES / "obama_1.jpg"), str(FACES / "obama_small.jpg"), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["same_person"] is True
    assert data["distance"] <= data["threshold"] == 0.55
    assert data["reasons"] == []


def test_it_evaluates_labelled_pairs(tmp_path):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "image_a,image_b,same_person\n"
        "obama_1.jpg,obama_4.jpg,true\n"
        "biden_1.jpg,biden_2.jpg,true\n"
        "obama_1.jpg,biden_1.jpg,false\n"
        "multi_two_people.jpg,obama_1.jpg,false\n"
    )
    done = run("evaluate", "--pairs", str(pairs), "--images", str(FACES), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["pairs"] == 4
    assert data["accuracy"] == 1.0
    assert data["fmr"] == 0.0
    assert data["fnmr"] == 0.0
    assert data["threshold"] == 0.55
    assert data["failures"] == ["multi_two_people.jpg: multiple_faces"]
    assert 0.3 < data["recommended_threshold"] < 0.9


def test_it_benchmarks_in_json():
    done = run(
        "bench", "--portrait", str(CLIP_PORTRAIT), "--capture", str(CLIP), "--repeat", "1", "--json"
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["total_ms_median"] > 0
    assert {"decode", "track", "encode"} <= set(data["stages_ms"])
    assert 50 < data["peak_rss_mb"] < 600
