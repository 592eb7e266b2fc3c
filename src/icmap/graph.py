"""The internal-customer graph: the one place that builds the networkx graph from an Org.

Nodes are ids, with the attributes ``kind`` (``team``, ``customer`` or ``supplier``), ``name``
(display name), ``group``, ``lead``, ``description`` and ``type`` (the Team Topologies team
type, or ``None``). An edge ``provider -> receiver`` exists when the provider hands anything
to the receiver; its ``relations`` attribute is the tuple of those
:class:`~icmap.model.Relation` objects (what, lead time, satisfaction, declaring sides, source
positions), ``lead_time_hours`` is the longest of their lead times (``None`` when none has
one), and ``feedback`` is true when every relation on it is feedback. Work flows along the
edges toward the external customers.

>>> from icmap.loader import load_text
>>> org = load_text('''
... customers: {diners: {}}
... teams:
...   kitchen: {provides: [{what: Dishes, to: waiters, lead_time: 15m}]}
...   waiters: {provides: [{what: Service, to: diners}]}
... ''')
>>> g = build_graph(org)
>>> sorted(g.edges)
[('kitchen', 'waiters'), ('waiters', 'diners')]
>>> g.nodes["diners"]["kind"], [r.what for r in relations(g, "kitchen", "waiters")]
('customer', ['Dishes'])

Loops of mutual service are kept: they are normal in organisations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from icmap.model import Customer, Kind, Org, Relation, Supplier, Team

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import TypeAlias

    import networkx as nx

    #: The internal-customer graph: node ids are team, customer and supplier ids.
    OrgGraph: TypeAlias = nx.DiGraph[str]


_KINDS: dict[type, Kind] = {Team: "team", Customer: "customer", Supplier: "supplier"}


def build_graph(org: Org) -> OrgGraph:
    """The internal-customer graph of ``org`` (see the module docstring for its attributes)."""
    import networkx as nx

    # The value streams ride on the graph, so analyses of one stream need nothing else.
    graph: OrgGraph = nx.DiGraph(name=org.name or "", streams=org.streams)
    # Each node's and edge's attribute dictionary shares its keys with every other one (see
    # _NodeData), only while this builds them: a copy or a node added later is as networkx
    # makes it.
    graph.node_attr_dict_factory = _node_data  # type: ignore[misc,method-assign]
    for party in (*org.customers.values(), *org.suppliers.values(), *org.teams.values()):
        graph.add_node(
            party.id,
            kind=_KINDS[type(party)],
            name=party.label,
            group=getattr(party, "group", None),
            lead=getattr(party, "lead", None),
            description=party.description,
            type=getattr(party, "type", None),
        )
    del graph.node_attr_dict_factory  # type: ignore[misc]
    graph.edge_attr_dict_factory = _edge_data  # type: ignore[misc,method-assign]
    # An edge's relations are a tuple: most edges have one, and a one-element list takes
    # 72 B where the tuple takes 48 (24 MB at a million hand-offs). A list only while more
    # are added to it.
    for relation in org.relations:
        adjacent = graph.succ.get(relation.provider)
        edge = adjacent.get(relation.receiver) if adjacent is not None else None
        if edge is None:
            graph.add_edge(relation.provider, relation.receiver, relations=(relation,))
        elif isinstance(edge["relations"], list):
            edge["relations"].append(relation)
        else:
            edge["relations"] = [*edge["relations"], relation]
    # Summaries the analyses' inner loops read for every edge, computed once here.
    for _, _, data in graph.edges(data=True):
        if isinstance(data["relations"], list):
            data["relations"] = tuple(data["relations"])
        known = [r.lead_time.hours for r in data["relations"] if r.lead_time]
        data["lead_time_hours"] = max(known) if known else None
        data["feedback"] = all(r.feedback for r in data["relations"])
    del graph.edge_attr_dict_factory  # type: ignore[misc]
    return graph


class _NodeData:
    """A node's attributes, as an object's ``__dict__``: CPython keeps the keys of those once
    for all the objects of a class (a split table), where a dictionary of its own holds them
    again for every node (272 B a node against about 120, and 184 B an edge against 96: 77 MB
    at a million hand-offs). They are dictionaries like any other, in the same key order;
    only the memory differs (measured on Python 3.11)."""

    def __init__(self) -> None:
        self.kind = None
        self.name = None
        self.group = None
        self.lead = None
        self.description = None
        self.type = None


class _EdgeData:
    """An edge's attributes, as :class:`_NodeData` a node's."""

    def __init__(self) -> None:
        self.relations = ()
        self.lead_time_hours = None
        self.feedback = False


def _node_data() -> dict[str, object]:
    return _NodeData().__dict__


def _edge_data() -> dict[str, object]:
    return _EdgeData().__dict__


def stream_graphs(graph: OrgGraph) -> dict[str, OrgGraph]:
    """One graph per value stream: its hand-offs, with only the relations that name it.

    Each edge's ``lead_time_hours`` is the longest of those relations' lead times and its
    ``complete_accurate`` their product (``None`` when none gives one); every node keeps its
    attributes. Built in one pass over the hand-offs, whatever the number of streams.

    >>> from icmap.loader import load_text
    >>> org = load_text('''
    ... customers: {shop: {}}
    ... streams: {order: {customer: shop}}
    ... teams:
    ...   a: {provides: [{what: Parts, to: b, streams: order}, {what: Plans, to: b}]}
    ...   b: {provides: [{what: Goods, to: shop, streams: order}, {what: Ads, to: shop}]}
    ... ''')
    >>> order = stream_graphs(build_graph(org))["order"]
    >>> sorted(order.edges), [r.what for r in relations(order, "a", "b")]
    ([('a', 'b'), ('b', 'shop')], ['Parts'])
    """
    return _stream_graphs(graph, graph.graph.get("streams") or {})


def stream_graph(graph: OrgGraph, stream: str) -> OrgGraph:
    """The graph :func:`stream_graphs` gives ``stream`` (a stream of the org), without
    building every other stream's: ``icmap graph --stream ID`` draws one."""
    return _stream_graphs(graph, [stream])[stream]


def _stream_graphs(graph: OrgGraph, streams: Iterable[str]) -> dict[str, OrgGraph]:
    import networkx as nx

    edges: dict[str, dict[tuple[str, str], list[Relation]]] = {stream: {} for stream in streams}
    if not edges:
        return {}
    for u, v, data in graph.edges(data=True):
        for relation in data.get("relations") or ():
            for stream in relation.streams:
                if stream in edges:
                    edges[stream].setdefault((u, v), []).append(relation)
    nodes = graph.nodes
    found: dict[str, OrgGraph] = {}
    for stream, chosen in edges.items():
        sub: OrgGraph = nx.DiGraph(name=graph.graph.get("name", ""), stream=stream)
        ends = {node for edge in chosen for node in edge}
        sub.add_nodes_from((node, nodes[node]) for node in ends)
        sub.add_edges_from(
            (
                u,
                v,
                {
                    "relations": found_,
                    "lead_time_hours": _longest(found_),
                    "feedback": False,
                    "complete_accurate": _product(found_),
                },
            )
            for (u, v), found_ in chosen.items()
        )
        found[stream] = sub
    return found


def _product(found: list[Relation]) -> float | None:
    """The hand-off's %C&A in a stream: every one of its relations must arrive right."""
    share: float | None = None
    for relation in found:
        if relation.complete_accurate is not None:
            share = (1.0 if share is None else share) * relation.complete_accurate
    return share


def _longest(found: list[Relation]) -> float | None:
    known = [r.lead_time.hours for r in found if r.lead_time]
    return max(known) if known else None


def is_feedback(graph: OrgGraph, provider: str, receiver: str) -> bool:
    """Whether the hand-off only carries feedback: every relation on it is ``feedback: true``.

    A hand-off with no relations (a graph built by hand) is delivery.
    """
    data = graph.edges[provider, receiver]
    if "feedback" in data:
        return bool(data["feedback"])
    found = data.get("relations") or []
    return bool(found) and all(r.feedback for r in found)


def delivery_graph(graph: OrgGraph) -> OrgGraph:
    """``graph`` without its feedback: the work the customers wait for.

    Every node stays. A hand-off whose relations are all feedback is left out; one that mixes
    feedback and delivery stays, weighed by its delivery relations' lead times only. When
    nothing is marked feedback this is ``graph`` itself (no copy).

    >>> from icmap.loader import load_text
    >>> org = load_text('''
    ... customers: {users: {}}
    ... teams:
    ...   dev: {provides: [{what: Releases, to: ops}]}
    ...   ops: {provides: [{what: Service, to: users}, {what: Incidents, to: dev, feedback: true}]}
    ... ''')
    >>> g = build_graph(org)
    >>> sorted(delivery_graph(g).edges), is_feedback(g, "ops", "dev")
    ([('dev', 'ops'), ('ops', 'users')], True)

    The copy is made once per graph and shared by the analyses (:func:`icmap.compact.cached`).
    """
    from icmap.compact import cached, compact

    if not compact(graph).marked:
        return graph  # not cached: the cache must not hold the graph it is keyed by
    return cached(graph, "delivery_graph", lambda: _delivery_graph(graph))


def _delivery_graph(graph: OrgGraph) -> OrgGraph:
    marked = [
        (u, v, data)
        for u, v, data in graph.edges(data=True)
        if any(r.feedback for r in data.get("relations") or [])
    ]
    if not marked:
        return graph
    delivery = graph.copy()
    for u, v, data in marked:
        kept = tuple(r for r in data["relations"] if not r.feedback)
        if not kept:
            delivery.remove_edge(u, v)
            continue
        known = [r.lead_time.hours for r in kept if r.lead_time]
        delivery.edges[u, v]["relations"] = kept
        delivery.edges[u, v]["lead_time_hours"] = max(known) if known else None
    return delivery


def kind(graph: OrgGraph, node: str) -> Kind:
    """Whether ``node`` is a team, customer or supplier."""
    value: Kind = graph.nodes[node]["kind"]
    return value


def name(graph: OrgGraph, node: str) -> str:
    """The display name of ``node``."""
    return str(graph.nodes[node]["name"])


def relations(graph: OrgGraph, provider: str, receiver: str) -> Sequence[Relation]:
    """What ``provider`` hands to ``receiver`` (a tuple in a graph :func:`build_graph` made)."""
    found: Sequence[Relation] = graph.edges[provider, receiver]["relations"]
    return found


def nodes_of_kind(graph: OrgGraph, wanted: Kind) -> list[str]:
    """The ids of every node of one kind, sorted."""
    return sorted(n for n in graph.nodes if graph.nodes[n]["kind"] == wanted)


def lead_time_hours(graph: OrgGraph, provider: str, receiver: str) -> float | None:
    """The hand-off's lead time: the longest of its relations' (the receiver waits for all).

    ``None`` when none of the relations on the edge has a lead time.
    """
    known = [r.lead_time.hours for r in relations(graph, provider, receiver) if r.lead_time]
    return max(known) if known else None


def all_lead_time_hours(graph: OrgGraph) -> dict[tuple[str, str], float | None]:
    """:func:`lead_time_hours` of every edge at once (one pass, for the analyses' inner loops)."""
    found: dict[tuple[str, str], float | None] = {}
    for provider, receiver, data in graph.edges(data=True):
        if "lead_time_hours" in data:  # graphs from build_graph carry it precomputed
            found[provider, receiver] = data["lead_time_hours"]
        else:
            found[provider, receiver] = lead_time_hours(graph, provider, receiver)
    return found


def all_weakest_relations(graph: OrgGraph) -> dict[tuple[str, str], Relation]:
    """:func:`weakest_relation` of every edge that has a scored relation, in one pass."""
    found: dict[tuple[str, str], Relation] = {}
    for provider, receiver, data in graph.edges(data=True):
        scored: list[Relation] = [r for r in data["relations"] if r.satisfaction is not None]
        if scored:
            found[provider, receiver] = min(scored, key=lambda r: (r.satisfaction, r.what))
    return found


def weakest_relation(graph: OrgGraph, provider: str, receiver: str) -> Relation | None:
    """The relation on the edge with the lowest satisfaction score, if any is scored."""
    scored = [r for r in relations(graph, provider, receiver) if r.satisfaction is not None]
    return min(scored, key=lambda r: (r.satisfaction, r.what)) if scored else None


def find_party(graph: OrgGraph, text: str) -> str:
    """The id of the team or supplier named by ``text``: its id or display name, any case.

    Raises :class:`~icmap.errors.UsageError` with a did-you-mean, the candidates when a name is
    ambiguous, or a word on customers (they receive work; they do not fail inside the org).
    """
    import difflib

    from icmap.errors import UsageError
    from icmap.safe_text import as_typed

    # A name is typed, never a file's: its UTF-8 bytes are read as UTF-8 whatever the locale.
    text = as_typed(text)
    if text in graph and graph.nodes[text]["kind"] != "customer":
        return text
    wanted = text.casefold()
    matches = sorted(
        n
        for n in graph.nodes
        if graph.nodes[n]["kind"] != "customer"
        and wanted in (n.casefold(), str(graph.nodes[n]["name"]).casefold())
    )
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UsageError(f"{text!r} is ambiguous: it names {', '.join(matches)}; use an id")
    customers = nodes_of_kind(graph, "customer")
    if any(wanted in (n.casefold(), str(graph.nodes[n]["name"]).casefold()) for n in customers):
        raise UsageError(f"{text!r} is an external customer; name a team or a supplier")
    choices = [n for n in graph.nodes if graph.nodes[n]["kind"] != "customer"]
    # Display names too: "Culinary staf" should find "Culinary staff" as "kichen" finds "kitchen".
    names = {str(graph.nodes[n]["name"]) for n in choices} - set(choices)
    # Compared in any case, as names are matched: "KITCHN" finds "kitchen".
    shown = {c.casefold(): c for c in sorted({*choices, *names}, reverse=True)}
    close = [shown[c] for c in difflib.get_close_matches(wanted, sorted(shown), n=3, cutoff=0.6)]
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise UsageError(f"no team or supplier {text!r} in this org{hint}")
