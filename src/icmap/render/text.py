"""Plain text of any rich renderable, for files and pipes: no colour, no trailing spaces."""

from __future__ import annotations

import io

from rich.console import Console, RenderableType

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
    console = Console(file=buffer, width=width, no_color=True, color_system=None, highlight=False)
    console.print(renderable, soft_wrap=soft_wrap)
    return tidy(buffer.getvalue())
