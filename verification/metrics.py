"""What the verification jobs tell Prometheus: each outcome, and how long a job took.

Counted where the job completes (a worker). With ``PROMETHEUS_MULTIPROC_DIR`` set for the web
and worker processes of a machine, the web's ``/metrics`` reads the workers' counts too; the
deployment guide says how.
"""

from prometheus_client import Counter, Histogram

OUTCOMES = Counter(
    "portal_verification_outcomes",
    "Verification jobs completed, by outcome.",
    ["outcome"],
)
# From upload (queued) to decision: what the person at the counter waits for.
DURATION = Histogram(
    "portal_verification_duration_seconds",
    "Seconds from a capture's upload to its verification's decision.",
    buckets=(0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60, 120, 300, float("inf")),
)
ENGINE_DURATION = Histogram(
    "portal_verification_engine_seconds",
    "Seconds the face engine took for one capture.",
    buckets=(0.25, 0.5, 1, 1.5, 2, 3, 5, 8, 13, 21, 60, float("inf")),
)


def job_completed(*, outcome: str, waited_s: float, engine_ms: float | None) -> None:
    OUTCOMES.labels(outcome=outcome).inc()
    DURATION.observe(max(waited_s, 0.0))
    if engine_ms is not None:
        ENGINE_DURATION.observe(engine_ms / 1000)
