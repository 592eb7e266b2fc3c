"""``icmap diff`` in the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text

from icmap.render.diff_words import sections, summary

if TYPE_CHECKING:
    from icmap.analysis.diff import OrgDiff


def render(diff: OrgDiff, base: str, head: str) -> RenderableType:
    parts: list[RenderableType] = [Text(f"{base} → {head}", style="bold")]
    for line in summary(diff):
        parts.append(Text(f"  {line}", style="yellow" if line.startswith("⚠") else ""))
    for title, items in sections(diff):
        parts.append(Text(f"\n{title}", style="bold underline"))
        parts += [Text(f"  {item}") for item in items]
    return Group(*parts)
