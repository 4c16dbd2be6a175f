"""Keeping the memory a training step frees inside the process, so the next step does not fault it in again.

Every training step allocates and frees the same large buffers: the embedding's gradient, the
recurrence's activations and gate gradients. glibc's malloc gives blocks above its mmap threshold
back to the kernel when they are freed and trims the heap's free top above its trim threshold, so
each step maps fresh pages and the kernel zero-fills every one of them on first touch. On SST-2's
batches that was about 600 page faults a step, 0.4-0.8 s of system time an epoch, and epochs took
10-20 % longer (README, Training speed). Raising both thresholds while training keeps those pages;
`malloc_trim` hands the free ones back when training ends. Only glibc has these settings; with any
other C library nothing changes.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
from collections.abc import Iterator
from typing import Any

logger = logging.getLogger(__name__)

# mallopt's parameter numbers (malloc.h).
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
# Above the largest buffer a default-sized step makes (an IMDB batch's gate gradients, a 50,000-word
# embedding's gradient: 25-30 MB), with room for wider embeddings.
MMAP_THRESHOLD = 128 * 2**20
TRIM_THRESHOLD = 256 * 2**20


@contextlib.contextmanager
def freed_memory_kept() -> Iterator[None]:
    """While inside, freed memory stays mapped for reuse; on leaving, what is free goes back to the system.

    glibc cannot return to its self-adjusting thresholds once they are set, so they stay raised after
    the block; freed memory then waits for the next trim instead of being returned at once.
    """
    libc = _glibc()
    if libc is None:
        yield
        return
    libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    logger.debug("malloc keeps freed blocks under %d bytes while training", MMAP_THRESHOLD)
    try:
        yield
    finally:
        libc.malloc_trim(0)


def _glibc() -> Any | None:
    """The process's C library if it is glibc, else None."""
    try:
        version = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, ValueError, OSError):  # not a POSIX system, or one without the name
        return None
    if not version or not version.startswith("glibc"):
        return None
    return ctypes.CDLL(None)
