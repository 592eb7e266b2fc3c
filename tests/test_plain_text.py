"""The tree written as plain text without rich's layout is what rich writes, byte for byte."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Group
from rich.text import Text
from rich.tree import Tree
from typer.testing import CliRunner

from icmap.cli import app
from icmap.render.text import (
    LazyTree,
    SafeConsole,
    plain_lines,
    plain_text_lines,
    tidy,
    tidy_lines,
    to_plain_text,
)

#: Letters, spaces, wide and zero-width characters, and what is written visibly or wraps.
_CHARS = st.sampled_from(
    [
        *"abc xyz-→←↺…◆⚠()[],;",
        "中",
        "🙂",
        "\u0301",
        "\u200d",
        "\ufe0f",
        "\x1b",
        "\t",
        "\u202e",
        "\n",
        "  ",
    ]
)
_LABELS = st.lists(_CHARS, max_size=40).map("".join) | st.sampled_from(
    ["", "a" * 95, "word " * 30, "中" * 60, "x" * 101]
)


@st.composite
def _trees(draw: st.DrawFn, depth: int = 0) -> Tree:
    tree = Tree(Text(draw(_LABELS)))
    if depth < 30:
        for _ in range(draw(st.integers(0, 3 if depth < 4 else 1))):
            tree.children.append(draw(_trees(depth + 1)))
    return tree


def _console(width: int, encoding: str = "utf-8") -> tuple[SafeConsole, io.BytesIO]:
    raw = io.BytesIO()
    # rich draws the guides in ASCII when the file's encoding is not UTF-8.
    file = io.TextIOWrapper(raw, encoding=encoding, write_through=True)
    console = SafeConsole(file=file, width=width, no_color=True, color_system=None, highlight=False)
    return console, raw


def _by_rich(renderable: Group, width: int, encoding: str = "utf-8") -> str:
    console, raw = _console(width, encoding)
    console.print(renderable)
    return tidy(raw.getvalue().decode(encoding))


def _fast(renderable: Group, width: int, encoding: str = "utf-8") -> str:
    console, _ = _console(width, encoding)
    lines = plain_lines(console, renderable)
    assert lines is not None
    return tidy("".join(line + "\n" for line in lines))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_trees() | _LABELS.map(Text), min_size=1, max_size=4),
    st.sampled_from([100, 40, 12, 3]),
)
def test_random_trees_as_rich_writes_them(parts: list[Tree | Text], width: int) -> None:
    group = Group(*parts)
    assert _fast(group, width) == _by_rich(group, width)
    assert to_plain_text(group, width) == _by_rich(group, width)


def _lazy(tree: Tree) -> LazyTree:
    """``tree`` as a view gives it: rich draws the Tree, plain text walks its labels."""

    def children(node: object) -> list[tuple[str, object | None]]:
        assert isinstance(node, Tree)
        return [(child.label.plain, child) for child in node.children]  # type: ignore[union-attr]

    assert isinstance(tree.label, Text)
    return LazyTree(tree.label.plain, tree, children, lambda depth: tree)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_trees() | _LABELS.map(Text), min_size=1, max_size=4),
    st.sampled_from([100, 40, 12, 3]),
)
def test_trees_made_as_they_are_written_as_rich_writes_them(
    parts: list[Tree | Text], width: int
) -> None:
    lazy = Group(*(_lazy(part) if isinstance(part, Tree) else part for part in parts))
    written = _by_rich(Group(*parts), width)
    assert _by_rich(lazy, width) == written  # the terminal's path: rich draws the Tree
    assert _fast(lazy, width) == written
    lines = plain_text_lines(lazy, width)
    assert lines is not None
    assert "".join(lines) == to_plain_text(lazy, width) == written


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            _CHARS | st.sampled_from(["\r", "\x0b", "\x1c", "\x85", "\u2028", " "]), max_size=6
        )
        .map("".join)
        .map(lambda line: line.replace("\n", "")),
        max_size=6,
    )
)
def test_lines_tidied_one_by_one_as_the_whole_text(lines: list[str]) -> None:
    assert "".join(tidy_lines(lines)) == tidy("".join(line + "\n" for line in lines))


def test_deep_chain_past_the_width() -> None:
    root = tree = Tree(Text("customer"))
    for level in range(40):
        tree = tree.add(Text(f"team-{level} → work (3d)"))
    assert to_plain_text(root, 100) == _by_rich(Group(root), 100)


def _chain(length: int) -> Tree:
    root = tree = Tree(Text("customer"))
    for level in range(length):
        tree = tree.add(Text(f"team-{level} → work (3d)"))
    return root


def test_a_chain_thousands_deep_is_walked_only_as_far_as_it_shows() -> None:
    """Guides for every level of a chain 100,000 teams deep held gigabytes (round 8)."""
    asked: list[str] = []

    def children(node: object) -> list[tuple[str, object | None]]:
        assert isinstance(node, int)
        asked.append(str(node))
        return [(f"team-{node} → work (3d)", node + 1)]

    def build(depth: int) -> Tree:
        return _chain(depth)

    lazy = LazyTree("customer", 0, children, build)
    written = _by_rich(Group(_chain(300)), 100)
    assert _fast(Group(lazy), 100) == written
    assert _by_rich(Group(lazy), 100) == written  # the terminal's tree is built as deep only
    # A label 25 levels down has no room left beside 100 cells of guides.
    assert len(asked) == 24
    assert "-23" in written and "24" not in written


def test_a_tree_deeper_than_the_width_says_so_under_it() -> None:
    def children(node: object) -> list[tuple[str, object | None]]:
        assert isinstance(node, int)
        return [(f"team-{node} → work (3d)", node + 1 if node < 29 else None)]

    def build(depth: int) -> Tree:
        return _chain(min(depth, 30))

    lazy = LazyTree("customer", 0, children, build, deepest=30)
    note = (
        "… this tree goes 30 hand-offs deep and 24 fit this width: the teams deeper are left "
        "out here; --focus TEAM shows a team's own, -f json every one"
    )
    for written in (_fast(Group(lazy), 100), _by_rich(Group(lazy), 100)):
        assert " ".join(written.split()).endswith(note)
    assert _fast(Group(lazy), 100) == _by_rich(Group(lazy), 100)
    # As wide as the tree is deep: nothing said.
    wide = LazyTree("customer", 0, children, build, deepest=30)
    assert "this tree goes" not in _fast(Group(wide), 200)
    assert _fast(Group(wide), 200) == _by_rich(Group(wide), 200)


def test_a_chain_past_the_width_in_the_terminal_tree_is_said(tmp_path: Path) -> None:
    org = tmp_path / "deep.yaml"
    chain = "".join(f"  t{k}: {{provides: [{{what: w, to: t{k - 1}}}]}}\n" for k in range(1, 30))
    org.write_text(
        "customers: {c: {}}\nteams:\n  t0: {provides: [{what: w, to: c}]}\n" + chain,
        encoding="utf-8",
    )
    out = CliRunner().invoke(app, ["graph", str(org)], env={"COLUMNS": "100"}).stdout
    assert "this tree goes 30 hand-offs deep and 24 fit this width" in " ".join(out.split())


def test_ascii_guides_where_the_output_is_not_utf8() -> None:
    root = Tree(Text("customer"))
    for name in ("a", "b"):
        root.add(Text(name)).add(Text(f"{name}-provider " * 12))
    written = _by_rich(Group(root), 60, "ascii")
    assert "`-- " in written
    assert _fast(Group(root), 60, "ascii") == written
    assert _fast(Group(_lazy(root)), 60, "ascii") == written


@pytest.mark.parametrize("label", ["plain", "long " * 30])
def test_other_renderables_go_through_rich(label: str) -> None:
    from rich.table import Table

    table = Table("a")
    table.add_row(label)
    assert plain_lines(SafeConsole(file=io.StringIO()), Group(Text(label), table)) is None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(_CHARS | st.sampled_from(["\r", "\x07", "ab"]), max_size=6).map("".join),
            st.sampled_from([None, "", "bold", "dim italic"]),
        ),
        max_size=8,
    )
)
def test_a_label_made_at_once_is_the_text_appending_makes(
    pieces: list[tuple[str, str | None]],
) -> None:
    from icmap.render.picture.tree import _Label

    appended, label = Text(), _Label()
    for piece, style in pieces:
        appended.append(piece, style=style)
        label.append(piece, style=style)
    made = label.text()
    assert (made.plain, made.spans) == (appended.plain, appended.spans)
