"""The fake's layers, as the tree shows them, held by a test rather than by prose.

- No import cycle among fake_server's modules, counting imports made only for type
  checking and imports inside functions: a cycle hidden behind TYPE_CHECKING is still two
  modules that cannot be understood (or moved) one without the other.
- The exchange layer (fake_server/exchange/) imports no I/O library, directly or through
  another module of the fake: it is told the time and returns what to send.
- No fault imports server.py: faults act through the narrow target of fake_server/faults/target.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

from harness.defaults import ROOT

PACKAGE = ROOT / "fake_server"
IO_LIBRARIES = ("asyncio", "aiohttp", "websockets")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, wherever the import statement stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # `from fake_server.exchange import orders` imports the module orders.
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {m for m in _imports(path) if m in modules and m != name}
    return graph


def _external(name: str) -> set[str]:
    paths = [p for p in PACKAGE.rglob("*.py") if _module(p) == name]
    return {m.split(".")[0] for p in paths for m in _imports(p)}


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_fake_server_has_no_import_cycle() -> None:
    graph = _graph()
    cycles = sorted(name for name in graph if name in _reachable(graph, name))
    assert not cycles, f"modules on an import cycle: {cycles}"


def test_exchange_layer_imports_no_io_library() -> None:
    graph = _graph()
    exchange = [m for m in graph if m.startswith("fake_server.exchange")]
    assert len(exchange) > 10
    for name in exchange:
        reached = {name} | _reachable(graph, name)
        outside = sorted(m for m in reached if not m.startswith("fake_server.exchange"))
        assert set(outside) <= {"fake_server", "fake_server.schema", "fake_server.suggest"}, (
            f"{name} reaches {outside}: the exchange layer stands on its own"
        )
        io = sorted({lib for m in reached for lib in _external(m)} & set(IO_LIBRARIES))
        assert not io, f"{name} imports {io}"


def test_no_fault_imports_the_server() -> None:
    graph = _graph()
    faults = [m for m in graph if m.startswith("fake_server.faults")]
    assert len(faults) > 3
    for name in faults:
        reached = _reachable(graph, name)
        assert "fake_server.server" not in reached, f"{name} reaches fake_server.server"
        assert not any(m.startswith("fake_server.fronts") for m in reached), (
            f"{name} reaches a front: {sorted(m for m in reached if 'fronts' in m)}"
        )
