"""`binance-harness init [DIR]`: give a project its own copy of the catalog and a pytest set-up.

The catalog ships inside the package, but a user's CI should play files the user owns: they
pin what was checked, can be edited (a deadline, a fault) and reviewed like code. So `init`
copies the catalog, or the families asked for, into DIR/scenarios/ and writes a starter
pytest.ini naming the scenario folder and the client. It never overwrites: a file that exists
is left as it is and listed, and a project that already configures pytest is told which
lines to add instead of getting a second configuration that would shadow its own.
"""

from __future__ import annotations

import argparse
import configparser
import shutil
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from harness import bundled

#: The ini key naming where scenario files are collected (harness/pytest_plugin.py).
SCENARIO_PATHS_INI = "binance_harness_scenarios"
CLIENT_INI = "binance_harness_client"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", nargs="?", type=Path, default=Path("."), help="the project (default: here)")
    p.add_argument(
        "--family",
        action="append",
        default=[],
        metavar="F",
        help="copy only this family of the catalog (e.g. drops); repeat for several",
    )
    p.add_argument(
        "--client",
        metavar="CMD",
        help='the command that starts your client, written into pytest.ini (e.g. "python bot.py")',
    )


@dataclass
class Initialised:
    """What `init` did, for its summary and its tests."""

    copied: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # already there: left untouched
    config: Path | None = None  # the pytest.ini written, if one was
    advice: str = ""  # lines to add by hand to an existing pytest configuration


def families() -> list[str]:
    return sorted(p.name for p in bundled.scenarios().iterdir() if p.is_dir())


def initialise(project: Path, *, chosen: list[str], client: str | None) -> Initialised:
    """Copy the chosen families (all by default) and write or advise the pytest configuration."""
    unknown = sorted(set(chosen) - set(families()))
    if unknown:
        raise ValueError(f"unknown family {', '.join(unknown)} (known: {', '.join(families())})")
    done = Initialised()
    catalog = bundled.scenarios()
    for family in chosen or families():
        for source in sorted((catalog / family).glob("*.yaml")):
            dest = project / "scenarios" / family / source.name
            if dest.exists():
                done.kept.append(dest)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
            done.copied.append(dest)
    lines = _config_lines(client)
    existing = existing_pytest_config(project)
    if existing is None:
        done.config = project / "pytest.ini"
        done.config.write_text("[pytest]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    else:
        done.advice = f"{existing} already configures pytest; add to it:\n" + "\n".join(
            f"    {line}" for line in lines if not line.startswith("#")
        )
    return done


def _config_lines(client: str | None) -> list[str]:
    client_line = (
        f"{CLIENT_INI} = {client}"
        if client
        else f"# {CLIENT_INI} = python my_bot.py    (or pass --client on the command line)"
    )
    return [
        "# binance-harness: the scenario files under these folders are played against the client.",
        f"{SCENARIO_PATHS_INI} = scenarios",
        client_line,
    ]


def existing_pytest_config(project: Path) -> Path | None:
    """The file that configures pytest for this project already, if any (pytest's own order)."""
    ini = project / "pytest.ini"
    if ini.exists():
        return ini
    pyproject = project / "pyproject.toml"
    if pyproject.exists():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError:
            return pyproject  # unreadable: do not write a pytest.ini that would shadow it
        if "pytest" in data.get("tool", {}):
            return pyproject
    for name, section in (("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        path = project / name
        if path.exists():
            parser = configparser.ConfigParser(interpolation=None)
            try:
                parser.read(path, encoding="utf-8")
            except configparser.Error:
                return path
            if parser.has_section(section):
                return path
    return None


def main(args: argparse.Namespace) -> int:
    project: Path = args.dir
    try:
        done = initialise(project, chosen=args.family, client=args.client)
    except ValueError as exc:
        print(f"binance-harness: {exc}", file=sys.stderr)
        return 2
    print(f"copied {len(done.copied)} scenario files into {project / 'scenarios'}")
    for path in done.kept:
        print(f"  kept (already there): {path}")
    if done.config is not None:
        print(f"wrote {done.config}")
    if done.advice:
        print(done.advice)
    print("next: pytest scenarios/" if args.client else 'next: pytest scenarios/ --client "python my_bot.py"')
    return 0
