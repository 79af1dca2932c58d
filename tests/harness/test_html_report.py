"""The HTML report (harness/html_report.py): escaped, self-contained, and right in a real browser.

The browser test opens the report of a real drop-and-reconnect run in headless Chromium
(tests/browser.py) because what matters is what a reader sees: the page must load without
errors and draw both connections and the drop. The screenshot it takes is kept in the
test's tmp dir, and in $HARNESS_SCREENSHOT_DIR when set (CI can publish it).
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

from harness import html_report
from harness.cli import main
from harness.html_report import Trace, render
from harness.report import json_report, run_entry
from harness.runner import RunResult
from tests.browser import Chromium, find_chromium, png_size
from tests.conftest import Play
from tests.harness._subprocess import LISTENKEY_404


def _report_of(result: RunResult) -> dict[str, Any]:
    return json_report([run_entry(result)], client="python reference_client.py")


def _hostile_report() -> tuple[dict[str, Any], dict[str, Trace | None]]:
    evil = "<script>alert(1)</script>&\"'"
    verdict = {
        "scenario": "s<1>",
        "behaviour": "reconnects-after-drop",
        "status": "FAIL",
        "summary": f"summary {evil}",
        "hint": f"hint {evil}",
        "measured": {"k": evil},
        "evidence": [{"t": 1.0, "kind": "rest", "body": evil}, {"kind": "no-time"}],
    }
    run = {
        "scenario": "s<1>",
        "family": "fam<ily>",
        "description": f"desc {evil}",
        "source": [f"https://example.invalid/{evil}", "javascript:alert(1)"],
        "wall_time": 1.0,
        "workdir": "/nowhere",
        "verdicts": [verdict],
    }
    report = {"client": f"bot {evil}", "totals": {"PASS": 0, "FAIL": 1}, "runs": [run]}
    journal: list[dict[str, Any]] = [
        {"t": 0.1, "kind": "ws_open", "conn": 1, "path": evil, "user": True},
        {"t": 0.2, "kind": "client_output", "stream": "stderr", "line": evil},
        {"t": 0.3, "kind": "rest", "method": "GET", "path": evil, "status": 404, "body": evil},
        {"t": 0.4, "kind": "fault", "name": evil, "params": {"mode": evil}, "conns": [1]},
        {"t": 0.5, "kind": "brand_new_kind", "what": evil, "nested": {"a": [1, 2]}},
        {"t": 0.6, "kind": "ws_close", "conn": 1, "code": 1006, "how": evil, "initiator": "server"},
        {"kind": "no_time_at_all"},
    ]
    return report, {"s<1>": Trace(journal, [{"e": evil}])}


def test_everything_from_the_run_is_escaped() -> None:
    report, traces = _hostile_report()
    page = render(report, traces, generated="now")
    assert "<script" not in page
    assert "javascript:" not in page.replace("javascript:alert(1)</li>", "")  # shown, never a link
    assert 'href="javascript' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_unknown_journal_kinds_are_drawn_not_dropped() -> None:
    report, traces = _hostile_report()
    page = render(report, traces)
    assert 'class="other"' in page and "brand_new_kind" in page


def test_the_page_is_self_contained() -> None:
    report, traces = _hostile_report()
    page = render(report, traces)
    # Nothing is fetched: no external script, stylesheet, font or image.
    assert not re.search(r"<(script|link|img|iframe)\b", page)
    assert "@import" not in page and "url(" not in page


def test_a_run_without_its_journal_still_renders(tmp_path: Path) -> None:
    report, _ = _hostile_report()
    out = tmp_path / "r.html"
    html_report.write(out, report)  # the workdir does not exist: no trace
    assert "No journal for this run" in out.read_text()


def test_the_cli_writes_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out" / "report.html"
    assert main(["run", str(LISTENKEY_404), "--html", str(out), "--dir", str(tmp_path / "runs")]) == 0
    assert f"HTML report: {out}" in capsys.readouterr().out
    page = out.read_text()
    assert 'id="s-listenkey-404"' in page and '<svg class="timeline"' in page
    assert "Method POST is invalid" in page  # the 404's body, in the REST tick's tooltip


def test_the_report_of_a_drop_loads_cleanly_in_chromium(play: Play, tmp_path: Path) -> None:
    chromium = find_chromium()
    if chromium is None:
        message = "chromium is not installed (apt-get install chromium; `python3 tasks.py test` does it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    result = play("drops/drop-1006.yaml", "reference_client.py")
    assert result.record is not None
    page_file = tmp_path / "report.html"
    html_report.write(page_file, _report_of(result), {result.scenario.name: html_report.trace_of(result)})
    size_kb = page_file.stat().st_size / 1024
    started = time.monotonic()
    errors, dom, png = asyncio.run(_browse(chromium, tmp_path, page_file.as_uri()))
    elapsed = time.monotonic() - started
    (tmp_path / "report.png").write_bytes(png)
    if os.environ.get("HARNESS_SCREENSHOT_DIR"):
        out = Path(os.environ["HARNESS_SCREENSHOT_DIR"])
        out.mkdir(parents=True, exist_ok=True)
        (out / "html-report-drop-1006.png").write_bytes(png)
    print(f"report {size_kb:.0f} KB, browser {elapsed:.2f} s, screenshot {len(png) / 1024:.0f} KB")

    assert errors == []
    assert dom["timelines"] == 1
    assert dom["conns"] >= 2, dom
    assert "abort_tcp" in dom["faults"], dom
    assert dom["matrixCells"] == len(result.verdicts)
    width, height = png_size(png)
    assert width == 1280 and height > 600
    assert len(png) > 30_000  # a blank or near-empty page compresses to a few KB


_DOM = """(() => {
  const svg = document.querySelector('svg.timeline');
  return {
    timelines: document.querySelectorAll('svg.timeline').length,
    conns: svg ? svg.querySelectorAll('rect.conn').length : 0,
    faults: svg ? [...svg.querySelectorAll('g.fault')].map(g => g.dataset.fault) : [],
    matrixCells: document.querySelectorAll('table.matrix a.cell').length,
  };
})()"""


async def _browse(chromium: str, tmp_path: Path, url: str) -> tuple[list[str], dict[str, Any], bytes]:
    async with Chromium(chromium, tmp_path / "profile") as browser:
        page = await browser.page()
        await page.goto(url)
        dom = await page.evaluate(_DOM)
        png = await page.screenshot()
        return page.errors(), dom, png


def test_a_run_at_a_time_factor_says_its_times_are_binance_time() -> None:
    report, traces = _hostile_report()
    assert "Binance time x" not in render(report, traces)
    report["runs"][0]["time_factor"] = 600
    assert "1.0 s · Binance time x600" in render(report, traces)
