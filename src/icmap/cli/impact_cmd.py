"""``icmap impact``: who is hit if a team fails."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from icmap.cli.errors import handle_errors
from icmap.cli.options import (
    Choice,
    Color,
    ColorOption,
    OrgOption,
    OutputOption,
    SurveyOption,
    choice,
)
from icmap.cli.output import emit, format_from
from icmap.cli.sources import FromOption, load_org, refuse_org_as_team, with_surveys

if TYPE_CHECKING:
    from rich.console import RenderableType

    from icmap.analysis.impact import Impact
    from icmap.graph import OrgGraph


class ImpactFormat(Choice):
    text = "text"
    json = "json"
    markdown = "markdown"
    dot = "dot"
    mermaid = "mermaid"


class Direction(Choice):
    down = "down"
    up = "up"
    both = "both"


EXTENSIONS = {
    ".txt": ImpactFormat.text,
    ".json": ImpactFormat.json,
    ".md": ImpactFormat.markdown,
    ".markdown": ImpactFormat.markdown,
    ".dot": ImpactFormat.dot,
    ".gv": ImpactFormat.dot,
    ".mmd": ImpactFormat.mermaid,
}


def _render(
    chosen: ImpactFormat, graph: OrgGraph, result: Impact, *, down: bool, up: bool
) -> str | RenderableType:
    if chosen is ImpactFormat.text:
        from icmap.render import impact_terminal

        return impact_terminal.render(result, down=down, up=up)
    if chosen is ImpactFormat.json:
        from icmap.render import impact_json

        return impact_json.render(result, down=down, up=up)
    if chosen is ImpactFormat.markdown:
        from icmap.render import impact_markdown

        return impact_markdown.render(result, down=down, up=up)
    from icmap.analysis.picture import impact_picture

    picture = impact_picture(graph, result)
    if chosen is ImpactFormat.dot:
        from icmap.render import dot

        return dot.render(picture)
    from icmap.render import mermaid

    return mermaid.render(picture)


@handle_errors
def impact(
    teams: Annotated[
        list[str],
        typer.Argument(
            help="Team or supplier ids or names (any case); several = joint failure.",
            show_default=False,
            metavar="TEAM",
        ),
    ],
    org_option: OrgOption = None,
    from_: FromOption = None,
    direction: Annotated[
        Direction,
        typer.Option(
            "--direction",
            help="down: who depends on it; up: what it depends on; both.",
            metavar="WHICH",
            parser=choice(Direction),
        ),
    ] = Direction.both,
    depth: Annotated[
        int | None,
        typer.Option(
            "--depth",
            min=1,
            help="List teams at most this many hand-offs away.",
            show_default=False,
            metavar="N",
        ),
    ] = None,
    output_format: Annotated[
        ImpactFormat | None,
        typer.Option(
            "-f",
            "--format",
            help="text, json, markdown, dot or mermaid. Default: from the -o extension, else text.",
            metavar="FORMAT",
            parser=choice(ImpactFormat),
        ),
    ] = None,
    output: OutputOption = None,
    survey: SurveyOption = None,
    color: ColorOption = Color.auto,
) -> None:
    """Show who is hit if a team fails: downstream, customers, stranded and upstream teams.

    The org comes from --org, $ICMAP_ORG, or ./org.yaml, ./org.yml, ./org/. Several teams
    mean their joint failure. --depth limits the listed teams, not the verdict.

    Examples:

    \b
      icmap impact kitchen --org examples/restaurant.yaml
      icmap impact kitchen pastry --org examples/restaurant.yaml -f json -o impact.json
    """
    from icmap.analysis.impact import impact as compute
    from icmap.graph import build_graph, find_party

    chosen = format_from(output, output_format, EXTENSIONS, ImpactFormat.text)
    refuse_org_as_team(teams, org_option)
    loaded = with_surveys(load_org(None, org_option, from_), survey)
    graph = build_graph(loaded)
    failed = [find_party(graph, team) for team in teams]
    result = compute(graph, failed, depth=depth)
    down, up = direction is not Direction.up, direction is not Direction.down
    emit(
        _render(chosen, graph, result, down=down, up=up),
        output,
        loaded.sources,
        color,
        chosen.value,
    )
