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
    emit,
    format_from,
    handle_errors,
    is_stdout,
    load_org,
)
from icmap.errors import UsageError

if TYPE_CHECKING:
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
        known = picture.groups(graph)
        matches = [g for g in known if g.casefold() == group.casefold()]
        if not matches:
            import difflib

            close = difflib.get_close_matches(group, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; groups: {', '.join(known)}"
            raise UsageError(f"no group {group!r} in this org{hint}")
        return picture.group_picture(graph, matches[0])
    whole = picture.whole_org(graph)
    if len(whole.nodes) > picture.READABLE_NODES:
        print(
            f"icmap: note: {len(whole.nodes)} nodes make a whole-org picture hard to read; "
            "try --focus TEAM or --group NAME",
            file=sys.stderr,
        )
    return whole


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
            "-f", "--format", help="Output format. Default: from the -o extension, else text."
        ),
    ] = None,
    output: OutputOption = None,
    focus: Annotated[
        str | None,
        typer.Option(
            "--focus", help="Draw only this team's neighbourhood (id or name).", show_default=False
        ),
    ] = None,
    depth: Annotated[int, typer.Option("--depth", min=1, help="Hand-offs around --focus.")] = 2,
    group: Annotated[
        str | None,
        typer.Option(
            "--group", help="Draw only this group's teams and their neighbours.", show_default=False
        ),
    ] = None,
    color: ColorOption = Color.auto,
) -> None:
    """Show who serves whom: a tree, or a picture (DOT, SVG, PNG, PDF, Mermaid, JSON, HTML).

    Without -f or -o: each external customer, then its front-line teams, then the teams that
    provide to them, outward. With -o FILE the format follows the extension (.svg, .png, .pdf
    need Graphviz's dot and draw at most 1,000 nodes; .dot, .mmd, .json, .html never do).

    Example: icmap graph examples/restaurant.yaml -o restaurant.svg
    """
    from icmap.graph import build_graph

    chosen = format_from(output, output_format, EXTENSIONS, GraphFormat.text)
    loaded = load_org(org, org_option)
    internal = build_graph(loaded)
    if chosen is GraphFormat.text:
        if focus is not None or group is not None:
            raise UsageError("--focus and --group draw pictures: add -f or -o (e.g. -o team.svg)")
        from icmap.analysis.reach import reach
        from icmap.analysis.trees import customer_trees
        from icmap.render import terminal

        tree = terminal.org_view(internal, customer_trees(internal), reach(internal))
        emit(tree, output, loaded.sources, color)
        return
    data = _draw(chosen, _picture(internal, focus, depth, group))
    if isinstance(data, bytes) and is_stdout(output) and sys.stdout.isatty():
        raise UsageError(f"{chosen.value} is binary: write it to a file with -o")
    emit(data, output, loaded.sources, color, chosen.value)
