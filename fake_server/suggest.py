"""Did-you-mean suggestions, shared by every place that refuses a misspelt name.

Scenario files (harness/scenario_file.py) and the control API (control_api.py) both name the
word they did not know and the word meant, so a typo costs one reading, not a search.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`"; did you mean 'x'?"` for the closest candidate, or `""` if none is close."""
    pool = list(candidates)
    for candidate in pool:
        if candidate.lower() == word.lower() or candidate.replace("-", "_") == word.replace("-", "_"):
            return f"; did you mean {candidate!r}?"
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def unknown(head: str, word: str, candidates: Iterable[str], listing: str) -> str:
    """`head; did you mean 'x'? listing`, or `head; listing` when nothing is close."""
    suggestion = did_you_mean(word, candidates)
    return f"{head}{suggestion} {listing}" if suggestion else f"{head}; {listing}"
