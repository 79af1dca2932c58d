"""Keeping a long journal out of the garbage collector's full passes.

A journal entry is a dict, often holding a list (`conns`), so every entry is an object the
cyclic collector tracks; a full pass visits them all, and with a few hundred thousand
entries a pass took 100-300 ms on this project's 2-core machine: long enough to fire a
scheduled fault that late. Entries are never part of a reference cycle and live until the
run ends, so visiting them finds nothing.

`gc.freeze()` moves every object tracked now into the permanent generation, which full
passes skip (and it costs no more than splicing lists). Objects stay freed by reference
counting as usual; only a reference cycle that was alive at a freeze and dies afterwards
waits for `release`, which gives everything back to the collector once no journal that
froze is open any more. So a run's cycles are collected when it ends, never lost.
"""

from __future__ import annotations

import gc

#: Journals that froze and are still open.
_holders = 0


def freeze() -> None:
    """Shelter everything the collector tracks now; the caller must `release` once."""
    global _holders
    gc.freeze()
    _holders += 1


def refreeze() -> None:
    """Shelter what a holder added since its last `freeze` (no new release owed)."""
    gc.freeze()


def release() -> None:
    """One holder is done; the last one hands the sheltered objects back to the collector."""
    global _holders
    _holders = max(0, _holders - 1)
    if _holders == 0:
        gc.unfreeze()
