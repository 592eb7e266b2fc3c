"""``icmap team`` in the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from icmap.render.picture import styles
from icmap.render.team.words import (
    HEADERS,
    cells,
    chokepoint,
    critical,
    distances,
    kind_line,
    party,
    streams,
    title,
)

if TYPE_CHECKING:
    from icmap.analysis.team_page import HandOff, TeamPage


def _party_style(hand_off: HandOff) -> str:
    return {"customer": styles.CUSTOMER, "supplier": styles.SUPPLIER}.get(
        hand_off.kind, styles.TEAM
    )


def _table(heading: str, side: str, hand_offs: tuple[HandOff, ...]) -> list[RenderableType]:
    out: list[RenderableType] = [Text(f"\n{heading}", style="bold underline")]
    if not hand_offs:
        return [*out, Text("nothing")]
    table = Table(show_edge=False, box=None, pad_edge=False, header_style="bold")
    for column in (side, *HEADERS):
        table.add_column(column)
    for hand_off in hand_offs:
        what, lead, score, interaction = cells(hand_off)
        state = "red" if hand_off.state == "blocking" else ""
        state = "yellow" if hand_off.state == "slowing" else state
        table.add_row(
            Text(party(hand_off), style=_party_style(hand_off)),
            Text(what),
            Text(lead, style=styles.DETAIL),
            Text(score),
            Text(interaction, style=state),
        )
    return [*out, table]


def render(page: TeamPage) -> RenderableType:
    parts: list[RenderableType] = [
        Text(title(page), style="bold"),
        Text(kind_line(page)),
    ]
    if page.description:
        parts.append(Text(" ".join(page.description.split()), style=styles.DETAIL))
    parts.append(Text(f"\nBlast radius: {page.verdict()}"))
    parts += _table("Provides", "to", page.provides)
    parts += _table("Receives", "from", page.receives)
    parts.append(Text("\nDistance to customers", style="bold underline"))
    parts.append(Text(distances(page)))
    parts.append(Text("\nCritical path and chokepoint", style="bold underline"))
    parts.append(Text(critical(page)))
    parts.append(Text(chokepoint(page), style=styles.CHOKEPOINT if page.dependents else ""))
    lines = streams(page)
    if lines is not None:
        parts.append(Text("\nValue streams", style="bold underline"))
        parts += [Text(line) for line in lines]
    return Group(*parts)
