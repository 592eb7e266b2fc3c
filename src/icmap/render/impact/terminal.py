"""``icmap impact`` in the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from icmap.analysis.loops import cycle_text
from icmap.render.impact.words import ARROW, chain_measure, chain_text, uncounted
from icmap.render.picture import styles
from icmap.render.rows import more_rows, shown_rows

if TYPE_CHECKING:
    from icmap.analysis.impact import Hit, Impact


def _hits(title: str, hits: list[Hit], what_header: str) -> list[RenderableType]:
    table = Table(show_edge=False, box=None, pad_edge=False, header_style="bold")
    for column in ("team", "hops", what_header, "chain"):
        table.add_column(column, overflow="fold")  # a narrow terminal folds ids, never cuts them
    for hit in shown_rows(hits):
        table.add_row(
            Text(hit.team, style=styles.TEAM),
            str(hit.distance),
            Text("; ".join(hit.first_handoff)),
            Text(chain_text(hit), style="dim"),
        )
    body: RenderableType = table if hits else Text("none")
    parts: list[RenderableType] = [Text(f"\n{title}", style="bold underline"), body]
    cut = more_rows(len(hits))
    if cut:
        parts.append(Text(cut, style="dim"))
    return parts


def render(result: Impact, *, down: bool, up: bool) -> RenderableType:
    parts: list[RenderableType] = [Text(result.verdict(), style="bold")]
    for cycle in result.loops:
        line = Text("comes back round: ", style=styles.LOOP)
        line.append(cycle_text(cycle.teams) + ("  (closed by feedback)" if cycle.feedback else ""))
        parts.append(line)
    if down:
        parts += _hits("Downstream (depends on its output)", result.downstream, "first hand-off")
        parts.append(Text("\nCustomers hit", style="bold underline"))
        for hit in result.customers:
            fastest = Text(f"fastest {chain_measure(hit.fastest_hours, hit.fastest, result.unit)} ")
            fastest.append(ARROW.join(hit.fastest), style="dim")
            if hit.fastest_feedback:
                fastest.append("  ↺ through feedback")
            if hit.fastest_missing:
                fastest.append(f"  ({uncounted(hit.fastest_missing)})")
            if hit.longest is None:
                longest = Text("reached only through a feedback hand-off", style="dim")
            else:
                measure = chain_measure(hit.longest.total, hit.longest.path, result.unit)
                longest = Text(f"longest {measure} ")
                longest.append(ARROW.join(hit.longest.path), style="dim")
                if hit.longest.missing_lead_times:
                    note = uncounted(hit.longest.missing_lead_times)
                    longest.append(f"  ({note})")
            # A grid, so that a chain wrapped on a narrow terminal keeps its indent.
            grid = Table.grid()
            grid.add_column(no_wrap=True)
            grid.add_column()
            grid.add_row(Text(f"{hit.customer}: ", style="bold"), fastest)
            grid.add_row("", longest)
            parts.append(grid)
        if not result.customers:
            parts.append(Text("none: its work reaches no external customer"))
    if up:
        parts.append(
            Text("\nStranded (every path to a customer runs through it)", style="bold underline")
        )
        stranded = ", ".join(result.stranded) if result.stranded else "none"
        parts.append(Text(stranded, style=styles.NO_PATH if result.stranded else ""))
        parts += _hits("Upstream (what it depends on)", result.upstream, "hands over")
    return Group(*parts)
