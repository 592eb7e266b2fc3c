"""What the interactive HTML page shows beside its picture: each team's impact and critical-path
role, and the report's headline results.

The page's script only looks these up when a team is clicked; every number is computed here.
The page runs only the analyses it shows (:class:`Headlines`), not the whole report: the
topology sections, loops and their crossings took a tenth of a 100,000-team page's analyses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from icmap.analysis.cadence import MixedCadence, mixed_cadences
from icmap.analysis.chokepoints import Chokepoint, chokepoints
from icmap.analysis.critical import CriticalPaths, critical_paths
from icmap.analysis.frontline import FrontLineTeam, front_line
from icmap.analysis.measured import MeasuredFlow, measured_flow
from icmap.analysis.streams import stream_flows
from icmap.analysis.weakest import CustomerWeakness, weakest_links
from icmap.compact import collector_paused
from icmap.graph import nodes_of_kind

if TYPE_CHECKING:
    from icmap.analysis.picture import Picture
    from icmap.analysis.streams import StreamFlow
    from icmap.graph import OrgGraph

#: Above this many nodes in the picture the page leaves out each team's impact: the lists
#: alone grow with the square of the org (every team's downstream), and a picture that size
#: is read through --focus or --group anyway.
IMPACT_LIMIT = 2_000

#: The most hand-offs a page asks the browser's Graphviz (Viz.js, WebAssembly) to lay out.
#: Drawn as plain lines (past :data:`LABELLED_HANDOFFS`), in CPU seconds of headless Chromium
#: (benchmarks/page.py, docs/performance.md): 2-2.6 for 4,000 (every team of a 1,000-team
#: org), 3.1-4.8 for 6,000, 5.5 for 7,400; then the layout falls off a cliff: native ``dot``
#: takes 1 s for a generated org's 8,029 and 29 s for its 10,049 (placing the nodes, not
#: ordering them), and a 10,000-team org's 40,000 were not drawn after 12 minutes. Past
#: this the page draws something smaller and says why, rather than leave a person before a
#: page that never finishes. Kept below 8,000 so that the overview of a 100,000-team org
#: (two edges per group of 25) stays past it: that page's cost was not measured.
BROWSER_HANDOFFS = 7_500

#: The most hand-offs a page draws with their labels. A label is a node of its own (so no two
#: overlap), which makes each hand-off three nodes for Graphviz to order: 978 hand-offs take
#: about 2 s of browser CPU to lay out that way, 1,990 6 s, 3,989 15-22 s, against 3 s for
#: those 3,989 drawn as plain lines. Past this each hand-off is one line, what flows in its
#: tooltip and the panel (docs/pictures.md).
LABELLED_HANDOFFS = 1_000


#: The most hand-offs whose words a page with no picture carries for its panel (what each team
#: provides and receives). Its teams' names always come, for search and the critical paths;
#: the words cost about 4.5 MB of memory and 0.6 MB of page per 1,000 teams (a generated org,
#: docs/pictures.md), too much for the 1 GB of a 100,000-team org's ``--all`` page.
PANEL_HANDOFFS = 50_000


@dataclass(frozen=True)
class Withheld:
    """A picture too large for the browser to lay out, and what its page draws instead.

    ``title``, ``nodes`` and ``handoffs``: the picture asked for; ``instead``: ``"overview"``
    (the group overview) or ``"nothing"`` (no picture, the panel only: the org has no groups,
    or even its overview is past :data:`BROWSER_HANDOFFS`); ``grouped``: whether the org has
    groups to draw one by one (``--group``).
    """

    title: str
    nodes: int
    handoffs: int
    instead: str
    grouped: bool = True


@dataclass(frozen=True)
class TeamFacts:
    """What one team's failure does, and its part in the critical paths.

    ``downstream``: every team and supplier that receives its work, directly or not;
    ``customers``: the external customers its work reaches; ``stranded``: the teams and
    suppliers whose every path to a customer runs through it (its chokepoint dependents);
    ``critical_for``: customers whose critical path runs through it; ``slack``: how much
    longer its work could take without lengthening any critical path (``None``: no delivery
    chain to a customer).
    """

    downstream: tuple[str, ...]
    customers: tuple[str, ...]
    stranded: tuple[str, ...]
    critical_for: tuple[str, ...]
    slack: float | None


@dataclass(frozen=True)
class Headlines:
    """The report's results the page shows, under the names :class:`~icmap.analysis.report.Report`
    gives them: its front line, critical paths (and slack), chokepoints, weakest links, value
    streams, mixed cadences and measured flow (``None`` when no hand-off was measured).
    """

    front_line: list[FrontLineTeam]
    critical: CriticalPaths
    chokepoints: list[Chokepoint]
    weakest: list[CustomerWeakness]
    streams: tuple[StreamFlow, ...]
    mixed_cadences: tuple[MixedCadence, ...]
    measured: MeasuredFlow | None


@collector_paused
def headlines(graph: OrgGraph) -> Headlines:
    """What :func:`~icmap.analysis.report.build_report` finds that the page shows, and no more.

    >>> from icmap import build_graph, load_text
    >>> g = build_graph(load_text("customers: {shop: {}}\\nteams:\\n"
    ...     "  mill: {provides: [{what: flour, to: shop}]}\\n"))
    >>> [f.team for f in headlines(g).front_line], headlines(g).critical.paths[0].path
    (['mill'], ('mill', 'shop'))
    """
    critical = critical_paths(graph)
    return Headlines(
        front_line=front_line(graph),
        critical=critical,
        chokepoints=chokepoints(graph),
        weakest=weakest_links(graph, critical),
        streams=tuple(stream_flows(graph)),
        mixed_cadences=mixed_cadences(graph, critical),
        measured=measured_flow(graph),
    )


@dataclass(frozen=True)
class Page:
    """A picture and what the page says about it."""

    picture: Picture
    report: Headlines
    #: Each picture node's facts; empty above :data:`IMPACT_LIMIT` nodes.
    facts: dict[str, TeamFacts]
    #: In an overview: each node that stands for several (a group), the ``(id, name)`` of
    #: each team, customer or supplier it stands for, so the page finds a team in its group.
    members: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    #: The org's value streams (empty without): the page's stream selector lights each one's
    #: hand-offs and teams and shows its numbers.
    streams: tuple[StreamFlow, ...] = ()
    #: When the picture asked for was too large for the browser: what it was, and that
    #: :attr:`picture` is what is drawn instead.
    withheld: Withheld | None = None


def for_browser(
    graph: OrgGraph, picture: Picture, *, overview: Picture | None = None
) -> tuple[Picture, Withheld | None]:
    """``picture``, or when it has more than :data:`BROWSER_HANDOFFS` hand-offs, what its page
    draws instead (the group overview, else no picture) and what was withheld. With no
    picture, ``picture`` itself comes back for the panel (its teams, hand-offs and critical
    paths), with ``instead == "nothing"``: the page must not draw it. ``overview``: the
    group overview (drawn) when the caller has made it already, often ``picture`` itself: it
    is not made again (3.6 s of CPU at 100,000 teams).

    >>> from icmap import build_graph, load_text
    >>> from icmap.analysis.picture import whole_org
    >>> g = build_graph(load_text("customers: {shop: {}}\\nteams:\\n"
    ...     "  mill: {provides: [{what: flour, to: shop}]}\\n"))
    >>> for_browser(g, whole_org(g))[1] is None
    True
    """
    from icmap.analysis import overview as groups_view
    from icmap.analysis.picture import groups, wants_overview

    if len(picture.edges) <= BROWSER_HANDOFFS:
        return picture, None
    asked = (picture.title, len(picture.nodes), len(picture.edges))
    # The overview needs two groups (or a group and the teams in none) to be a map.
    if overview is not None or wants_overview(graph):
        instead = overview if overview is not None else groups_view.overview(graph)
        if len(instead.edges) <= BROWSER_HANDOFFS:
            return instead, Withheld(*asked, "overview")
    grouped = bool(groups(graph))
    # Kept, not drawn: the panel finds its teams (or groups, and the teams in them) by search
    # and opens each one's hand-offs, and a critical path's steps, without the picture.
    return picture, Withheld(*asked, "nothing", grouped)


@collector_paused
def page(graph: OrgGraph, picture: Picture) -> Page:
    """Everything the HTML page of ``picture`` (drawn from ``graph``) shows.

    >>> from icmap import build_graph, load_text
    >>> from icmap.analysis.picture import whole_org
    >>> g = build_graph(load_text(
    ...     "customers: {shop: {}}\\nteams:\\n"
    ...     "  mill: {provides: [{what: flour, to: bakery}]}\\n"
    ...     "  bakery: {provides: [{what: bread, to: shop}]}\\n"))
    >>> facts = page(g, whole_org(g)).facts["bakery"]
    >>> facts.downstream, facts.customers, facts.stranded, facts.critical_for
    ((), ('shop',), ('mill',), ('shop',))
    """
    import networkx as nx

    report = headlines(graph)
    found: dict[str, list[tuple[str, str]]] = {}
    for part, drawn in picture.stands_for.items():
        found.setdefault(drawn, []).append((part, str(graph.nodes[part]["name"])))
    members = {drawn: tuple(sorted(parts)) for drawn, parts in found.items()}
    streams = report.streams
    if len(picture.nodes) > IMPACT_LIMIT:
        return Page(picture, report, {}, members, streams)
    customers = set(nodes_of_kind(graph, "customer"))
    stranded = {c.team: c.dependents for c in chokepoints(graph)}
    critical_for: dict[str, list[str]] = {}
    for path in report.critical.paths:
        for team in path.team_set:  # ties included: zero slack means on a critical path
            critical_for.setdefault(team, []).append(path.customer)
    facts = {}
    for node in picture.nodes:
        if node.kind == "customer" or node.id not in graph:  # a customer, or an overview's group
            continue
        reached = nx.descendants(graph, node.id) - {node.id}
        facts[node.id] = TeamFacts(
            downstream=tuple(sorted(reached - customers)),
            customers=tuple(sorted(reached & customers)),
            stranded=tuple(stranded.get(node.id, ())),
            critical_for=tuple(sorted(set(critical_for.get(node.id, ())))),
            slack=report.critical.slack.get(node.id),
        )
    return Page(picture, report, facts, members, streams)
