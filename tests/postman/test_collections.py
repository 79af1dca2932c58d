"""Binance's own USD-M and COIN-M Postman collections, played by newman against `binance-harness
serve` in the matching profile.

newman 6.2.2 is installed by `npm ci` from tests/postman's lock file (no download addresses)
into a temporary copy, so the repository never gets a node_modules. The collections and their
environment are Binance's, unmodified, read from ../shared/postman next to the project (never
copied into it); tests/postman/run_collection.mjs makes the one documented change in memory
(the signing lines newman cannot run). Every answer is held to its collection's expectation
table (usdm_expectations.py, coinm_expectations.py): its status and its shape. Missing
collection, node or npm: skipped with the reason locally, a failure under CI (the variable CI
is set), where the run must happen.

Weight: each collection's three download-id requests cost 1000 each, so one pass (about
3 900 on USD-M, 3 300 on COIN-M) is more than the 2 400 a minute of either product and would
end in 429 then 418, where the minute boundary falls deciding which request gets them. The
fake is started with `serve --weight-limit 5000`, a test setting (docs/fidelity.md "USD-M
REST surface"); exchangeInfo then announces 5000, and the run must pass 2 400 without a 429,
so the setting is seen to act.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.defaults import ROOT
from tests.postman import coinm_expectations, usdm_expectations
from tests.postman.expectations import EMPTY, Error, Items, Obj, Row, Rows, mismatches
from tests.serve import serve

HERE = Path(__file__).parent
#: Binance's collections, next to the project (the path is relative to the project root).
POSTMAN = ROOT.parent / "shared" / "postman"
ENVIRONMENT = POSTMAN / "environments" / "binance_com_production.postman_environment.json"
#: The test setting: above a collection's ~3 900, far below anything a bot would be allowed.
WEIGHT_LIMIT = 5000
#: The weight a minute both products allow (their exchangeInfo, without the test setting).
BINANCE_LIMIT = 2400
#: Seconds `npm ci` may take (about 25 s here with a warm cache).
INSTALL_TIMEOUT = 300.0
#: Seconds a collection may take (about 5 s here on a quiet machine).
RUN_TIMEOUT = 120.0

pytestmark = pytest.mark.xdist_group("postman")


@dataclass(frozen=True)
class Collection:
    """One of Binance's collections, the profile that serves it and its expectation table."""

    profile: str
    file: str
    rows: tuple[Row, ...]
    docs: str
    exchange_info: str

    @property
    def path(self) -> Path:
        return POSTMAN / "collections" / self.file


COLLECTIONS = [
    Collection(
        "usdm",
        "Binance Derivatives Trading USDS Futures API.json",
        usdm_expectations.ROWS,
        usdm_expectations.DOCS,
        "/fapi/v1/exchangeInfo",
    ),
    Collection(
        "coinm",
        "Binance Derivatives Trading COIN Futures API.json",
        coinm_expectations.ROWS,
        coinm_expectations.DOCS,
        "/dapi/v1/exchangeInfo",
    ),
]
each_collection = pytest.mark.parametrize("collection", COLLECTIONS, ids=[c.profile for c in COLLECTIONS])


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the Postman run cannot happen under CI: {reason}")
    pytest.skip(reason)


def _need(collection: Collection) -> None:
    if not collection.path.is_file() or not ENVIRONMENT.is_file():
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


def _collection_requests(collection: Collection) -> list[str]:
    def walk(items: list[dict[str, Any]]) -> list[str]:
        names: list[str] = []
        for item in items:
            names += walk(item["item"]) if "item" in item else [item["name"]]
        return names

    return walk(json.loads(collection.path.read_text(encoding="utf-8"))["item"])


def play(newman: Path, collection: Collection, *serve_options: str) -> list[dict[str, Any]]:
    """The collection's answers, one entry per request in run order (run_collection.mjs)."""
    out = newman / f"answers-{collection.profile}.json"
    with serve("--profile", collection.profile, *serve_options) as env:
        done = subprocess.run(
            [
                _tool("node"),
                "run_collection.mjs",
                str(collection.path),
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


@each_collection
def test_the_table_has_one_row_per_request_of_the_collection_in_order(collection: Collection) -> None:
    _need(collection)
    assert [r.name for r in collection.rows] == _collection_requests(collection)


@each_collection
def test_every_request_answers_as_binance_would(newman: Path, collection: Collection) -> None:
    _need(collection)
    answers = play(newman, collection, "--weight-limit", str(WEIGHT_LIMIT))
    script_errors = [a for a in answers if "scriptError" in a]
    assert not script_errors, script_errors
    rows = collection.rows
    assert [a["name"] for a in answers] == [r.name for r in rows]
    problems = []
    for row, answer in zip(rows, answers, strict=True):
        route = f"{answer['method']} {answer['path']}"
        found = [f"route {route}, expected {row.route}"] if route != row.route else []
        found += mismatches(row, answer["status"], answer["body"])
        problems += [f"{row.name} ({collection.docs}{row.page}): {p}" for p in found]
    assert not problems, "\n".join(problems)

    assert not [a["name"] for a in answers if a["body"] == {"code": -5000, "msg": "Path not found"}]
    # Every answer is Binance's own, so every one reports the IP's weight.
    weights = [int(a["weight"]) for a in answers if a["weight"] is not None]
    assert len(weights) == len(answers), [a["name"] for a in answers if a["weight"] is None]
    # The test setting acted: more than the product's 2 400 went through, and the fake says so.
    assert max(weights) > BINANCE_LIMIT
    info = next(a["body"] for a in answers if a["path"] == collection.exchange_info)
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
