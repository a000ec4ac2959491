"""One context manager: no cyclic garbage collection inside.

A large archive is millions of objects, all alive, and so is a large table while it is
laid out: while they are made, parsed, validated, pickled or drawn, Python's collector
walks them again and again for nothing. Pausing it took a third off reading a 1000x
archive, and 40% off laying out its whole timeline (bench/run.py).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
