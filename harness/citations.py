"""Citations: the public reports a scenario or a behaviour names, turned into links.

Scenarios and behaviours cite reports the way failure-modes.md writes them: `owner/repo#N`,
`owner/repo PR#N`, a failure-mode id with its slug (`C1 drop-1006-no-close-frame`), or a
plain URL. A user who reads a diagnosis wants to click through to the thread, so every
form that names a place gets its address; the rest is shown as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness import bundled

#: Where each failure-mode id is listed with its scenarios (or the reason it has none): the
#: copy this installation has, so an installed user can open it too.
FAILURE_MODES_DOC = str(bundled.doc("catalog.md"))

_GITHUB = re.compile(r"^(?P<repo>[\w.-]+/[\w.-]+)\s*(?P<pr>PR)?\s*#(?P<num>\d+)")
_MODE = re.compile(r"^(?:failure-modes\.md\s+)?(?P<id>[A-H]\d{1,2})\s+(?P<slug>[a-z0-9-]+)")
_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Citation:
    text: str  # as written in the scenario or behaviour
    url: str | None  # where to read it, when the text names a place


def cite(text: str) -> Citation:
    """The link for one citation, if it has one."""
    text = text.strip()
    if m := _GITHUB.match(text):
        kind = "pull" if m["pr"] else "issues"  # GitHub redirects issues/N to pull/N anyway
        return Citation(text, f"https://github.com/{m['repo']}/{kind}/{m['num']}")
    if m := _URL.search(text):
        return Citation(text, m.group(0).rstrip(").,"))
    return Citation(text, None)


def failure_mode(text: str) -> str | None:
    """The failure-modes.md id a citation names (`C1`), if it names one."""
    m = _MODE.match(text.strip())
    return m["id"] if m else None
