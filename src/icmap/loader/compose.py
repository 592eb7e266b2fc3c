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

from collections.abc import Callable, Iterator
from operator import attrgetter
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


_VALUE = attrgetter("value")
_RESOLVER = yaml.resolver.Resolver()
_resolve: Any = _RESOLVER.resolve  # PyYAML types it loosely
_SCALAR = yaml.ScalarEvent
_STR_TAG = "tag:yaml.org,2002:str"
#: Plain scalars' tags by their text: a catalog or an org repeats the same keys and values
#: (``kind``, ``Component``, ``production``) thousands of times, and resolving one runs
#: PyYAML's regular expressions. Bounded, and only short texts, so it never holds much.
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_MAX = 50_000


def _scalar_tag(value: str, implicit: tuple[bool, bool]) -> str:
    """The tag PyYAML's resolver gives an untagged scalar (a plain one's depends on its text
    alone; a quoted one is a string)."""
    if not implicit[0]:
        return _STR_TAG
    tag = _PLAIN_TAGS.get(value)
    if tag is None:
        tag = _resolve(yaml.ScalarNode, value, implicit)
        if len(value) <= 64 and len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX:
            _PLAIN_TAGS[value] = tag
    return tag


_MAPPING_START, _MAPPING_END = yaml.MappingStartEvent, yaml.MappingEndEvent
_SEQUENCE_START, _SEQUENCE_END = yaml.SequenceStartEvent, yaml.SequenceEndEvent


def _end(event: Any) -> int:
    mark = event.end_mark
    return mark.index if mark is not None else -1


def _last_token(events: list[Any]) -> int:
    """The index of the last of ``events`` that is not a block collection's end.

    A block collection ends where the next token starts, after any blank lines and comments,
    so where its text ends depends on what follows it; its last token's end does not.
    """
    last = len(events) - 1
    while last > 0:
        event = events[last]
        kind = event.__class__
        if kind is not _MAPPING_END and kind is not _SEQUENCE_END:
            break
        start, end = event.start_mark, event.end_mark
        if start is None or end is None or start.index != end.index:
            break
        last -= 1
    return last


def _mark(line: int, column: int) -> yaml.Mark:
    return yaml.Mark("", 0, line, column, None, 0)


class _Composer:
    """Builds the tree one event at a time, with an explicit stack of open collections."""

    def __init__(
        self,
        *,
        documents: list[Node | None] | None = None,
        anchors: dict[str, Node] | None = None,
        depth: int = 0,
        duplicates: list[tuple[Node, Node]] | None = None,
    ) -> None:
        #: When given, each key that repeats an earlier one of its mapping, with that one,
        #: found as the mapping closes: readers that keep the first (the importers) say so.
        self.duplicates = duplicates
        #: When given, every document's root is appended here instead of a second one failing.
        self.documents = documents
        self.anchors: dict[str, Node] = {} if anchors is None else anchors
        #: Collections already open around the node composed (when composing one entry).
        self.depth = depth
        #: The open collections, each with its children and how many it may have.
        self.stack: list[tuple[Node, list[Node], int]] = []
        self.root: Node | None = None
        self.first_document: tuple[int, int] | None = None
        #: Whether any node was given a tag (``!vault``, ``!!str``): if none was, no node
        #: needs looking at for one.
        self.tagged = False
        #: Whether any alias was met: a node that depends on more than its own text.
        self.aliased = False

    def feed(self, event: Any) -> None:  # a yaml.Event; its attributes depend on its class
        mark = event.start_mark
        line, column = (mark.line, mark.column) if mark is not None else (0, 0)
        kind = event.__class__
        # Most events are plain scalars inside a collection: that path is kept short.
        if kind is _SCALAR:
            tag = event.tag
            if tag is None or tag == "!":
                tag = _scalar_tag(event.value, event.implicit)
            else:
                self.tagged = True
            node: Node = ScalarNode(tag, event.value, line, column)
            if event.anchor is None and self.stack:
                _, children, most = self.stack[-1]
                children.append(node)
                if len(children) > most:
                    self._too_many(line, column)
            else:
                self._anchor(event.anchor, node, line, column)
        else:
            self._structure(event, kind, line, column)

    def _structure(self, event: Any, kind: type, line: int, column: int) -> None:
        """Any event but a scalar: collections opening and closing, aliases, documents."""
        if kind is _MAPPING_END or kind is _SEQUENCE_END:
            node, children, _ = self.stack.pop()
            if kind is _MAPPING_END:
                keys = children[0::2]
                node.value = list(zip(keys, children[1::2], strict=True))
                if self.duplicates is not None and len(keys) > 1:
                    self._check_keys(keys)
            else:
                node.value = children
        elif kind is _MAPPING_START or kind is _SEQUENCE_START:
            self._open(event, line, column)
        elif kind is yaml.AliasEvent:
            self.aliased = True
            if event.anchor not in self.anchors:
                problem = f"found undefined alias {event.anchor!r}"
                raise ComposerError(None, None, problem, _mark(line, column))
            self._add(self.anchors[event.anchor], line, column)
        elif kind is yaml.DocumentEndEvent and self.documents is not None:
            self.documents.append(self.root)
            self.root, self.anchors = None, {}
        elif kind is yaml.DocumentStartEvent:
            if self.first_document is not None and self.documents is None:
                raise ComposerError(
                    "expected a single document in the stream",
                    _mark(*self.first_document),
                    "but found another document",
                    _mark(line, column),
                )
            self.first_document = (line, column)

    def _check_keys(self, keys: list[Node]) -> None:
        # One set per mapping, looked into only when it is smaller than the keys: a
        # catalog's hundred thousand entities cost a set each, never a second walk.
        try:
            if len(set(map(_VALUE, keys))) == len(keys):
                return
        except TypeError:  # a list or mapping as a key: no text, no duplicate by text
            pass
        first: dict[str, Node] = {}
        for key in keys:
            if isinstance(key, ScalarNode):
                seen = first.setdefault(key.value, key)
                if seen is not key and self.duplicates is not None:
                    self.duplicates.append((key, seen))

    def _open(self, event: yaml.Event, line: int, column: int) -> None:
        if len(self.stack) + self.depth >= MAX_DEPTH:
            raise LimitError(f"nesting deeper than {MAX_DEPTH} levels", line, column)
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!":
            self.tagged = True
        node: Node
        if isinstance(event, yaml.MappingStartEvent):
            tag = _MAP_TAG if tag is None or tag == "!" else tag
            node = MappingNode(tag, [], line, column, bool(event.flow_style))
            most = 2 * MAX_ENTRIES  # a key and a value each
        else:
            tag = _SEQ_TAG if tag is None or tag == "!" else tag
            node = SequenceNode(tag, [], line, column)
            most = MAX_ENTRIES
        self._anchor(getattr(event, "anchor", None), node, line, column)
        self.stack.append((node, [], most))

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
        _, children, most = self.stack[-1]
        children.append(node)
        if len(children) > most:
            self._too_many(line, column)

    @staticmethod
    def _too_many(line: int, column: int) -> None:
        message = f"more than {MAX_ENTRIES:,} entries in one mapping or list"
        raise LimitError(message, line, column)


def compose(
    text: str,
    loader: type[yaml.SafeLoader],
    duplicates: list[tuple[Node, Node]] | None = None,
) -> Node | None:
    """The single document in ``text`` as nodes (``None`` for an empty stream); each repeated
    key, with the first, appended to ``duplicates`` when given.

    Raises ``yaml.YAMLError`` for malformed YAML, with positions, and :class:`LimitError`.
    """
    composer = _Composer(duplicates=duplicates)
    for event in yaml.parse(text, Loader=loader):
        composer.feed(event)
    return composer.root


def compose_documents(
    text: str,
    loader: type[yaml.SafeLoader],
    duplicates: list[tuple[Node, Node]] | None = None,
) -> tuple[list[Node | None], bool]:
    """Every document in ``text`` as nodes, for formats that allow several (Backstage catalogs),
    and whether any node in them was given a tag; repeated keys as :func:`compose` finds them.

    An empty document (``---`` followed by nothing) is ``None``. Raises as :func:`compose`.
    """
    documents: list[Node | None] = []
    composer = _Composer(documents=documents, duplicates=duplicates)
    # The parser's own calls, without yaml.parse's generator around each of a million events.
    parser = loader(text)
    check: Callable[[], bool] = parser.check_event
    get: Callable[[], yaml.Event] = parser.get_event
    dispose: Callable[[], None] = parser.dispose
    feed = composer.feed
    try:
        while check():
            feed(get())
    finally:
        dispose()
    return documents, composer.tagged


class EntryStream:
    """One document composed a piece at a time, so a large file never exists as one tree.

    The caller walks the events of the outer collections itself (:meth:`peek`, :meth:`next`)
    and asks for each entry inside them as a node (:meth:`node`), which it can drop once read:
    a 100k-team file then holds one team's nodes at a time instead of a million. Anchors are
    shared across the pieces, so an alias may name a node composed earlier, as in one tree.
    Raises as :func:`compose`.
    """

    def __init__(self, text: str, loader: type[yaml.SafeLoader]) -> None:
        # The parser's own peek and get, without yaml.parse's generator around them.
        parser = loader(text)
        self.text = text
        self.peek: Callable[[], yaml.Event] = parser.peek_event
        self.next: Callable[[], yaml.Event] = parser.get_event
        self.anchors: dict[str, Node] = {}
        self._document: tuple[int, int] = (0, 0)
        #: What :mod:`.reuse` needs of the last node composed: where it starts and where its
        #: last token ends in the text (character indices), its events and how many of them
        #: close collections after that token, and whether its text alone decides it (no
        #: anchor, alias nor tag).
        self.start = self.end = self.events = self.closing = 0
        self.plain = True

    def node(self, depth: int) -> Node:
        """The node starting at the next event; ``depth`` collections are open around it."""
        event: Any = self.next()
        mark = event.start_mark
        self.start = mark.index if mark is not None else 0
        if event.__class__ is _SCALAR and event.anchor is None:  # a key, most often
            tag = event.tag
            self.plain = tag is None or tag == "!"
            if tag is None or tag == "!":
                tag = _scalar_tag(event.value, event.implicit)
            line, column = (mark.line, mark.column) if mark is not None else (0, 0)
            end = event.end_mark
            self.end = end.index if end is not None else 0
            self.events, self.closing = 1, 0
            return ScalarNode(tag, event.value, line, column)
        anchors = len(self.anchors)
        composer = _Composer(anchors=self.anchors, depth=depth)
        events = self._compose(composer, event)
        assert composer.root is not None
        last = _last_token(events)
        self.end, self.events = _end(events[last]), len(events)
        self.closing = len(events) - 1 - last
        self.plain = not (composer.tagged or composer.aliased or len(self.anchors) > anchors)
        return composer.root

    def _compose(self, composer: _Composer, event: Any) -> list[Any]:
        """Feed ``composer`` the collection ``event`` opens, up to its end; its events."""
        feed, next_event = composer.feed, self.next
        feed(event)
        events = [event]
        keep, stack, known_tags = events.append, composer.stack, _PLAIN_TAGS
        # A team's events are nearly all plain scalars and collections closing: those are
        # composed here as _Composer.feed would, without a call each; the rest go to feed.
        while stack:
            event = next_event()
            keep(event)
            kind = event.__class__
            if kind is _SCALAR and event.anchor is None:
                tag, value = event.tag, event.value
                if tag is None or tag == "!":
                    if event.implicit[0]:
                        tag = known_tags.get(value) or _scalar_tag(value, event.implicit)
                    else:
                        tag = _STR_TAG
                else:
                    composer.tagged = True
                mark = event.start_mark
                line, column = (mark.line, mark.column) if mark is not None else (0, 0)
                _, children, most = stack[-1]
                children.append(ScalarNode(tag, value, line, column))
                if len(children) > most:
                    composer._too_many(line, column)
            elif kind is _MAPPING_END:
                node, children, _ = stack.pop()
                node.value = list(zip(children[0::2], children[1::2], strict=True))
            elif kind is _SEQUENCE_END:
                node, children, _ = stack.pop()
                node.value = children
            else:
                feed(event)
        return events

    def skip(self, events: int, closing: int) -> int:
        """Pass over the next ``events`` events without composing them (a node read before,
        :mod:`.reuse`), and say where its last token ends in the text; -1 unless exactly the
        last ``closing`` events close collections after that token."""
        next_event = self.next
        passed = [next_event() for _ in range(events)]
        if None in passed or _last_token(passed) != events - 1 - closing:
            return -1
        return _end(passed[-1 - closing])

    def keys(self, depth: int) -> Iterator[Node]:
        """The key of each entry of the mapping just opened, ``depth`` collections deep.

        The caller reads each key's value (:meth:`node`) before asking for the next key; the
        mapping's end is consumed after the last. Past :data:`MAX_ENTRIES` entries it raises
        :class:`LimitError` at the first key too many, as :func:`compose` does.
        """
        count = 0
        while not isinstance(self.peek(), yaml.MappingEndEvent):
            count += 1
            key = self.node(depth)
            if count > MAX_ENTRIES:
                message = f"more than {MAX_ENTRIES:,} entries in one mapping or list"
                raise LimitError(message, key.line, key.column)
            yield key
        self.next()

    def open_mapping(self, event: yaml.Event, depth: int) -> MappingNode:
        """An empty node standing for a mapping streamed entry by entry (tag and position)."""
        assert isinstance(event, yaml.MappingStartEvent)
        mark = event.start_mark
        line, column = (mark.line, mark.column) if mark is not None else (0, 0)
        if depth >= MAX_DEPTH:
            raise LimitError(f"nesting deeper than {MAX_DEPTH} levels", line, column)
        tag = _MAP_TAG if event.tag is None or event.tag == "!" else event.tag
        return MappingNode(tag, [], line, column, bool(event.flow_style))

    def start_document(self) -> bool:
        """Consume the start of the stream and of its document; ``False`` if it has none."""
        self.next()  # the stream's start
        if isinstance(self.peek(), yaml.StreamEndEvent):
            return False
        mark = self.next().start_mark
        self._document = (mark.line, mark.column) if mark is not None else (0, 0)
        return True

    def single_document_end(self) -> None:
        """Consume the end of the document, refusing a second one as :func:`compose` does."""
        self.next()  # the document's end
        event = self.next()
        if isinstance(event, yaml.DocumentStartEvent):
            mark = event.start_mark
            second = (mark.line, mark.column) if mark is not None else (0, 0)
            raise ComposerError(
                "expected a single document in the stream",
                _mark(*self._document),
                "but found another document",
                _mark(*second),
            )
