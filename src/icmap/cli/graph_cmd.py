"""``icmap graph``: show or draw the internal-customer graph."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from icmap.cli.errors import handle_errors
from icmap.cli.options import (
    ActivityColumnOption,
    CaseColumnOption,
    Choice,
    Color,
    ColorOption,
    EventsOption,
    LeadTimes,
    LeadTimesOption,
    LogCustomerOption,
    MinHandoffsOption,
    MinShareOption,
    OrgArgument,
    OrgOption,
    OutputOption,
    SurveyOption,
    TeamColumnOption,
    TeamMapOption,
    TimeColumnOption,
    TimeFormatOption,
    extensions,
    format_option,
)
from icmap.cli.output import emit, format_from, is_stdout, renderer
from icmap.cli.sources import FromOption, load_graph, log_options
from icmap.errors import UsageError

if TYPE_CHECKING:
    from rich.console import RenderableType as Renderable

    from icmap.analysis.picture import Picture
    from icmap.graph import OrgGraph
    from icmap.render.json_text import Pieces


class GraphFormat(Choice):
    """Output formats of ``icmap graph``."""

    text = "text"
    dot = "dot"
    svg = "svg"
    png = "png"
    pdf = "pdf"
    mermaid = "mermaid"
    json = "json"
    html = "html"
    graphml = "graphml"
    gexf = "gexf"


#: Formats read by programs rather than people: the overview keeps every edge between groups.
DATA_FORMATS = {GraphFormat.json, GraphFormat.graphml, GraphFormat.gexf}
#: Hand-offs shown each way around --focus when --depth is not given.
FOCUS_DEPTH = 2


EXTENSIONS = extensions(GraphFormat)
#: The module that draws the picture in each format but text (the tree) and html (the page).
RENDERERS = {
    GraphFormat.dot: "icmap.render.picture.dot",
    GraphFormat.mermaid: "icmap.render.picture.mermaid",
    GraphFormat.json: "icmap.render.picture.node_link",
    GraphFormat.graphml: "icmap.render.picture.graph_file",
    GraphFormat.gexf: "icmap.render.picture.graph_file",
    GraphFormat.svg: "icmap.render.picture.image",
    GraphFormat.png: "icmap.render.picture.image",
    GraphFormat.pdf: "icmap.render.picture.image",
}
#: Formats whose module writes several, told which one.
NAMED = {GraphFormat.graphml, GraphFormat.gexf, GraphFormat.svg, GraphFormat.png, GraphFormat.pdf}


def _picture(
    graph: OrgGraph,
    focus: str | None,
    depth: int,
    group: str | None,
    scope: Scope,
    drawn: bool,
    *,
    whole: bool = True,
) -> tuple[Picture | None, bool]:
    """The picture asked for, and whether it is the group overview. ``whole=False``: the
    picture of every team is left to the caller to make (``None``), as the page makes it."""
    from icmap.analysis import picture
    from icmap.graph import find_party

    if focus is not None:
        return picture.focus(graph, find_party(graph, focus), depth), False
    if group is not None:
        from icmap.analysis.overview import drill_down

        return drill_down(graph, _find_group(graph, group)), False
    if scope is Scope.overview or (scope is Scope.auto and picture.wants_overview(graph)):
        from icmap.analysis.overview import overview

        drawing = overview(graph, drawn=drawn)
        if scope is Scope.auto:
            groups = len(picture.groups(graph))
            print(
                f"icmap: note: {graph.number_of_nodes():,} nodes: drew the group overview "
                f"({groups:,} groups); --group NAME draws one group's teams, --all every team",
                file=sys.stderr,
            )
        return drawing, True
    nodes = graph.number_of_nodes()  # every one drawn
    if nodes > picture.READABLE_NODES:
        print(
            f"icmap: note: {nodes} nodes make a whole-org picture hard to read; "
            "try --focus TEAM or --group NAME",
            file=sys.stderr,
        )
    return (picture.whole_org(graph) if whole else None), False


class Scope(Choice):
    """How much of the org a picture draws when neither --focus nor --group narrows it."""

    auto = "auto"
    overview = "overview"
    all = "all"


def _scope(
    focus: str | None, group: str | None, everything: bool, overview: bool, stream: str | None
) -> Scope:
    """The scope asked for, refusing options that contradict each other."""
    asked = [
        name
        for name, given in (
            ("--focus", focus is not None),
            ("--group", group is not None),
            ("--all", everything),
            ("--overview", overview),
        )
        if given
    ]
    if stream is not None:
        # A stream is drawn whole and team by team: already narrowed, never an overview.
        if asked:
            raise UsageError(
                f"--stream draws the whole stream, team by team: it takes none of --focus, "
                f"--group, --all and --overview, not {asked[0]}"
            )
        return Scope.all
    if len(asked) > 1:
        raise UsageError(
            f"choose one of --focus, --group, --all and --overview, not {asked[0]} and {asked[1]}"
        )
    if everything:
        return Scope.all
    return Scope.overview if overview else Scope.auto


def _tree_view(graph: OrgGraph, focus: str | None, depth: int, group: str | None) -> Renderable:
    from icmap.analysis import trees
    from icmap.analysis.reach import reach
    from icmap.graph import find_party
    from icmap.render.picture import tree as terminal

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
    if group in known:  # "back" beside "Back": the one written so
        return group
    matches = [g for g in known if g.casefold() == group.casefold()]
    if not matches:
        import difflib

        close = difflib.get_close_matches(group, known, n=1)
        if close:
            hint = f"; did you mean {close[0]!r}?"
        elif not known:
            hint = "; it has none (a team names its own with group:)"
        else:
            listed = ", ".join(known[:20])
            hint = f"; groups: {listed}" + (
                f" and {len(known) - 20:,} more" if len(known) > 20 else ""
            )
        raise UsageError(f"no group {group!r} in this org{hint}")
    if len(matches) > 1:
        raise UsageError(
            f"{group!r} is ambiguous: groups {', '.join(map(repr, matches))}; write it as one is"
        )
    return matches[0]


#: The formats of ``--timeline``: the terminal's table, and the drawn ladder.
TIMELINE_FORMATS = {GraphFormat.text, GraphFormat.svg, GraphFormat.png}


def _stream(
    graph: OrgGraph, stream: str, chosen: GraphFormat, timeline: bool
) -> Renderable | str | bytes | Pieces:
    """What ``--stream`` draws: the stream (as a tree, or a picture), or its timeline."""
    from icmap.analysis import stream_picture as streams

    found = streams.find_stream(graph, stream)
    if timeline:
        from icmap.render.picture import timeline as ladder

        drawn = streams.timeline(graph, found)
        if chosen is GraphFormat.text:
            return ladder.text_view(drawn)
        return ladder.render(drawn, chosen.value)
    if chosen is GraphFormat.text:
        from icmap.analysis.trees import customer_trees
        from icmap.render.picture import tree as terminal

        sub, flow = streams.stream_view(graph, found)
        return terminal.stream_view(sub, flow, customer_trees(sub))
    picture = streams.stream_picture(graph, found)
    if chosen is GraphFormat.html:
        # The page's headlines and selector are the stream's own: its front line, its critical
        # path, and only this stream to choose (lit when the page opens).
        sub, _ = streams.stream_view(graph, found)
        sub.graph["streams"] = {found: graph.graph["streams"][found]}
        return _draw(chosen, picture, sub)
    return _draw(chosen, picture, graph)


def _draw(
    chosen: GraphFormat, picture: Picture | None, graph: OrgGraph, *, overview: bool = False
) -> str | bytes | Pieces:
    """``picture`` in ``chosen`` (``None``: every team); ``overview``: ``picture`` is the
    group overview."""
    if chosen is GraphFormat.html:
        from dataclasses import replace

        from icmap.analysis.page import for_browser, page, whole_for_browser
        from icmap.render.picture import html

        if picture is None:
            shown, withheld = whole_for_browser(graph)
        else:
            grouped = picture if overview else None
            shown, withheld = for_browser(graph, picture, overview=grouped)
        if withheld is not None:
            # Said before the page is written: it will not show what was asked for.
            print(f"icmap: note: {html.withheld_words(withheld)}", file=sys.stderr)
        return html.render(replace(page(graph, shown), withheld=withheld))
    if picture is None:
        from icmap.analysis.picture import whole_org

        picture = whole_org(graph)
    if chosen is GraphFormat.json:
        from icmap.render.picture import node_link

        return node_link.pieces(picture)  # written as it is made: gigabytes for big orgs
    render = renderer(RENDERERS, chosen)
    drawn: str | bytes = render(picture, chosen.value) if chosen in NAMED else render(picture)
    return drawn


@handle_errors
def graph(
    org: OrgArgument = None,
    org_option: OrgOption = None,
    from_: FromOption = None,
    output_format: Annotated[
        GraphFormat | None,
        format_option(
            GraphFormat, "text (the tree), dot, svg, png, pdf, mermaid, json, html, graphml or gexf"
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
        int | None,
        typer.Option(
            "--depth",
            min=1,
            help="With --focus: hand-offs around the team [default: 2].",
            show_default=False,
            metavar="N",
        ),
    ] = None,
    group: Annotated[
        str | None,
        typer.Option(
            "--group",
            help="Only this group's teams and their neighbours, at the edge (by group when too "
            "many); in the tree, teams outside it unexpanded.",
            show_default=False,
            metavar="NAME",
        ),
    ] = None,
    everything: Annotated[
        bool,
        typer.Option(
            "--all", help="Draw every team, even in an org big enough for the group overview."
        ),
    ] = False,
    overview: Annotated[
        bool,
        typer.Option(
            "--overview",
            help="Draw the group overview (one node per group), whatever the org's size.",
        ),
    ] = False,
    stream: Annotated[
        str | None,
        typer.Option(
            "--stream",
            help="Only this value stream (id or name): its hand-offs and teams, its critical "
            "path marked; in the tree, its numbers and its customer's providers.",
            show_default=False,
            metavar="ID",
        ),
    ] = None,
    timeline: Annotated[
        bool,
        typer.Option(
            "--timeline",
            help="With --stream: the value stream map's timeline along its critical path "
            "(svg, png, or a table in the terminal).",
        ),
    ] = False,
    survey: SurveyOption = None,
    events: EventsOption = None,
    team_map: TeamMapOption = None,
    lead_times: LeadTimesOption = LeadTimes.declared,
    case: CaseColumnOption = None,
    time: TimeColumnOption = None,
    team: TeamColumnOption = None,
    activity: ActivityColumnOption = None,
    time_format: TimeFormatOption = None,
    customer: LogCustomerOption = None,
    min_handoffs: MinHandoffsOption = 1,
    min_share: MinShareOption = 0.0,
    color: ColorOption = Color.auto,
) -> None:
    """Show who serves whom: a tree, or a picture (DOT, SVG, PNG, PDF, Mermaid, JSON, HTML,
    GraphML, GEXF).

    Without -f or -o: each external customer, then its front-line teams, then the teams that
    provide to them, outward; each team expanded once, where it first appears. Feedback
    hand-offs are marked and not followed. --focus and --group narrow the tree or the picture.
    With -o FILE the format follows the extension (.svg, .png, .pdf need Graphviz's dot and
    draw at most 1,000 nodes; .dot, .mmd, .json, .html, .graphml, .gexf never do).

    An org of more than 120 teams, customers and suppliers, in two groups or more, is drawn as
    the group overview: one node per group (sized by its teams), one edge per pair of groups
    with its hand-offs counted; stderr says so. --group NAME then draws one group's teams with
    their neighbours at the edge, --all every team; --overview draws the overview of any org.
    The tree always lists every team. An HTML page of more than 7,500 hand-offs (--all past
    about 1,850 teams) is too large for Graphviz in the browser: it draws the group overview
    instead, with a banner saying why, and stderr says so before writing.

    --stream ID draws one value stream: its hand-offs (only the relations that name it), the
    teams on them and its critical path, in every format; it takes none of --focus, --group,
    --all and --overview. --stream ID --timeline draws the stream's value stream map: its
    critical path as a ladder of waiting and work, %C&A under each step, totals at the end.

    Examples:

    \b
      icmap graph examples/restaurant.yaml
      icmap graph examples/restaurant.yaml -o restaurant.svg
      icmap graph examples/northwind --focus support --depth 1
      icmap graph examples/northwind --group Operations -o operations.html
      icmap graph examples/northwind --overview -o northwind-overview.svg
      icmap graph examples/northwind -o northwind.graphml
      icmap graph examples/northwind --stream order-to-delivery -o order.svg
      icmap graph examples/northwind --stream order-to-delivery --timeline -o order-timeline.svg
    """
    chosen = format_from(output, output_format, EXTENSIONS, GraphFormat.text, "icmap graph")
    scope = _scope(focus, group, everything, overview, stream)
    if timeline and stream is None:
        raise UsageError("--timeline draws one value stream's timeline: add --stream ID")
    if depth is not None and focus is None:
        raise UsageError("--depth counts hand-offs around one team: add --focus TEAM")
    if timeline and chosen not in TIMELINE_FORMATS:
        raise UsageError(
            f"the timeline is drawn as svg or png (or a table in the terminal), not "
            f"{chosen.value}: use -o stream.svg or -o stream.png"
        )
    if chosen is GraphFormat.text and scope is Scope.overview:
        raise UsageError(
            "--overview draws a picture (-f or -o); the tree lists every team: "
            "narrow it with --group NAME or --focus TEAM"
        )
    log = log_options(
        events,
        from_,
        case=case,
        time=time,
        team=team,
        activity=activity,
        time_format=time_format,
        customer=customer,
        min_handoffs=min_handoffs,
        min_share=min_share,
    )
    loaded, internal = load_graph(
        org, org_option, from_, survey, events, team_map, lead_times.value, log
    )
    if stream is not None:
        result = _stream(internal, stream, chosen, timeline)
        if isinstance(result, bytes) and is_stdout(output) and sys.stdout.isatty():
            raise UsageError(f"{chosen.value} is binary: write it to a file with -o")
        emit(result, output, loaded.sources, color, chosen.value)
        return
    depth = FOCUS_DEPTH if depth is None else depth
    if chosen is GraphFormat.text:
        emit(_tree_view(internal, focus, depth, group), output, loaded.sources, color)
        return
    drawn = chosen not in DATA_FORMATS
    # The page makes the picture of every team itself: past what it draws or lists, without
    # its hand-offs.
    whole = chosen is not GraphFormat.html
    picture, is_overview = _picture(internal, focus, depth, group, scope, drawn, whole=whole)
    data = _draw(chosen, picture, internal, overview=is_overview)
    if isinstance(data, bytes) and is_stdout(output) and sys.stdout.isatty():
        raise UsageError(f"{chosen.value} is binary: write it to a file with -o")
    emit(data, output, loaded.sources, color, chosen.value)
