"""Plain text of any rich renderable, for files and pipes: no colour, no trailing spaces."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.segment import Segment
from rich.text import Text
from rich.tree import Tree

from icmap.safe_text import visible


class SafeConsole(Console):
    """A console whose text segments show control and bidi characters visibly.

    Styles become escape sequences only after this, so colour still works; the text itself can
    never carry one to the terminal.
    """

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control is None:
                text = visible(segment.text)
                if text != segment.text:
                    segment = Segment(text, segment.style)  # noqa: PLW2901 -- the safe copy
            yield segment

    def on_broken_pipe(self) -> None:
        """Rich exits 1 on a closed pipe, which ``icmap check`` means as findings: a reader
        that went away is no failure, so the command ends with its own exit code."""
        from icmap.cli.output import reader_gone

        reader_gone()


#: Width of plain text written to a file or a pipe (unless COLUMNS says otherwise).
PLAIN_WIDTH = 100


def tidy(text: str) -> str:
    """``text`` without trailing spaces on any line, ending in one newline."""
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def to_plain_text(
    renderable: RenderableType, width: int = PLAIN_WIDTH, *, soft_wrap: bool = False
) -> str:
    """Render without styles, wrapped at ``width`` columns (not at all with ``soft_wrap``),
    with no trailing spaces."""
    buffer = io.StringIO()
    console = SafeConsole(
        file=buffer, width=width, no_color=True, color_system=None, highlight=False
    )
    if not soft_wrap:
        lines = plain_lines(console, renderable)
        if lines is not None:
            return tidy("".join(line + "\n" for line in lines))
    console.print(renderable, soft_wrap=soft_wrap)
    return tidy(buffer.getvalue())


#: What makes rich's layout of a line differ from the line itself: tabs and line breaks, and the
#: characters :class:`SafeConsole` writes visibly (wider than they were when measured).
_NOT_AS_IS = re.compile(r"[\t\n\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


#: The guides rich draws for a tree of the default style (rich 13.7 keeps them inside its
#: renderer): space, down, fork, end; in ASCII where the output is not UTF-8.
_GUIDES = ("    ", "│   ", "├── ", "└── ")
_ASCII_GUIDES = ("    ", "|   ", "+-- ", "`-- ")


def plain_lines(console: Console, renderable: RenderableType) -> list[str] | None:
    """The lines ``console.print(renderable)`` writes when it writes no styles, or ``None`` when
    ``renderable`` is not made only of texts, trees of texts and groups of these.

    Laying out a tree of 100,000 teams through rich takes minutes (every label measured,
    wrapped and cropped beside its guides, each level rendering its children again). Here a
    label that fits beside its guides is written as it is, which is what rich writes for it; a
    longer one is wrapped by rich's own word division at the width rich gives it; one with a
    tab, a line break or a character written visibly is laid out by rich itself. The output is
    the same byte for byte (tests compare them on random trees). Lines are not padded: callers
    drop trailing spaces (:func:`tidy`).
    """
    if not _plain_only(renderable):
        return None
    width = console.width
    options = console.options
    space, down, fork, end = _ASCII_GUIDES if options.ascii_only else _GUIDES
    lines: list[str] = []

    def label_lines(label: RenderableType, prefix: str, first: str, after: str) -> None:
        # Every guide is four characters of one cell each.
        room = width - len(prefix) - len(first)
        text = label.plain if isinstance(label, Text) else "\t"  # only Texts reach here
        if room >= 1 and not _NOT_AS_IS.search(text):
            pieces = [text] if _cells(text) <= room else _folded(text, room)
            if pieces is not None:
                lines.append(prefix + first + pieces[0])
                lines.extend(prefix + after + piece for piece in pieces[1:])
                return
        laid = console.render_lines(
            label, options.update(width=room, highlight=False, height=None), pad=False
        )
        for index, segments in enumerate(laid):
            line = prefix + (first if index == 0 else after) + "".join(s.text for s in segments)
            if cell_len(line) > width:  # deep guides: rich crops the line at the console's width
                line = "".join(s.text for s in Segment.adjust_line_length([Segment(line)], width))
            lines.append(line)

    for part in renderable.renderables if isinstance(renderable, Group) else [renderable]:
        if isinstance(part, Text):
            label_lines(part, "", "", "")
            continue
        assert isinstance(part, Tree)
        label_lines(part.label, "", "", "")
        # Iterative: a chain of hand-offs deeper than Python's stack must not fail here.
        stack: list[tuple[str, list[Tree], int]] = [("", part.children, 0)]
        while stack:
            prefix, children, index = stack.pop()
            if index >= len(children):
                continue
            stack.append((prefix, children, index + 1))
            child = children[index]
            last = index == len(children) - 1
            label_lines(child.label, prefix, end if last else fork, space if last else down)
            if child.children:
                stack.append((prefix + (space if last else down), child.children, 0))
    return lines


#: Characters outside ASCII, in runs.
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def _cells(text: str) -> int:
    """``cell_len(text)`` for a text without control characters, measuring only what is not
    ASCII: rich measures a label with an arrow in it character by character in Python."""
    if text.isascii():
        return len(text)
    if "\u200d" in text or "\ufe0f" in text:  # joined sequences: rich measures them whole
        return cell_len(text)
    return len(text) + sum(cell_len(run) - len(run) for run in _NOT_ASCII.findall(text))


#: Trailing whitespace, as :meth:`rich.text.Text.rstrip_end` finds it.
_TRAILING = re.compile(r"\s+$")


def _folded(text: str, room: int) -> list[str] | None:
    """One line of text wrapped at ``room`` cells as :meth:`rich.text.Text.wrap` wraps it with
    its defaults (words folded where one is wider than the room), or ``None`` if this rich has
    no such step to call."""
    try:
        from rich._wrap import divide_line
    except ImportError:  # a private module: without it, rich lays the label out itself
        return None
    pieces: list[str] = []
    start = 0
    for end in [*divide_line(text, room, fold=True), len(text)]:
        piece = text[start:end]
        start = end
        excess = len(piece) - room
        if excess > 0 and (spaces := _TRAILING.search(piece)) is not None:
            piece = piece[: len(piece) - min(len(spaces.group()), excess)]
        if cell_len(piece) > room:
            piece = set_cell_size(piece, room)
        pieces.append(piece)
    return pieces


def _plain_only(renderable: RenderableType) -> bool:
    """Whether ``renderable`` is texts, trees of texts drawn as rich draws a new tree, and
    groups of these (what :func:`plain_lines` writes as rich would)."""
    parts = renderable.renderables if isinstance(renderable, Group) else [renderable]
    for part in parts:
        if isinstance(part, Text):
            if not _default_text(part):
                return False
            continue
        if not isinstance(part, Tree):
            return False
        stack = [part]
        while stack:
            tree = stack.pop()
            if not (
                isinstance(tree.label, Text)
                and _default_text(tree.label)
                and tree.expanded
                and not tree.hide_root
                and tree.style == "tree"
                and tree.guide_style == "tree.line"
            ):
                return False
            stack.extend(tree.children)
    return True


def _default_text(text: Text) -> bool:
    """Whether ``text`` wraps as rich wraps a text by default (words folded, no justifying)."""
    return (
        text.justify is None
        and text.overflow is None
        and not text.no_wrap
        and text.end == "\n"
        and text.tab_size is None
    )
