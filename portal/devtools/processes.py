"""Child processes of the benchmarks (a worker, a web server), stopped whatever happens."""

import os
import signal
import subprocess


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
