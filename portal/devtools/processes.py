"""Child processes of the benchmarks (a worker, a web server), stopped whatever happens."""

import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager


def stop_process_group(process: subprocess.Popen) -> None:
    """SIGTERM to the process's group (it was started with ``start_new_session``), then
    SIGKILL if it has not ended within 30 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def free_port() -> int:
    """A loopback port nothing listens on now, for a server of our own."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """A SIGTERM ends the run like Ctrl-C: through ``finally``, every child stopped."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
