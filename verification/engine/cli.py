"""``python -m verification.engine {verify,compare,evaluate,bench} ...``.

Exit status: 0 whenever a decision was made (a ``fail`` included), 2 on bad usage (unknown
challenge action, missing or non-existent file argument, malformed pairs file).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from .reasons import ACTIONS
from .version import ENGINE_VERSION

_BENCH_CHILD = "VERIFICATION_ENGINE_BENCH_CHILD"


def _existing_file(value: str) -> str:
    if not Path(value).is_file():
        raise argparse.ArgumentTypeError(f"no such file: {value}")
    return value


def _existing_dir(value: str) -> str:
    if not Path(value).is_dir():
        raise argparse.ArgumentTypeError(f"no such directory: {value}")
    return value


def _challenge(value: str) -> list[str]:
    from .verify import parse_challenge

    try:
        return parse_challenge(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _starts(value: str) -> list[float]:
    try:
        return [float(item) for item in value.split(",") if item.strip()]
    except ValueError:
        message = f"window starts in seconds, e.g. 1.0,4.0: {value}"
        raise argparse.ArgumentTypeError(message) from None


def _schedule(args) -> list[dict] | None:
    """--schedule's window starts with the challenge's actions, each --window-s long."""
    if args.schedule is None:
        return None
    if args.challenge is None or len(args.challenge) != len(args.schedule):
        raise SystemExit("--schedule needs --challenge, with one start per action")
    return [
        {"action": action, "from_s": start, "to_s": start + args.window_s}
        for action, start in zip(args.challenge, args.schedule, strict=True)
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m verification.engine",
        description="Face verification engine: liveness and 1:1 match against an ID portrait.",
    )
    parser.add_argument("--version", action="version", version=ENGINE_VERSION)
    commands = parser.add_subparsers(dest="command", required=True)

    verify = commands.add_parser("verify", help="verify a live capture against an ID portrait")
    verify.add_argument("--portrait", required=True, type=_existing_file, metavar="FILE")
    verify.add_argument("--capture", required=True, type=_existing_file, metavar="FILE")
    verify.add_argument(
        "--challenge",
        type=_challenge,
        metavar="A,B,C",
        help=f"ordered actions among {', '.join(ACTIONS)} (default: a blink and both turns, "
        "in any order)",
    )
    verify.add_argument(
        "--schedule",
        type=_starts,
        metavar="S1,S2",
        help="when each action of --challenge was asked for (window starts, seconds from the "
        "start of the recording): each counts only inside its window",
    )
    verify.add_argument("--window-s", type=float, default=2.5, help="window length (2.5 s)")
    verify.add_argument("--mirrored", action="store_true", help="the capture is stored mirrored")
    verify.add_argument("--json", action="store_true", help="print one JSON object")

    compare = commands.add_parser("compare", help="are two portraits the same person?")
    compare.add_argument("file_a", type=_existing_file, metavar="FILE_A")
    compare.add_argument("file_b", type=_existing_file, metavar="FILE_B")
    compare.add_argument("--json", action="store_true")

    evaluate = commands.add_parser("evaluate", help="FMR/FNMR on labelled pairs")
    evaluate.add_argument("--pairs", required=True, type=_existing_file, metavar="CSV")
    evaluate.add_argument("--images", required=True, type=_existing_dir, metavar="DIR")
    evaluate.add_argument("--json", action="store_true")

    bench = commands.add_parser("bench", help="time verify per stage (one core)")
    bench.add_argument("--portrait", required=True, type=_existing_file, metavar="FILE")
    bench.add_argument("--capture", required=True, type=_existing_file, metavar="FILE")
    bench.add_argument("--challenge", type=_challenge, metavar="A,B,C")
    bench.add_argument("--repeat", type=int, default=5, metavar="N")
    bench.add_argument("--naive", action="store_true", help="also time the naive way")
    bench.add_argument("--json", action="store_true")
    return parser


def _print(data: dict, as_json: bool, lines: list[str]) -> None:
    if as_json:
        print(json.dumps(data, indent=None, sort_keys=False))
    else:
        print("\n".join(lines))


def _run_verify(args) -> int:
    from .verify import verify

    result = verify(
        portrait=args.portrait,
        capture=args.capture,
        challenge=args.challenge,
        mirrored=args.mirrored,
        schedule=_schedule(args),
    )
    data = result.to_dict()
    lines = [
        f"decision: {result.decision}",
        f"reasons: {', '.join(result.reasons) or '-'}",
        f"match distance: {data['match']['distance']} "
        f"(pass <= {result.match.pass_threshold}, review <= {result.match.review_threshold})",
        f"blinks: {result.liveness.blinks}; turns: {', '.join(result.liveness.turns_seen) or '-'}"
        f"; challenge met: {result.liveness.challenge_met}",
        *(f"  {detail}" for detail in result.details),
        f"time: {data['timings_ms']['total']} ms",
    ]
    _print(data, args.json, lines)
    return 0


def _run_compare(args) -> int:
    from .verify import compare

    result = compare(args.file_a, args.file_b)
    data = result.to_dict()
    lines = [
        f"same person: {result.same_person}",
        f"distance: {data['distance']} (threshold {result.threshold})",
        f"reasons: {', '.join(result.reasons) or '-'}",
    ]
    _print(data, args.json, lines)
    return 0


def _run_evaluate(args, parser: argparse.ArgumentParser) -> int:
    from .evaluate import evaluate, read_pairs

    try:
        pairs = read_pairs(args.pairs)
    except (ValueError, UnicodeDecodeError, OSError) as error:
        parser.error(str(error))
    result = evaluate(pairs, args.images)
    data = result.to_dict()
    lines = [f"{key}: {value}" for key, value in data.items()]
    _print(data, args.json, lines)
    return 0


def _run_bench(args) -> int:
    if os.environ.get(_BENCH_CHILD) != "1":
        # Re-run in a child pinned to one core, with every thread pool at one thread, set
        # before numpy, OpenCV or dlib are imported.
        env = dict(os.environ)
        env.update(
            {
                _BENCH_CHILD: "1",
                "OMP_NUM_THREADS": "1",
                "OPENBLAS_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1",
                "OPENCV_FOR_THREADS_NUM": "1",
                "OPENCV_FFMPEG_THREADS": "1",
            }
        )
        command = [sys.executable, "-m", "verification.engine", *sys.argv[1:]]
        cpu = sorted(os.sched_getaffinity(0))[0]
        return subprocess.run(  # noqa: S603 - our own interpreter and arguments
            command, env=env, check=False, preexec_fn=lambda: os.sched_setaffinity(0, {cpu})
        ).returncode
    import cv2

    from .bench import bench

    cv2.setNumThreads(1)
    report = bench(
        portrait=args.portrait,
        capture=args.capture,
        challenge=args.challenge,
        repeat=args.repeat,
        naive=args.naive,
    )
    lines = [
        f"verify, median of {report['repeat']} runs on one core: "
        f"{report['total_ms_median']} ms (CPU {report['cpu_ms_median']} ms)",
        *(f"  {stage}: {ms} ms" for stage, ms in report["stages_ms"].items()),
        f"models loaded in {report['model_load_ms']} ms; first run {report['first_run_ms']} ms",
        f"peak RSS: {report['peak_rss_mb']} MB",
        f"decision: {report['decision']} {report['reasons']}",
    ]
    if "naive" in report:
        naive = report["naive"]
        lines += [
            f"naive (detect + encode every full-resolution frame): {naive['total_ms']} ms, "
            f"{naive['encodings']} encodings",
            f"speed-up: {naive['speedup']}x; same decision: {naive['same_decision']} "
            f"({naive['decision']} {naive['reasons']})",
        ]
    _print(report, args.json, lines)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "verify":
        return _run_verify(args)
    if args.command == "compare":
        return _run_compare(args)
    if args.command == "evaluate":
        return _run_evaluate(args, parser)
    return _run_bench(args)
