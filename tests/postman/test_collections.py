"""Binance's own USD-M Postman collection, played by newman against `binance-harness serve`.

newman 6.2.2 is installed by `npm ci` from tests/postman's lock file (no download addresses)
into a temporary copy, so the repository never gets a node_modules. The collection and its
environment are Binance's, unmodified, read from ../shared/postman next to the project (never
copied into it); tests/postman/run_collection.mjs makes the one documented change in memory
(the signing lines newman cannot run). Every answer is held to usdm_expectations.py's row for
that request: its status and its shape. Missing collection, node or npm: skipped with the
reason locally, a failure under CI (the variable CI is set), where the run must happen.

Weight: the collection's three download-id requests cost 1000 each, so one pass (about 3 900)
is more than USD-M's 2 400 per minute and would end in 429 then 418, where the minute
boundary falls deciding which request gets them. The fake is started with `serve
--weight-limit 5000`, a test setting (docs/fidelity.md "USD-M REST surface"); exchangeInfo
then announces 5000, and the run must pass 2 400 without a 429, so the setting is seen to act.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from harness.defaults import ROOT
from tests.postman.usdm_expectations import DOCS, EMPTY, ROWS, Error, Items, Obj, Row, Rows, mismatches
from tests.serve import serve

HERE = Path(__file__).parent
#: Binance's collections, next to the project (the path is relative to the project root).
POSTMAN = ROOT.parent / "shared" / "postman"
COLLECTION = POSTMAN / "collections" / "Binance Derivatives Trading USDS Futures API.json"
ENVIRONMENT = POSTMAN / "environments" / "binance_com_production.postman_environment.json"
#: The test setting: above the collection's ~3 900, far below anything a bot would be allowed.
WEIGHT_LIMIT = 5000
#: Seconds `npm ci` may take (about 25 s here with a warm cache).
INSTALL_TIMEOUT = 300.0
#: Seconds the collection may take (about 5 s here).
RUN_TIMEOUT = 120.0

pytestmark = pytest.mark.xdist_group("postman")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the Postman run cannot happen under CI: {reason}")
    pytest.skip(reason)


def _need_collection() -> None:
    if not COLLECTION.is_file() or not ENVIRONMENT.is_file():
        _unavailable(f"Binance's Postman collection is not at {POSTMAN} (../shared/postman)")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        _unavailable(f"{name} is not installed: newman needs Node.js 20+ and npm")
    assert path is not None
    return path


@pytest.fixture(scope="module")
def newman(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of tests/postman with newman installed from the lock file."""
    _need_collection()
    _tool("node")
    npm = _tool("npm")
    work = tmp_path_factory.mktemp("postman")
    for name in ("package.json", "package-lock.json", ".npmrc", "run_collection.mjs"):
        shutil.copy(HERE / name, work / name)
    try:
        done = subprocess.run(
            [npm, "ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        _unavailable(f"npm ci did not finish within {INSTALL_TIMEOUT:.0f} s")
    if done.returncode != 0:
        _unavailable(
            f"npm ci failed (no registry or cache here?):\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return work


def _collection_requests() -> list[str]:
    def walk(items: list[dict[str, Any]]) -> list[str]:
        names: list[str] = []
        for item in items:
            names += walk(item["item"]) if "item" in item else [item["name"]]
        return names

    return walk(json.loads(COLLECTION.read_text(encoding="utf-8"))["item"])


def play(newman: Path, *serve_options: str) -> list[dict[str, Any]]:
    """The collection's answers, one entry per request in run order (run_collection.mjs)."""
    out = newman / "answers.json"
    with serve(*serve_options) as env:
        done = subprocess.run(
            [
                _tool("node"),
                "run_collection.mjs",
                str(COLLECTION),
                str(ENVIRONMENT),
                env["BINANCE_HARNESS_REST_URL"],
                env["BINANCE_HARNESS_API_KEY"],
                env["BINANCE_HARNESS_API_SECRET"],
                str(out),
            ],
            cwd=newman,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )
    assert done.returncode == 0, f"newman failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    answers: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))
    return answers


def test_the_table_has_one_row_per_request_of_the_collection_in_order() -> None:
    _need_collection()
    assert [r.name for r in ROWS] == _collection_requests()


def test_every_usdm_request_answers_as_binance_would(newman: Path) -> None:
    answers = play(newman, "--weight-limit", str(WEIGHT_LIMIT))
    script_errors = [a for a in answers if "scriptError" in a]
    assert not script_errors, script_errors
    assert [a["name"] for a in answers] == [r.name for r in ROWS]
    problems = []
    for row, answer in zip(ROWS, answers, strict=True):
        route = f"{answer['method']} {answer['path']}"
        found = [f"route {route}, expected {row.route}"] if route != row.route else []
        found += mismatches(row, answer["status"], answer["body"])
        problems += [f"{row.name} ({DOCS}{row.page}): {p}" for p in found]
    assert not problems, "\n".join(problems)

    assert not [a["name"] for a in answers if a["body"] == {"code": -5000, "msg": "Path not found"}]
    # Every answer is Binance's own, so every one reports the IP's weight.
    weights = [int(a["weight"]) for a in answers if a["weight"] is not None]
    assert len(weights) == len(answers), [a["name"] for a in answers if a["weight"] is None]
    # The test setting acted: more than USD-M's 2 400 went through, and the fake says so.
    assert max(weights) > 2400
    info = next(a["body"] for a in answers if a["path"] == "/fapi/v1/exchangeInfo")
    announced = {r["rateLimitType"]: r["limit"] for r in info["rateLimits"]}
    assert announced["REQUEST_WEIGHT"] == WEIGHT_LIMIT


# The checker itself, without newman: each kind of difference is reported.

_BOOK = Row("Order Book", "GET /fapi/v1/depth", 200, Obj({"lastUpdateId": int, "bids": list}), "p")


@pytest.mark.parametrize(
    ("row", "status", "body", "wanted"),
    [
        (_BOOK, 200, {"lastUpdateId": 1, "bids": []}, None),
        (_BOOK, 404, {"code": -5000, "msg": "Path not found"}, "status 404, expected 200"),
        (_BOOK, 200, {"bids": []}, "missing keys ['lastUpdateId']"),
        (_BOOK, 200, {"lastUpdateId": 1, "bids": [], "E": 2}, "unexpected keys ['E']"),
        (_BOOK, 200, {"lastUpdateId": "1", "bids": []}, "lastUpdateId: expected int, got str"),
        (_BOOK, 200, {"lastUpdateId": True, "bids": []}, "lastUpdateId: expected int, got bool"),
        (_BOOK, 200, [], "expected an object, got list"),
        (Row("n", "r", 200, Items({"a": int}, {"b": int}), "p"), 200, [{"a": 1}, {"a": 2, "b": 3}], None),
        (Row("n", "r", 200, Items({"a": int}), "p"), 200, [{"a": 1}, {"c": 1}], "item 1: missing keys ['a']"),
        (Row("n", "r", 200, Items({"a": int}), "p"), 200, [], "expected a non-empty list"),
        (Row("n", "r", 200, Rows(12), "p"), 200, [[0] * 12, [0] * 11], "row 1: expected a list of 12"),
        (Row("n", "r", 200, EMPTY, "p"), 200, [{"a": 1}], "expected [], got 1 items"),
        (Row("n", "r", 400, Error(-1102), "p"), 400, {"code": -1102, "msg": "m"}, None),
        (Row("n", "r", 400, Error(-1102), "p"), 400, {"code": -1100, "msg": "m"}, "expected error -1102"),
    ],
)
def test_the_checker_reports_each_kind_of_difference(
    row: Row, status: int, body: Any, wanted: str | None
) -> None:
    found = mismatches(row, status, body)
    if wanted is None:
        assert found == []
    else:
        assert any(wanted in f for f in found), found
