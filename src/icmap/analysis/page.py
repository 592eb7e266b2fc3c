"""What the interactive HTML page shows beside its picture: each team's impact and critical-path
role, and the report's headline results.

The page's script only looks these up when a team is clicked; every number is computed here.
The page runs only the analyses it shows (:class:`Headlines`), not the whole report: the
topology sections, loops and their crossings took a tenth of a 100,000-team page's analyses.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from icmap.analysis.cadence import MixedCadence, mixed_cadences
from icmap.analysis.chokepoints import Chokepoint, chokepoints, dominator_tree
from icmap.analysis.critical import CriticalPaths, critical_paths
from icmap.analysis.frontline import FrontLineTeam, front_line
from icmap.analysis.measured import MeasuredFlow, measured_flow
from icmap.analysis.reach import Reach, reach
from icmap.analysis.streams import stream_flows
from icmap.analysis.weakest import CustomerWeakness, weakest_links
from icmap.compact import collector_paused

if TYPE_CHECKING:
    from icmap.analysis.picture import Picture
    from icmap.analysis.streams import StreamFlow
    from icmap.graph import OrgGraph

#: Above this many nodes in the picture the page leaves out each team's impact: a picture that
#: size is read through --focus or --group anyway. (Each team's downstream is no longer listed
#: on the page but found by its script, :class:`Downstream`: the page grows with the org, not
#: with its square.)
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
    """One team's part in the critical paths (what its failure does: :class:`Downstream`).

    ``critical_for``: customers whose critical path runs through it; ``slack``: how much
    longer its work could take without lengthening any critical path (``None``: no delivery
    chain to a customer).
    """

    critical_for: tuple[str, ...]
    slack: float | None
    #: In a loop of delivery hand-offs: ``slack`` is a lower bound.
    slack_lower_bound: bool = False
    #: Those of ``critical_for`` it is on only through a chain as long as the path shown.
    tied_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Downstream:
    """What the failure of each of the picture's teams and suppliers does, in a form the page
    carries once and its script walks when a team is clicked: the nodes their work reaches
    with the hand-offs between them, and the part of the dominator tree under them
    (:func:`~icmap.analysis.chokepoints.dominator_tree`), by index.

    Listing each team's downstream and stranded teams instead made a page grow with teams ×
    blast radius: 9.3 MB of the 14 MB page of every team of a 1,850-team org, and a chain's
    stranded lists with its length squared. ``ids``: sorted, so an index orders as its id
    does; ``customers``: the indices of the external customers; ``succ``: each node's
    successors, by index (empty for a node no start reaches: no walk gets there);
    ``dominator``: each node's immediate dominator toward the customers when it is under a
    start in the dominator tree, else -1.
    """

    ids: tuple[str, ...]
    customers: tuple[int, ...]
    succ: tuple[tuple[int, ...], ...]
    dominator: tuple[int, ...]

    def _index(self, team: str) -> int:
        at = bisect.bisect_left(self.ids, team)
        if at == len(self.ids) or self.ids[at] != team:
            raise KeyError(team)
        return at

    def of(self, team: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """What the page's script shows for ``team`` (its ``impact``): every team and
        supplier its work reaches, directly or not, and the external customers it reaches,
        each sorted; never ``team`` itself, even in a loop."""
        start = self._index(team)
        seen = {start}
        todo = [start]
        while todo:
            for nxt in self.succ[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        seen.discard(start)
        customers = set(self.customers)
        reached = sorted(seen)
        return (
            tuple(self.ids[i] for i in reached if i not in customers),
            tuple(self.ids[i] for i in reached if i in customers),
        )

    def stranded(self, team: str) -> tuple[str, ...]:
        """The teams and suppliers whose every path to a customer runs through ``team`` (its
        chokepoint dependents), sorted, as the page's script finds them."""
        start = self._index(team)
        children: dict[int, list[int]] = {}
        for node, parent in enumerate(self.dominator):
            children.setdefault(parent, []).append(node)
        found: list[int] = []
        todo = list(children.get(start, ()))
        while todo:
            node = todo.pop()
            found.append(node)
            todo.extend(children.get(node, ()))
        return tuple(self.ids[i] for i in sorted(found))


def downstream(graph: OrgGraph, starts: list[str]) -> Downstream:
    """Every node reachable from ``starts`` in ``graph`` and the hand-offs between them, and
    every node under them in the dominator tree.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b"), ("b", "shop"), ("x", "a")])
    >>> nx.set_node_attributes(g, "team", "kind"); g.nodes["shop"]["kind"] = "customer"
    >>> reach = downstream(g, ["a"])
    >>> reach.ids, reach.of("a"), reach.stranded("a"), reach.stranded("b")
    (('a', 'b', 'shop', 'x'), (('b',), ('shop',)), ('x',), ())
    """
    found = set(starts)
    todo = list(starts)
    while todo:
        for nxt in graph.successors(todo.pop()):
            if nxt not in found:
                found.add(nxt)
                todo.append(nxt)
    tree = dominator_tree(graph)
    children: dict[str, list[str]] = {}
    for node, parent in tree.items():
        if parent is not None:
            children.setdefault(parent, []).append(node)
    under: set[str] = set()
    todo = list(starts)
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in under:
                under.add(child)
                todo.append(child)
    ids = tuple(sorted(found | under))
    index = {node: i for i, node in enumerate(ids)}
    return Downstream(
        ids,
        tuple(i for i, node in enumerate(ids) if graph.nodes[node]["kind"] == "customer"),
        tuple(
            tuple(sorted(index[n] for n in graph.successors(node))) if node in found else ()
            for node in ids
        ),
        tuple(index[str(tree[node])] if node in under else -1 for node in ids),
    )


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
    #: Who reaches a customer: the page names the teams and suppliers that reach none.
    reach: Reach


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
        reach=reach(graph),
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
    #: What the nodes with :attr:`facts` reach, for the script to walk (``None`` without facts).
    downstream: Downstream | None = None


def for_browser(
    graph: OrgGraph,
    picture: Picture,
    *,
    overview: Picture | None = None,
    handoffs: int | None = None,
) -> tuple[Picture, Withheld | None]:
    """``picture``, or when it has more than :data:`BROWSER_HANDOFFS` hand-offs, what its page
    draws instead (the group overview, else no picture) and what was withheld. With no
    picture, ``picture`` itself comes back for the panel (its teams, hand-offs and critical
    paths), with ``instead == "nothing"``: the page must not draw it. ``overview``: the
    group overview (drawn) when the caller has made it already, often ``picture`` itself: it
    is not made again (3.6 s of CPU at 100,000 teams). ``handoffs``: how many hand-offs
    ``picture`` has when it was made without them (:func:`whole_for_browser`).

    >>> from icmap import build_graph, load_text
    >>> from icmap.analysis.picture import whole_org
    >>> g = build_graph(load_text("customers: {shop: {}}\\nteams:\\n"
    ...     "  mill: {provides: [{what: flour, to: shop}]}\\n"))
    >>> for_browser(g, whole_org(g))[1] is None
    True
    """
    from icmap.analysis import overview as groups_view
    from icmap.analysis.picture import groups, wants_overview

    count = len(picture.edges) if handoffs is None else handoffs
    if count <= BROWSER_HANDOFFS:
        return picture, None
    asked = (picture.title, len(picture.nodes), count)
    # The overview needs two groups (or a group and the teams in none) to be a map.
    if overview is not None or wants_overview(graph):
        instead = overview if overview is not None else groups_view.overview(graph)
        if len(instead.edges) <= BROWSER_HANDOFFS:
            return instead, Withheld(*asked, "overview")
    grouped = bool(groups(graph))
    # Kept, not drawn: the panel finds its teams (or groups, and the teams in them) by search
    # and opens each one's hand-offs, and a critical path's steps, without the picture.
    return picture, Withheld(*asked, "nothing", grouped)


def whole_for_browser(
    graph: OrgGraph, *, overview: Picture | None = None
) -> tuple[Picture, Withheld | None]:
    """:func:`for_browser` of the picture of every team, made without its hand-offs when the
    page would neither draw nor list them (past :data:`PANEL_HANDOFFS`): at 100,000 teams
    those 400,000 hand-offs took 6 s of CPU and a few hundred MB, only to be counted.
    """
    from icmap.analysis.picture import whole_org

    count = graph.number_of_edges()  # every hand-off is drawn, none elided
    if count <= PANEL_HANDOFFS:
        return for_browser(graph, whole_org(graph), overview=overview)
    bare = whole_org(graph, handoffs=False)
    return for_browser(graph, bare, overview=overview, handoffs=count)


@collector_paused
def page(graph: OrgGraph, picture: Picture) -> Page:
    """Everything the HTML page of ``picture`` (drawn from ``graph``) shows.

    >>> from icmap import build_graph, load_text
    >>> from icmap.analysis.picture import whole_org
    >>> g = build_graph(load_text(
    ...     "customers: {shop: {}}\\nteams:\\n"
    ...     "  mill: {provides: [{what: flour, to: bakery}]}\\n"
    ...     "  bakery: {provides: [{what: bread, to: shop}]}\\n"))
    >>> shown = page(g, whole_org(g))
    >>> facts = shown.facts["bakery"]
    >>> shown.downstream.of("bakery"), shown.downstream.stranded("bakery"), facts.critical_for
    (((), ('shop',)), ('mill',), ('shop',))
    """

    report = headlines(graph)
    found: dict[str, list[tuple[str, str]]] = {}
    for part, drawn in picture.stands_for.items():
        found.setdefault(drawn, []).append((part, str(graph.nodes[part]["name"])))
    members = {drawn: tuple(sorted(parts)) for drawn, parts in found.items()}
    streams = report.streams
    if len(picture.nodes) > IMPACT_LIMIT:
        return Page(picture, report, {}, members, streams)
    critical_for: dict[str, list[str]] = {}
    tied_to: dict[str, list[str]] = {}
    for path in report.critical.paths:
        for team in path.team_set:  # ties included: zero slack means on a critical path
            critical_for.setdefault(team, []).append(path.customer)
        for team in path.team_set.difference(path.path):
            tied_to.setdefault(team, []).append(path.customer)
    facts = {}
    for node in picture.nodes:
        if node.kind == "customer" or node.id not in graph:  # a customer, or an overview's group
            continue
        facts[node.id] = TeamFacts(
            critical_for=tuple(sorted(set(critical_for.get(node.id, ())))),
            slack=report.critical.slack.get(node.id),
            slack_lower_bound=node.id in report.critical.looped,
            tied_to=tuple(sorted(set(tied_to.get(node.id, ())))),
        )
    reach = downstream(graph, list(facts)) if facts else None
    return Page(picture, report, facts, members, streams, downstream=reach)
