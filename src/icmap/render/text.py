"""Plain text of any rich renderable: no colour, no wrapping, for files and pipes."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment

from icmap.errors import StdoutClosedError
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
        """Rich exits 1 on a closed pipe, which ``icmap check`` means as findings: say 2."""
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise StdoutClosedError


def to_plain_text(renderable: RenderableType) -> str:
    """Render without styles at a width that never wraps, control characters shown safely."""
    buffer = io.StringIO()
    console = SafeConsole(
        file=buffer, width=100_000, no_color=True, color_system=None, highlight=False
    )
    console.print(renderable)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
