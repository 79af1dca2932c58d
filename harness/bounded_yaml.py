"""Compose YAML with bounds on nesting and on how far aliases expand.

A scenario file is read by `list`, `run` and pytest collection, so a small hostile or
careless file must not stall or crash them. PyYAML composes aliases by sharing the node,
which is cheap, but everything that walks the result afterwards (the loader's checks, the
decoder) visits a shared node once per use: ten levels of ten aliases each make 10^10
visits from a ten-line file. And its composer recurses once per nesting level, so a few
hundred `[` end in RecursionError instead of an answer.

So the composer here keeps, for every node as it completes, the number of values the node
stands for once aliases are expanded and how deep it nests, and refuses a file that
exceeds either bound at the line where it does. Children complete before their parent,
so this costs one step per child, never a walk.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.error import Mark
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_VALUES", "YamlLimitError", "compose_bounded"]

#: Nesting levels a file may use, aliases expanded. The catalog's files use at most 5; the
#: loader's own checks recurse once per level, so this also keeps them far from Python's limit.
MAX_DEPTH = 32
#: Values (keys, scalars, lists and mappings) a file may stand for once aliases are expanded.
#: The catalog's largest file has a few hundred; a walk of this many takes milliseconds.
MAX_VALUES = 10_000
#: Bytes a scenario file may have: the catalog's largest has a few kilobytes.
MAX_BYTES = 1_000_000


class YamlLimitError(yaml.MarkedYAMLError):
    """A file exceeds one of the bounds: `problem` says which, `problem_mark` where."""

    def __init__(self, problem: str, mark: Mark | None) -> None:
        super().__init__(problem=problem, problem_mark=mark)


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader's composer, counting depth and expanded size as nodes complete."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._nesting = 0
        #: id(node) -> (values it stands for, levels it nests), for every completed node.
        self._size: dict[int, tuple[int, int]] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        start = self.peek_event()  # type: ignore[no-untyped-call]
        alias = isinstance(start, AliasEvent)
        self._nesting += 1
        try:
            if self._nesting > MAX_DEPTH:
                raise YamlLimitError(f"the file nests deeper than {MAX_DEPTH} levels", start.start_mark)
            composed = super().compose_node(parent, index)
        finally:
            self._nesting -= 1
        assert composed is not None  # every event PyYAML parses composes a node
        node: Node = composed
        if alias:
            if id(node) not in self._size:
                # The anchor's node is still being composed: the alias is inside it.
                raise YamlLimitError("an alias refers to a node that contains it", start.start_mark)
            return node
        values, depth = 1, 1
        if isinstance(node, MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, SequenceNode):
            children = list(node.value)
        else:
            children = []
        for child in children:
            child_values, child_depth = self._size[id(child)]
            values += child_values
            depth = max(depth, child_depth + 1)
        if depth > MAX_DEPTH:
            raise YamlLimitError(
                f"with its aliases expanded, the file nests deeper than {MAX_DEPTH} levels", node.start_mark
            )
        if values > MAX_VALUES:
            raise YamlLimitError(
                f"with its aliases expanded, the file holds more than {MAX_VALUES:,} values "
                f"(this node alone stands for {values:,}); write the values out instead of nesting aliases",
                node.start_mark,
            )
        self._size[id(node)] = (values, depth)
        return node


def compose_bounded(data: bytes | str) -> Node | None:
    """The single document in `data` as a node tree, like `yaml.compose` with SafeLoader.

    Raises YamlLimitError for a file beyond the bounds (too large, too deep, or aliases that
    expand too far), and PyYAML's own errors for invalid YAML.
    """
    if len(data) > MAX_BYTES:
        raise YamlLimitError(
            f"the file has {len(data):,} bytes; a scenario file may have at most {MAX_BYTES:,}", None
        )
    loader = _BoundedLoader(data)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()
