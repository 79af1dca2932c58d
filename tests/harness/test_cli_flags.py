"""Bad CLI flags get argparse's answer (the flag, why, exit 2), never a traceback; good ones
reach the fake with the value a scenario file would give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fake_server.exchange.settings import Settings
from harness import cli


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Argparse's message for `argv`, checking it ended the command with status 2."""
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Settings]:
    """The settings `serve` would start the fake with, without starting it."""
    seen: list[Settings] = []

    async def fake_serve(settings: Settings, scenario: Any, journal: Path | None) -> None:
        seen.append(settings)

    monkeypatch.setattr(cli, "_serve_forever", fake_serve)
    return seen


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--ping-interval", "fast"], "argument --ping-interval: invalid duration 'fast'"),
        (["--ping-interval", "0"], "argument --ping-interval: a timer must be longer than 0s"),
        (
            ["--pong-timeout=-5s"],
            "argument --pong-timeout: invalid duration -5s: durations cannot be negative",
        ),
        (["--listen-key-ttl", "3 days"], "argument --listen-key-ttl: invalid duration"),
        (["--control-port", "99999"], "argument --control-port: a TCP port is 0 to 65535 (got '99999')"),
        (["--control-port", "-1"], "argument --control-port: a TCP port is 0 to 65535"),
        (["--control-port", "\u0663"], "argument --control-port: expected an integer"),
        (["--control-port", "9" * 5000], "argument --control-port: expected an integer, got '99999"),
        (["--rate", "inf"], "argument --rate: expected a finite number, got 'inf'"),
        (["--rate", "nan"], "argument --rate: expected a finite number"),
        (["--rate", "-1"], "argument --rate: the fill rate is between 0 and 100 per second (got '-1')"),
        (["--rate", "1e9"], "argument --rate: the fill rate is between 0 and 100 per second (got '1e9')"),
        (["--weight-limit", "0"], "argument --weight-limit: a weight limit is at least 1 (got '0')"),
        (["--weight-limit", "2.5"], "argument --weight-limit: expected an integer, got '2.5'"),
    ],
)
def test_bad_serve_flags_are_refused_before_serving(
    argv: list[str], said: str, served: list[Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    err = refused(["serve", *argv], capsys)
    assert said in err
    assert len(err) < 1500, "the message repeats a huge value"
    assert served == []


def test_good_serve_flags_reach_the_fake_as_a_scenario_file_would_give_them(served: list[Settings]) -> None:
    argv = ["serve", "--ping-interval", "250ms", "--pong-timeout", "1.5s", "--listen-key-ttl", "3m"]
    assert cli.main([*argv, "--rate", "0", "--control-port", "65535"]) == 0
    (settings,) = served
    assert settings.timers.ping_interval == 0.25
    assert settings.timers.pong_timeout == 1.5
    assert settings.timers.listen_key_ttl == 180.0
    assert settings.events.rate == 0.0
    assert settings.control_port == 65535
    assert settings.rest_limits.weight_per_minute == 2400  # Binance's, unless a test raises it


def test_serve_weight_limit_raises_only_the_weight_limit(served: list[Settings]) -> None:
    assert cli.main(["serve", "--weight-limit", "5000", "--rate", "0"]) == 0
    (settings,) = served
    assert settings.rest_limits.weight_per_minute == 5000
    assert settings.rest_limits.interval == 60.0


def test_serve_help_gives_each_value_flag_its_rule(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "a duration > 0 such as 250ms" in help_text
    assert "a number >= 0" in help_text
    assert ">= 0, <= 65535" in help_text


def test_an_empty_client_is_an_error_not_the_reference_client(capsys: pytest.CaptureFixture[str]) -> None:
    """An unset `$BOT` in CI (`--client "$BOT"`) must not quietly test the bundled client."""
    err = refused(["run", "--client", "", "-k", "listenkey-404"], capsys)
    assert "argument --client: the client command is empty" in err
    err = refused(["diagnose", "--client", "   "], capsys)
    assert "argument --client: the client command is empty" in err


def test_a_missing_client_program_is_reported_once_before_any_scenario(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = refused(["run", "--client", "definitely-not-a-command-xyz --flag"], capsys)
    lines = [line for line in err.splitlines() if "definitely-not-a-command-xyz" in line]
    assert lines == [
        "binance-harness run: error: argument --client: "
        "the client program 'definitely-not-a-command-xyz' is not on PATH"
    ]


def test_a_missing_matrix_client_is_named_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["matrix", "--client", "ok=true", "--client", "bad=./no/such/bot", "--out", str(tmp_path)]
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert (
        captured.err == "binance-harness: --client bad: the client program './no/such/bot' does not exist\n"
    )
    assert captured.out == "", "a scenario was played before the client was checked"


def test_an_unparseable_client_command_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(["run", "--client", "python 'bot.py"], capsys)
    assert "argument --client: cannot parse client command" in err
