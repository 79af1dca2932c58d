"""Python clients named `python:MODULE:ATTR`, run in the harness's own event loop.

A client command costs a process per run: an interpreter, its imports, a guard, a
SIGTERM. A Python client that is a coroutine function (`async def client(env, printer)`,
harness/client_driver.py's `CoroutineClient`) can instead run in-process, many runs a
minute (docs/in-process.md). Wherever a client command is taken (`--client`, `matrix`,
pytest's `--client`), `python:MODULE:ATTR` names such a function instead: MODULE is
imported (the current folder first on the path, as `python -m` does) and ATTR is looked up
in it, dotted for a class attribute (`python:clients.broken.no_reconnect:
NoReconnectClient.in_process`). The text stays the client's name in every report.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys

from harness.client_driver import ClientError, CoroutineClient, check_command

PREFIX = "python:"
EXAMPLE = "python:clients.reference_client:in_process"


def is_python_client(text: str) -> bool:
    return text.startswith(PREFIX)


def load(text: str) -> CoroutineClient:
    """The coroutine function `text` names; ClientError saying what is wrong otherwise."""
    module_name, _, attr = text.removeprefix(PREFIX).partition(":")
    if not module_name or not attr:
        raise ClientError(f"{text!r}: expected python:MODULE:ATTR, e.g. {EXAMPLE}")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        found: object = importlib.import_module(module_name)
    except ImportError as exc:
        raise ClientError(f"{text!r}: cannot import module {module_name!r}: {exc}") from None
    except Exception as exc:  # the module's own code failed: say so, not a traceback
        raise ClientError(
            f"{text!r}: importing {module_name!r} failed: {type(exc).__name__}: {exc}"
        ) from None
    for part in attr.split("."):
        try:
            found = getattr(found, part)
        except AttributeError:
            raise ClientError(f"{text!r}: module {module_name!r} has no attribute {attr!r}") from None
    if not inspect.iscoroutinefunction(found):
        raise ClientError(
            f"{text!r}: {attr} is not a coroutine function; an in-process client is "
            "`async def client(env, printer)` (docs/in-process.md)"
        )
    return found


def check_client(text: str) -> None:
    """Raise ClientError when `text` cannot start a client, whichever form it has."""
    if is_python_client(text):
        load(text)
    else:
        check_command(text)
