"""The C heap of a profiling process.

The engine allocates and frees buffers of a few megabytes for every batch of documents (code
points, masks, hashes, decompressed chunks). By default glibc gives the top of its heap back to
the kernel as soon as it is free and takes it again for the next batch, and each page taken again
is a page fault (about 2.3 µs each on this project's machine: some 99,000 per 100 MB read, a
tenth of the reading time). `keep_heap` asks glibc to keep a margin instead, as the environment
variable MALLOC_TOP_PAD_ does; workers call it once at start (`curation.runs.tasks`), and the
benchmark does the same so that it measures the engine as workers run it.
"""

from __future__ import annotations

import ctypes
import sys

M_TOP_PAD = -2  # glibc's mallopt parameter (malloc.h)
DEFAULT_PAD = 64 * 1024 * 1024


def keep_heap(pad: int = DEFAULT_PAD) -> bool:
    """Keep `pad` bytes at the top of the heap when it grows and when it is trimmed; returns
    whether the C library accepted it (False off glibc, where nothing changes)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_TOP_PAD, pad))
