"""Reading composed YAML nodes leniently: importers accept what real files hold.

The org loader refuses anything outside its format; an importer reads formats it does not own,
so an unexpected shape (a list where a mapping belongs, a number where text belongs) becomes a
warning at its position and the rest of the file is still read.
"""

from __future__ import annotations

from icmap.diagnostics import LOADER_CODES, Diagnostic
from icmap.loader.compose import MappingNode, Node, ScalarNode, SequenceNode
from icmap.loader.reader import STANDARD_TAGS, describe, tag_as_written
from icmap.model import SourcePos

_NULL = "tag:yaml.org,2002:null"


def position(display: str, node: Node) -> SourcePos:
    """Where ``node`` starts in ``display``, 1-based."""
    return SourcePos(display, node.line + 1, node.column + 1)


def entries(node: Node | None) -> dict[str, tuple[Node, Node]] | None:
    """A mapping's text keys (as written, first occurrence kept) → (key node, value node)."""
    if not isinstance(node, MappingNode):
        return None
    found: dict[str, tuple[Node, Node]] = {}
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.tag != _NULL:
            found.setdefault(str(key.value), (key, value))
    return found


def text(node: Node | None) -> str | None:
    """A scalar's text, stripped; ``None`` for null, empty text, a list or a mapping."""
    if not isinstance(node, ScalarNode) or node.tag == _NULL:
        return None
    value = str(node.value).strip()
    return value or None


def items(node: Node | None) -> list[Node]:
    """A list's items; one scalar or mapping is read as a list of one; null as none."""
    if node is None or (isinstance(node, ScalarNode) and node.tag == _NULL):
        return []
    if isinstance(node, SequenceNode):
        return list(node.value)
    return [node]


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and (node.tag == _NULL or not str(node.value).strip())


def shape(node: Node) -> str:
    """How a node reads in a message: 'a list', 'a mapping', 'null', "'abc'"."""
    return describe(node)


def get(mapping: dict[str, tuple[Node, Node]] | None, key: str) -> Node | None:
    """The value node under ``key`` (``None`` when the key is missing)."""
    if mapping is None or key not in mapping:
        return None
    return mapping[key][1]


def tag_problems(root: Node | None, display: str) -> list[Diagnostic]:
    """An ``IC003`` warning at each node with a tag the org format does not know
    (``!vault``, ``!!python/object/apply:os.system``), as the org loader reports them.

    icmap resolves no tag: the value is read as the plain YAML it is written as. Each node is
    visited once, so an alias (even one naming its own collection) costs nothing more.

    >>> from icmap.loader.source import parse_documents_text
    >>> root = parse_documents_text("a: !vault x\\nb: [!!binary eA==, 1]\\n", "c.yaml").roots[0]
    >>> [(d.line, d.col, d.message.split(":")[0]) for d in tag_problems(root, "c.yaml")]
    [(1, 4, "unsupported tag '!vault'"), (2, 5, "unsupported tag '!!binary'")]
    """
    found: list[Diagnostic] = []
    seen: set[int] = set()
    stack: list[Node] = [] if root is None else [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.tag not in STANDARD_TAGS:
            tag = tag_as_written(node.tag)
            found.append(
                Diagnostic(
                    display,
                    node.line + 1,
                    node.column + 1,
                    "IC003",
                    f"unsupported tag {tag!r}: icmap resolves no tags, the value is read as "
                    "plain YAML",
                    "warning",
                    "remove the tag; a secret or object has no place in what icmap reads",
                    LOADER_CODES["IC003"],
                )
            )
        if isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, MappingNode):
            for key, value in reversed(node.value):
                stack.extend((value, key))
    return found
