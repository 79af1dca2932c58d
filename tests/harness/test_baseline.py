"""Baselines (harness/baseline.py, docs/baseline.md): a run fails only on a change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness import baseline
from harness.baseline import Outcome
from harness.cli import main
from harness.verdict import Status, Verdict
from tests.harness._subprocess import FORUM_CLIENT, LISTENKEY_404, run_pytest

P, F, NA, E = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.ERROR


def v(scenario: str, behaviour: str, status: Status) -> Verdict:
    return Verdict(status, f"{behaviour} {status}", behaviour=behaviour, scenario=scenario)


@pytest.mark.parametrize(
    ("expected", "actual", "outcome", "is_change"),
    [
        (P, P, Outcome.UNCHANGED, False),
        (F, F, Outcome.UNCHANGED, False),
        (P, NA, Outcome.UNCHANGED, False),
        (P, F, Outcome.NEW_FAILURE, True),
        (P, E, Outcome.NEW_FAILURE, True),
        (F, E, Outcome.NEW_FAILURE, True),
        (F, P, Outcome.NEW_PASS, True),
        (F, NA, Outcome.NEW_PASS, True),
        (None, P, Outcome.NEW, False),
        (None, F, Outcome.NEW, True),
    ],
)
def test_each_verdict_is_classified(expected, actual, outcome, is_change) -> None:
    base = {} if expected is None else {("s", "b"): expected}
    (change,) = baseline.compare(base, [v("s", "b", actual)])
    assert change.outcome is outcome
    assert change.is_change is is_change


def test_entries_not_judged_are_gone_and_never_a_change() -> None:
    base = {("s", "b"): P, ("t", "c"): F}
    changes = baseline.compare(base, [v("s", "b", P)])
    assert [(c.scenario, c.outcome) for c in changes] == [("s", Outcome.UNCHANGED), ("t", Outcome.GONE)]
    assert not any(c.is_change for c in changes)
    assert "1 unchanged, 1 gone" in baseline.summary(changes)


def test_summary_lists_only_the_changes() -> None:
    base = {("s", "a"): P, ("s", "b"): F, ("s", "c"): F}
    changes = baseline.compare(base, [v("s", "a", F), v("s", "b", P), v("s", "c", F)])
    text = baseline.summary(changes)
    assert "new failure  s :: a: FAIL (baseline: PASS)" in text
    assert "new pass     s :: b: PASS (baseline: FAIL); update the baseline" in text
    assert "s :: c" not in text
    assert text.splitlines()[-1] == "1 unchanged, 1 new failure, 1 new pass"


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    verdicts = [v("drop-1006", "no-event-lost", P), v("drop-1006", "backs-off", F), v("x", "y", NA)]
    path = tmp_path / "sub" / "baseline.json"
    baseline.write(path, verdicts, client="python bot.py")
    data = json.loads(path.read_text())
    assert data["schema"] == "binance-stream-harness/baseline" and data["version"] == 1
    assert list(data["verdicts"]["drop-1006"]) == ["backs-off", "no-event-lost"]  # sorted, diffable
    assert baseline.read(path) == baseline.from_verdicts(verdicts)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ("[]", "expected a JSON object"),
        ('{"schema": "x", "version": 1, "verdicts": {}}', "'schema' must be"),
        ('{"schema": "binance-stream-harness/baseline", "version": 2, "verdicts": {}}', "version 2"),
        ('{"schema": "binance-stream-harness/baseline", "version": 1, "verdicts": []}', "'verdicts'"),
        (
            '{"schema": "binance-stream-harness/baseline", "version": 1, "verdicts": {"s": {"b": "OK"}}}',
            "verdicts.s.b: unknown status 'OK'",
        ),
    ],
)
def test_a_bad_file_is_refused_with_its_reason(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(baseline.BaselineError, match=message.replace("(", r"\(")):
        baseline.read(path)


def test_cli_fails_only_on_a_change(tmp_path: Path, capsys) -> None:
    base = tmp_path / "baseline.json"
    common = [str(LISTENKEY_404), "--dir", str(tmp_path / "runs")]
    # The forum bot fails surfaces-error-body: recorded as expected.
    assert main(["run", *common, "--client", FORUM_CLIENT, "--write-baseline", str(base)]) == 1
    assert json.loads(base.read_text())["verdicts"] == {"listenkey-404": {"surfaces-error-body": "FAIL"}}
    capsys.readouterr()
    # Same client, same failure: no change, exit 0.
    assert main(["run", *common, "--client", FORUM_CLIENT, "--baseline", str(base)]) == 0
    out = capsys.readouterr().out
    assert "1 unchanged" in out and "new failure" not in out
    # The reference client passes it: a new pass is a change, exit 1.
    assert main(["run", *common, "--baseline", str(base)]) == 1
    out = capsys.readouterr().out
    assert "new pass     listenkey-404 :: surfaces-error-body: PASS (baseline: FAIL)" in out


def test_cli_refuses_a_bad_baseline_before_running(tmp_path: Path, capsys) -> None:
    base = tmp_path / "baseline.json"
    base.write_text("{")
    assert main(["run", str(LISTENKEY_404), "--baseline", str(base)]) == 2
    assert f"{base}:1: not JSON" in capsys.readouterr().err


def _baseline_file(tmp_path: Path, status: str) -> Path:
    path = tmp_path / "baseline.json"
    doc = {
        "schema": "binance-stream-harness/baseline",
        "version": 1,
        "verdicts": {"listenkey-404": {"surfaces-error-body": status}},
    }
    path.write_text(json.dumps(doc))
    return path


def test_pytest_reports_an_expected_failure_as_xfail(tmp_path: Path) -> None:
    base = _baseline_file(tmp_path, "FAIL")
    proc = run_pytest(LISTENKEY_404, "-rx", "--client", FORUM_CLIENT, "--harness-baseline", base)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "1 xfailed" in proc.stdout and "baseline expects FAIL" in proc.stdout


def test_pytest_fails_a_new_pass_strictly(tmp_path: Path) -> None:
    base = _baseline_file(tmp_path, "FAIL")
    written = tmp_path / "new-baseline.json"
    proc = run_pytest(LISTENKEY_404, "--harness-baseline", base, "--harness-write-baseline", written)
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert "now passes: update the baseline" in proc.stdout
    assert "1 failed" in proc.stdout
    assert baseline.read(written) == {("listenkey-404", "surfaces-error-body"): Status.PASS}


def test_pytest_bad_baseline_is_a_usage_error(tmp_path: Path) -> None:
    base = tmp_path / "b.json"
    base.write_text('{"schema": "x"}')
    proc = run_pytest(LISTENKEY_404, "--harness-baseline", base, "--collect-only")
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "'schema' must be" in proc.stderr
