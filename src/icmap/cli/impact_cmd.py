"""``icmap impact``: who is hit if a team fails."""

from __future__ import annotations

import sys
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
    extensions,
    format_option,
)
from icmap.cli.output import emit, format_from, renderer
from icmap.cli.sources import FromOption, load_graph, refuse_org_as_team

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


EXTENSIONS = extensions(ImpactFormat)
#: The module that renders each format.
RENDERERS = {
    ImpactFormat.text: "icmap.render.impact.terminal",
    ImpactFormat.json: "icmap.render.impact.json",
    ImpactFormat.markdown: "icmap.render.impact.markdown",
    ImpactFormat.dot: "icmap.render.picture.dot",
    ImpactFormat.mermaid: "icmap.render.picture.mermaid",
}
#: Formats that draw the impact as a picture rather than list it.
PICTURES = {ImpactFormat.dot, ImpactFormat.mermaid}


def _render(
    chosen: ImpactFormat, graph: OrgGraph, result: Impact, *, down: bool, up: bool
) -> str | RenderableType:
    render = renderer(RENDERERS, chosen)
    if chosen in PICTURES:
        from icmap.analysis.picture import impact_picture

        return render(impact_picture(graph, result))  # type: ignore[no-any-return]
    return render(result, down=down, up=up)  # type: ignore[no-any-return]


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
        ImpactFormat | None, format_option(ImpactFormat, "text, json, markdown, dot or mermaid")
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
    from icmap.errors import UsageError, said_at_once
    from icmap.graph import find_party

    chosen = format_from(output, output_format, EXTENSIONS, ImpactFormat.text, "icmap impact")
    refuse_org_as_team(teams, org_option)
    loaded, graph = load_graph(None, org_option, from_, survey)
    failed, unknown = [], []
    for team in teams:
        try:
            failed.append(find_party(graph, team))
        except UsageError as error:
            unknown.append(error)
    if unknown:
        raise said_at_once(unknown)
    names: dict[str, list[str]] = {}
    for given, party in zip(teams, failed, strict=True):
        names.setdefault(party, []).append(given)
    for party, spellings in names.items():
        if len(spellings) > 1:  # kitchen Kitchen: one failure, said in case another was meant
            spelt = ", ".join(map(repr, spellings))
            note = f"{party} given {len(spellings)} times ({spelt}): counted once"
            print(f"icmap: note: {note}", file=sys.stderr)
    result = compute(graph, failed, depth=depth)
    down, up = direction is not Direction.up, direction is not Direction.down
    emit(
        _render(chosen, graph, result, down=down, up=up),
        output,
        loaded.sources,
        color,
        chosen.value,
    )
