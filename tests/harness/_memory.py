"""A bound on the test process's memory, for tests of inputs that could be read without end."""

from __future__ import annotations

import contextlib
import resource
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def memory_bound(extra: int = 2**31) -> Iterator[None]:
    """While inside, allocating more than `extra` bytes beyond what is in use raises
    MemoryError: a regression that reads /dev/zero fails its test instead of calling the
    machine's OOM killer on the test run (and on whatever else runs beside it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    in_use = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    limit = in_use + extra if hard == resource.RLIM_INFINITY else min(hard, in_use + extra)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
