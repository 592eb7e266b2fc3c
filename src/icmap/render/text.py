"""Plain text of any rich renderable, for files and pipes: no colour, no trailing spaces."""

from __future__ import annotations

import io
from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment

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
    console.print(renderable, soft_wrap=soft_wrap)
    return tidy(buffer.getvalue())
