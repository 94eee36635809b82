"""Decrypted evidence as a path, without a file on disk.

The engine (OpenCV's FFmpeg backend in particular) reads media from a path. Decrypted faces
must never be left in a temporary file, so the bytes go into an anonymous in-memory file
(``memfd_create``) whose ``/proc/self/fd`` path the engine opens; closing it frees the memory.
"""

import contextlib
import os
from collections.abc import Iterator


@contextlib.contextmanager
def memory_path(data: bytes, label: str = "evidence") -> Iterator[str]:
    descriptor = os.memfd_create(label, os.MFD_CLOEXEC)
    try:
        view = memoryview(data)
        while view:
            written = os.write(descriptor, view)
            view = view[written:]
        os.lseek(descriptor, 0, os.SEEK_SET)
        yield f"/proc/self/fd/{descriptor}"
    finally:
        os.close(descriptor)
