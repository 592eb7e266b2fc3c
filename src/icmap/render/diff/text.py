"""``icmap diff`` in the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from icmap.render.diff.words import sections, summary
from icmap.render.picture import styles

if TYPE_CHECKING:
    from icmap.analysis.diff import OrgDiff


def _indented(text: str, style: str = "") -> Padding:
    """Two spaces in, and two spaces in again where it wraps."""
    return Padding(Text(text, style=style), (0, 0, 0, 2))


def render(diff: OrgDiff, base: str, head: str, reasons: list[str] | None = None) -> RenderableType:
    """The summary, then each section; ``reasons`` (the ``--fail-on`` conditions met) last."""
    parts: list[RenderableType] = [Text(f"{base} → {head}", style="bold")]
    for line in summary(diff):
        parts.append(_indented(line, styles.NO_PATH if line.startswith("⚠") else ""))
    for title, items in sections(diff):
        parts.append(Text(f"\n{title}", style="bold underline"))
        parts += [_indented(item) for item in items]
    return Group(*parts)
