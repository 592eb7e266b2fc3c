"""Plain text of any rich renderable: no colour, no wrapping, for files and pipes."""

from __future__ import annotations

import io

from rich.console import Console, RenderableType


def to_plain_text(renderable: RenderableType) -> str:
    """Render without styles at a width that never wraps."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=100_000, no_color=True, color_system=None, highlight=False)
    console.print(renderable)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
