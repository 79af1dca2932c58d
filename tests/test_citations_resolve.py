"""Every citation of Binance's rules or of a failure mode resolves inside the repository.

Code, tests, scenarios and pages cite `binance-reference.md §2` (or `reference §2`, `ref §2`)
for a rule of the service and `failure-modes.md C4` (or `failure mode C4`) for a reported
failure; those are docs/binance-reference.md and docs/failure-modes.md, written in the
project's own words with their sources. A citation of a section, item or id those pages do
not have, or of a file outside the repository, fails here, so a clone can follow every one.
"""

from __future__ import annotations

import re
import subprocess

from harness.defaults import ROOT

RULES = ROOT / "docs" / "binance-reference.md"
MODES = ROOT / "docs" / "failure-modes.md"

_SECTION = re.compile(r"\b(?:binance-reference(?:\.md)?|reference|ref) §(\d+)(?:\.(\d+)| item (\d+))?")
_MODE = re.compile(r"\bfailure[- ]modes?(?:\.md)?(?:'s)? (?:§(\d+)|([A-H]\d{1,2})\b)")
_OUTSIDE = re.compile(r"/work/shared|\bDESIGN\.md\b")


def _cited_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [f for f in listed if f.endswith((".py", ".md", ".yaml", ".js", ".ts")) and (ROOT / f).is_file()]


def _anchors(text: str) -> set[str]:
    return set(re.findall(r'<a id="([a-z0-9-]+)"></a>', text))


def test_the_pages_cited_are_in_the_repository() -> None:
    assert RULES.is_file() and MODES.is_file()
    rules = RULES.read_text(encoding="utf-8")
    assert {f"s{n}" for n in range(7)} <= _anchors(rules)


def test_every_rule_citation_names_a_section_and_item_that_exist() -> None:
    rules = RULES.read_text(encoding="utf-8")
    anchors = _anchors(rules)
    uncertain = rules[rules.index('<a id="s6"></a>') :]
    items = set(re.findall(r"^(\d+)\. ", uncertain, re.MULTILINE))
    missing = []
    for name in _cited_files():
        for line_no, line in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), 1):
            for m in _SECTION.finditer(line):
                section, item = m.group(1), m.group(2) or m.group(3)
                if f"s{section}" not in anchors or (
                    item is not None and (section != "6" or item not in items)
                ):
                    missing.append(f"{name}:{line_no}: {m.group(0)}")
    assert not missing, missing


def test_every_failure_mode_citation_names_a_mode_that_exists() -> None:
    anchors = _anchors(MODES.read_text(encoding="utf-8"))
    missing = []
    for name in _cited_files():
        for line_no, line in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), 1):
            for m in _MODE.finditer(line):
                wanted = f"s{m.group(1)}" if m.group(1) else m.group(2).lower()
                if wanted not in anchors:
                    missing.append(f"{name}:{line_no}: {m.group(0)}")
    assert not missing, missing


def test_nothing_cites_a_file_outside_the_repository() -> None:
    outside = [
        f"{name}:{n}"
        for name in _cited_files()
        if name != "tests/test_citations_resolve.py"
        for n, line in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), 1)
        if _OUTSIDE.search(line)
    ]
    assert not outside, outside
