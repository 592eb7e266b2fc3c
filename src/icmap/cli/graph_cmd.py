"""``icmap graph``: show or draw the internal-customer graph."""

from __future__ import annotations

import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from icmap.cli.common import (
    Color,
    ColorOption,
    OrgArgument,
    OrgOption,
    OutputOption,
    SurveyOption,
    choice,
    emit,
    format_from,
    handle_errors,
    is_stdout,
    load_org,
    with_surveys,
)
from icmap.errors import UsageError

if TYPE_CHECKING:
    from rich.console import RenderableType as Renderable

    from icmap.analysis.picture import Picture
    from icmap.graph import OrgGraph


class GraphFormat(str, Enum):
    """Output formats of ``icmap graph``."""

    text = "text"
    dot = "dot"
    svg = "svg"
    png = "png"
    pdf = "pdf"
    mermaid = "mermaid"
    json = "json"
    html = "html"


#: Output file extension -> format.
EXTENSIONS = {
    ".txt": GraphFormat.text,
    ".dot": GraphFormat.dot,
    ".gv": GraphFormat.dot,
    ".svg": GraphFormat.svg,
    ".png": GraphFormat.png,
    ".pdf": GraphFormat.pdf,
    ".mmd": GraphFormat.mermaid,
    ".mermaid": GraphFormat.mermaid,
    ".json": GraphFormat.json,
    ".html": GraphFormat.html,
    ".htm": GraphFormat.html,
}


def _picture(graph: OrgGraph, focus: str | None, depth: int, group: str | None) -> Picture:
    from icmap.analysis import picture
    from icmap.graph import find_party

    if focus is not None and group is not None:
        raise UsageError("choose --focus or --group, not both")
    if focus is not None:
        return picture.focus(graph, find_party(graph, focus), depth)
    if group is not None:
        return picture.group_picture(graph, _find_group(graph, group))
    whole = picture.whole_org(graph)
    if len(whole.nodes) > picture.READABLE_NODES:
        print(
            f"icmap: note: {len(whole.nodes)} nodes make a whole-org picture hard to read; "
            "try --focus TEAM or --group NAME",
            file=sys.stderr,
        )
    return whole


def _tree_view(graph: OrgGraph, focus: str | None, depth: int, group: str | None) -> Renderable:
    from icmap.analysis import trees
    from icmap.analysis.reach import reach
    from icmap.graph import find_party
    from icmap.render import terminal

    if focus is not None and group is not None:
        raise UsageError("choose --focus or --group, not both")
    if focus is not None:
        team = find_party(graph, focus)
        return terminal.focus_view(graph, trees.focus_trees(graph, team, depth), depth)
    if group is not None:
        chosen = _find_group(graph, group)
        return terminal.group_view(graph, chosen, trees.group_trees(graph, chosen))
    from icmap.analysis.chokepoints import chokepoints

    points = {c.team for c in chokepoints(graph)}
    return terminal.org_view(graph, trees.customer_trees(graph), reach(graph), points)


def _find_group(graph: OrgGraph, group: str) -> str:
    from icmap.analysis import picture

    known = picture.groups(graph)
    matches = [g for g in known if g.casefold() == group.casefold()]
    if not matches:
        import difflib

        close = difflib.get_close_matches(group, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; groups: {', '.join(known)}"
        raise UsageError(f"no group {group!r} in this org{hint}")
    return matches[0]


def _draw(chosen: GraphFormat, picture: Picture) -> str | bytes:
    if chosen is GraphFormat.dot:
        from icmap.render import dot

        return dot.render(picture)
    if chosen is GraphFormat.mermaid:
        from icmap.render import mermaid

        return mermaid.render(picture)
    if chosen is GraphFormat.json:
        from icmap.render import node_link

        return node_link.render(picture)
    if chosen is GraphFormat.html:
        from icmap.layout import layered
        from icmap.render import html

        return html.render(picture, layered(picture))
    from icmap.render import image

    return image.render(picture, chosen.value)


@handle_errors
def graph(
    org: OrgArgument = None,
    org_option: OrgOption = None,
    output_format: Annotated[
        GraphFormat | None,
        typer.Option(
            "-f",
            "--format",
            help="text (the tree), dot, svg, png, pdf, mermaid, json or html. "
            "Default: from the -o extension, else text.",
            metavar="FORMAT",
            parser=choice(GraphFormat),
        ),
    ] = None,
    output: OutputOption = None,
    focus: Annotated[
        str | None,
        typer.Option(
            "--focus",
            help="Only this team's neighbourhood (id or name): in the tree, what it receives "
            "and whom it serves.",
            show_default=False,
            metavar="TEAM",
        ),
    ] = None,
    depth: Annotated[
        int, typer.Option("--depth", min=1, help="Hand-offs around --focus.", metavar="N")
    ] = 2,
    group: Annotated[
        str | None,
        typer.Option(
            "--group",
            help="Only this group's teams and their neighbours (teams outside it unexpanded "
            "in the tree).",
            show_default=False,
            metavar="NAME",
        ),
    ] = None,
    survey: SurveyOption = None,
    color: ColorOption = Color.auto,
) -> None:
    """Show who serves whom: a tree, or a picture (DOT, SVG, PNG, PDF, Mermaid, JSON, HTML).

    Without -f or -o: each external customer, then its front-line teams, then the teams that
    provide to them, outward; each team expanded once, where it first appears. Feedback
    hand-offs are marked and not followed. --focus and --group narrow the tree or the picture.
    With -o FILE the format follows the extension (.svg, .png, .pdf need Graphviz's dot and
    draw at most 1,000 nodes; .dot, .mmd, .json, .html never do).

    Examples:

    \b
      icmap graph examples/restaurant.yaml
      icmap graph examples/restaurant.yaml -o restaurant.svg
      icmap graph examples/northwind --focus support --depth 1
      icmap graph examples/northwind --group Operations -o operations.html
    """
    from icmap.graph import build_graph

    chosen = format_from(output, output_format, EXTENSIONS, GraphFormat.text)
    loaded = with_surveys(load_org(org, org_option), survey)
    internal = build_graph(loaded)
    if chosen is GraphFormat.text:
        emit(_tree_view(internal, focus, depth, group), output, loaded.sources, color)
        return
    data = _draw(chosen, _picture(internal, focus, depth, group))
    if isinstance(data, bytes) and is_stdout(output) and sys.stdout.isatty():
        raise UsageError(f"{chosen.value} is binary: write it to a file with -o")
    emit(data, output, loaded.sources, color, chosen.value)
