"""Composing a YAML event stream into compact, positioned nodes, one event at a time.

PyYAML's composers recurse once per nesting level (libyaml's on the C stack, which crashes near
50,000 levels) and give every node a ``__dict__`` and two marks: a few hundred bytes each. This
composer keeps its own stack, refuses nesting deeper than :data:`MAX_DEPTH` and collections of
more than :data:`MAX_ENTRIES` entries as it reads them, and builds slotted nodes holding only the
start position, about a third of the memory. libyaml still parses (its parser keeps its stack on
the heap); only the composing is done here, with PyYAML's own tag resolution.

Aliases stay shared nodes, as in PyYAML: an alias is the very node its anchor names.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError

#: Nesting deeper than this is refused. An org needs about 6 levels.
MAX_DEPTH = 100
#: Entries in one mapping or list (teams in ``teams:``, keys of one team, ids in one ``to``).
MAX_ENTRIES = 200_000

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


class Node:
    """A composed YAML node: its resolved tag, its value, and where it starts (0-based)."""

    __slots__ = ("column", "line", "tag", "value")

    def __init__(self, tag: str, value: Any, line: int, column: int) -> None:
        self.tag, self.value, self.line, self.column = tag, value, line, column


class ScalarNode(Node):
    """Text as written (``value`` is a ``str``)."""

    __slots__ = ()


class SequenceNode(Node):
    """A list (``value`` is a list of nodes)."""

    __slots__ = ()


class MappingNode(Node):
    """A mapping (``value`` is a list of ``(key node, value node)`` pairs)."""

    __slots__ = ("flow_style",)

    def __init__(self, tag: str, value: Any, line: int, column: int, flow_style: bool) -> None:
        super().__init__(tag, value, line, column)
        self.flow_style = flow_style


class LimitError(Exception):
    """The document passes :data:`MAX_DEPTH` or :data:`MAX_ENTRIES`, at ``line``/``column``."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


_RESOLVER = yaml.resolver.Resolver()


def _mark(line: int, column: int) -> yaml.Mark:
    return yaml.Mark("", 0, line, column, None, 0)


class _Composer:
    """Builds the tree one event at a time, with an explicit stack of open collections."""

    def __init__(self, *, documents: list[Node | None] | None = None) -> None:
        #: When given, every document's root is appended here instead of a second one failing.
        self.documents = documents
        self.anchors: dict[str, Node] = {}
        self.stack: list[tuple[Node, list[Node]]] = []  # open collections, their children
        self.root: Node | None = None
        self.first_document: tuple[int, int] | None = None

    def feed(self, event: yaml.Event) -> None:
        mark = event.start_mark
        line, column = (mark.line, mark.column) if mark is not None else (0, 0)
        # Most events are scalars: tested first.
        if isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                resolve = _RESOLVER.resolve  # PyYAML types it loosely
                tag = resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
            self._anchor(event.anchor, ScalarNode(tag, event.value, line, column), line, column)
        elif isinstance(event, yaml.CollectionEndEvent):
            node, children = self.stack.pop()
            if isinstance(node, MappingNode):
                node.value = list(zip(children[0::2], children[1::2], strict=True))
            else:
                node.value = children
        elif isinstance(event, yaml.CollectionStartEvent):
            self._open(event, line, column)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                problem = f"found undefined alias {event.anchor!r}"
                raise ComposerError(None, None, problem, _mark(line, column))
            self._add(self.anchors[event.anchor], line, column)
        elif isinstance(event, yaml.DocumentEndEvent) and self.documents is not None:
            self.documents.append(self.root)
            self.root, self.anchors = None, {}
        elif isinstance(event, yaml.DocumentStartEvent):
            if self.first_document is not None and self.documents is None:
                raise ComposerError(
                    "expected a single document in the stream",
                    _mark(*self.first_document),
                    "but found another document",
                    _mark(line, column),
                )
            self.first_document = (line, column)

    def _open(self, event: yaml.CollectionStartEvent, line: int, column: int) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise LimitError(f"nesting deeper than {MAX_DEPTH} levels", line, column)
        tag = event.tag
        node: Node
        if isinstance(event, yaml.MappingStartEvent):
            tag = _MAP_TAG if tag is None or tag == "!" else tag
            node = MappingNode(tag, [], line, column, bool(event.flow_style))
        else:
            tag = _SEQ_TAG if tag is None or tag == "!" else tag
            node = SequenceNode(tag, [], line, column)
        self._anchor(event.anchor, node, line, column)
        self.stack.append((node, []))

    def _anchor(self, anchor: str | None, node: Node, line: int, column: int) -> None:
        if anchor is not None:
            if anchor in self.anchors:
                first = self.anchors[anchor]
                raise ComposerError(
                    f"found duplicate anchor {anchor!r}; first occurrence",
                    _mark(first.line, first.column),
                    "second occurrence",
                    _mark(line, column),
                )
            self.anchors[anchor] = node
        self._add(node, line, column)

    def _add(self, node: Node, line: int, column: int) -> None:
        if not self.stack:
            self.root = node
            return
        parent, children = self.stack[-1]
        children.append(node)
        most = 2 * MAX_ENTRIES if isinstance(parent, MappingNode) else MAX_ENTRIES
        if len(children) > most:
            message = f"more than {MAX_ENTRIES:,} entries in one mapping or list"
            raise LimitError(message, line, column)


def compose(text: str, loader: type[yaml.SafeLoader]) -> Node | None:
    """The single document in ``text`` as nodes (``None`` for an empty stream).

    Raises ``yaml.YAMLError`` for malformed YAML, with positions, and :class:`LimitError`.
    """
    composer = _Composer()
    for event in yaml.parse(text, Loader=loader):
        composer.feed(event)
    return composer.root


def compose_documents(text: str, loader: type[yaml.SafeLoader]) -> list[Node | None]:
    """Every document in ``text`` as nodes, for formats that allow several (Backstage catalogs).

    An empty document (``---`` followed by nothing) is ``None``. Raises as :func:`compose`.
    """
    documents: list[Node | None] = []
    composer = _Composer(documents=documents)
    for event in yaml.parse(text, Loader=loader):
        composer.feed(event)
    return documents
