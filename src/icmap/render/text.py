"""Plain text of any rich renderable, for files and pipes: no colour, no trailing spaces."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator

from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
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
    if not soft_wrap:
        lines = plain_text_lines(renderable, width)
        if lines is not None:
            return "".join(lines)
    buffer = io.StringIO()
    console = _plain_console(buffer, width)
    console.print(renderable, soft_wrap=soft_wrap)
    return tidy(buffer.getvalue())


def _plain_console(file: io.StringIO, width: int) -> SafeConsole:
    return SafeConsole(file=file, width=width, no_color=True, color_system=None, highlight=False)


def plain_text_lines(renderable: RenderableType, width: int = PLAIN_WIDTH) -> Iterator[str] | None:
    """The lines of :func:`to_plain_text` (each ending in a line feed), made one by one, or
    ``None`` when only rich's layout can make them (see :func:`plain_lines`)."""
    lines = plain_lines(_plain_console(io.StringIO(), width), renderable)
    return None if lines is None else tidy_lines(lines)


def tidy_lines(lines: Iterable[str]) -> Iterator[str]:
    """What :func:`tidy` makes of ``lines`` joined, line by line: a line of the tree is never
    held twice, nor the whole text at once."""
    empty = True
    for line in lines:
        empty = False
        if _BREAKS.search(line) is None:
            yield line.rstrip() + "\n"
        else:  # a separator str.splitlines breaks at (rare): as tidy breaks the whole text
            yield tidy(line + "\n")
    if empty:
        yield "\n"


#: Where ``str.splitlines`` breaks a line, other than a line feed (which no line holds).
_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


class LazyTree:
    """A tree whose labels are made only as it is walked, from the view's own data.

    To rich it is the :class:`~rich.tree.Tree` that ``build`` makes (the terminal's coloured
    tree, unchanged); :func:`plain_lines` walks it through ``children`` instead, which gives
    each child as the characters of its label and the key of its own children (``None`` for a
    leaf), so a tree of 400,000 labels written to a file never holds one rich object. The
    view promises that every label is a :class:`~rich.text.Text` with rich's defaults.

    ``build(depth)`` stops ``depth`` levels below the root: rich writes nothing for a label
    with no room left beside its guides, so a chain thousands of teams deep is built only as
    far as the width shows it (rich took 100 s to lay out such a chain of 10,000 teams).
    """

    __slots__ = ("build", "children", "deepest", "label", "top")

    def __init__(
        self,
        label: str,
        top: object,
        children: Callable[[object], Iterable[tuple[str, object | None]]],
        build: Callable[[int], Tree],
        deepest: int = 0,
    ) -> None:
        self.label = label
        self.top = top
        self.children = children
        self.build = build
        #: How many levels below the root the tree goes: past the width's, a line says so.
        self.deepest = deepest

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        shown = levels_shown(options.max_width)
        yield self.build(shown)
        note = deeper_note(self.deepest, shown)
        if note is not None:
            yield Text(note)


def levels_shown(width: int) -> int:
    """How many levels below its root a tree shows in ``width`` cells: a label ``n`` levels
    down has ``4 * n`` cells of guides before it, and rich writes nothing without room."""
    return max(0, (width - 1) // len(_GUIDES[0]))


def deeper_note(deepest: int, shown: int) -> str | None:
    """The line under a tree deeper than the width shows, or ``None``."""
    if deepest <= shown:
        return None
    return (
        f"… this tree goes {deepest:,} hand-offs deep and {shown} fit this width: the teams "
        "deeper are left out here; --focus TEAM shows a team's own, -f json every one"
    )


#: What makes rich's layout of a line differ from the line itself: tabs and line breaks, and the
#: characters :class:`SafeConsole` writes visibly (wider than they were when measured).
_NOT_AS_IS = re.compile(r"[\t\n\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


#: The guides rich draws for a tree of the default style (rich 13.7 keeps them inside its
#: renderer): space, down, fork, end; in ASCII where the output is not UTF-8.
_GUIDES = ("    ", "│   ", "├── ", "└── ")
_ASCII_GUIDES = ("    ", "|   ", "+-- ", "`-- ")


def plain_lines(console: Console, renderable: RenderableType) -> Iterator[str] | None:
    """The lines ``console.print(renderable)`` writes when it writes no styles, made one by one
    as they are asked for, or ``None`` when ``renderable`` is not made only of texts, trees of
    texts (:class:`LazyTree` included) and groups of these.

    Laying out a tree of 100,000 teams through rich takes minutes (every label measured,
    wrapped and cropped beside its guides, each level rendering its children again). Here a
    label that fits beside its guides is written as it is, which is what rich writes for it; a
    longer one is wrapped by rich's own word division at the width rich gives it; one with a
    tab, a line break or a character written visibly is laid out by rich itself. The output is
    the same byte for byte (tests compare them on random trees). Lines are not padded: callers
    drop trailing spaces (:func:`tidy_lines`).
    """
    if not _plain_only(renderable):
        return None
    parts = renderable.renderables if isinstance(renderable, Group) else [renderable]
    return _lines(console, parts)


def _tree_children(tree: object) -> list[tuple[str, object | None]]:
    assert isinstance(tree, Tree)
    return [(_plain(child.label), child if child.children else None) for child in tree.children]


def _plain(label: RenderableType) -> str:
    return label.plain if isinstance(label, Text) else "\t"  # only Texts reach here


def _lines(console: Console, parts: Iterable[RenderableType]) -> Iterator[str]:
    width = console.width
    options = console.options
    space, down, fork, end = _ASCII_GUIDES if options.ascii_only else _GUIDES

    def label_lines(text: str, prefix: str, first: str, after: str) -> Iterator[str]:
        # Every guide is four characters of one cell each.
        room = width - len(prefix) - len(first)
        if room < 1:  # rich lays out nothing in no room (13.7 to 15; the tests hold it there)
            return
        if room >= 1 and not _NOT_AS_IS.search(text):
            pieces = [text] if _cells(text) <= room else _folded(text, room)
            if pieces is not None:
                yield prefix + first + pieces[0]
                for piece in pieces[1:]:
                    yield prefix + after + piece
                return
        # The label's styles are not written, so its characters alone lay out the same.
        laid = console.render_lines(
            Text(text), options.update(width=room, highlight=False, height=None), pad=False
        )
        for index, segments in enumerate(laid):
            line = prefix + (first if index == 0 else after) + "".join(s.text for s in segments)
            if cell_len(line) > width:  # deep guides: rich crops the line at the console's width
                line = "".join(s.text for s in Segment.adjust_line_length([Segment(line)], width))
            yield line

    for part in parts:
        if isinstance(part, Text):
            yield from label_lines(part.plain, "", "", "")
            continue
        note = None
        if isinstance(part, LazyTree):
            root, top, children = part.label, part.top, part.children
            note = deeper_note(part.deepest, levels_shown(width))
        else:
            assert isinstance(part, Tree)
            root, top, children = _plain(part.label), part, _tree_children
        yield from label_lines(root, "", "", "")
        # Iterative: a chain of hand-offs deeper than Python's stack must not fail here.
        stack: list[tuple[str, list[tuple[str, object | None]], int]] = [
            ("", list(children(top)), 0)
        ]
        while stack:
            prefix, kids, index = stack.pop()
            if index >= len(kids):
                continue
            stack.append((prefix, kids, index + 1))
            text, key = kids[index]
            last = index == len(kids) - 1
            yield from label_lines(text, prefix, end if last else fork, space if last else down)
            # Children with no room beside their guides write nothing, nor do theirs: not
            # walking them keeps a chain thousands deep from holding thousands of guides.
            if key is not None and len(prefix) + 2 * len(space) < width:
                grandchildren = list(children(key))
                if grandchildren:
                    stack.append((prefix + (space if last else down), grandchildren, 0))
        if note is not None:
            yield from label_lines(note, "", "", "")


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
        if _cells(piece) > room:  # the piece holds no control character (see _NOT_AS_IS)
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
        if isinstance(part, LazyTree):  # its view makes every label a default Text
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
