"""Which YAML files the pytest plugin collects: scenario files in scenario folders, nothing else.

A user's project has other YAML (docker-compose, CI, fixtures), sometimes in a folder that
happens to be called `scenarios/`. Collecting it would end the session with collection
errors about files that were never meant for the harness, so a file is collected only when
both hold:
- it lies under a configured scenario path (the `binance_harness_scenarios` ini option,
  default `scenarios`, relative to the rootdir), or under a folder of the same name (so
  `pytest /tmp/x/scenarios/drop.yaml` works from anywhere), or it was named on the command
  line itself (`pytest reports/search/found-....yaml`: a scenario a search wrote);
- it has a scenario's signature: a top-level `expect:` key, or `family:` with `duration:`.
  A scenario file with a mistake in it keeps that signature and still gets its error (the
  loader points at the line); a file without it is left alone, silently.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from pathlib import Path

DEFAULT_PATHS = ("scenarios",)
_TOP_LEVEL_KEY = re.compile(r"^(expect|family|duration)[ \t]*:", re.MULTILINE)
#: Enough to see the top-level keys of any scenario; a bigger file is read no further.
_READ_AT_MOST = 1 << 20


def is_scenario_file(path: Path, roots: Sequence[Path], named: Collection[Path] = ()) -> bool:
    """Whether pytest should collect `path` as a scenario (see the module's docstring);
    `named` are the files given on the command line, resolved."""
    if path.suffix not in (".yaml", ".yml"):
        return False
    if not in_scenario_folder(path, roots) and path.resolve() not in named:
        return False
    return has_signature(path)


def in_scenario_folder(path: Path, roots: Sequence[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) or root.name in path.parent.parts for root in roots)


def has_signature(path: Path) -> bool:
    try:
        with path.open("r", encoding="utf-8", errors="replace") as f:
            text = f.read(_READ_AT_MOST)
    except OSError:
        return False
    keys = set(_TOP_LEVEL_KEY.findall(text))
    return "expect" in keys or {"family", "duration"} <= keys
