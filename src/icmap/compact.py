"""The graph as integer-indexed adjacency lists, built once per graph for the analyses.

networkx keeps a graph as dictionaries of string ids scattered over the heap; walking them
costs more per hand-off the larger the org (memory locality: a critical-path step cost five
times as much at 30,000 teams as at 10,000). The analyses' inner loops walk these lists of
small integers instead. A node's index is its rank among the sorted ids, so comparing indices
orders nodes as comparing ids does, and every analysis keeps its tie-breaks.

:func:`compact` builds the view on first use and keeps it as long as the graph lives, so the
analyses of one run share it. It assumes, as every analysis does, that the graph is not changed
once analysed; a graph whose node or hand-off count changed gets a fresh view.

>>> import networkx as nx
>>> g = nx.DiGraph([("b", "c"), ("a", "c")])
>>> view = compact(g)
>>> view.ids, list(view.pred[view.index["c"]])
(('a', 'b', 'c'), [0, 1])
"""

from __future__ import annotations

import functools
import gc
import weakref
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:
    from icmap.graph import OrgGraph
    from icmap.model import Relation

T = TypeVar("T")
P = ParamSpec("P")


def collector_paused(function: Callable[P, T]) -> Callable[P, T]:
    """Run ``function`` with Python's cyclic garbage collector paused.

    An analysis allocates many small containers and frees them all by reference counting;
    left on, the collector walks every one still alive again and again, which grew the
    analyses' time faster than the org (13.5 s with it, 10.3 s without at 30,000 teams).
    Nested calls leave it to the outermost to switch the collector back on.
    """

    @functools.wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> T:
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused


class Compact:
    """One graph's nodes as indices, with sorted successor and predecessor lists.

    ``succ_hours[u][k]`` is the lead time (hours, ``None`` when none is given) of the hand-off
    from ``u`` to ``succ[u][k]``; ``pred_hours`` likewise along ``pred``. The index lists are
    ``array('l')`` rows: the numbers sit in the row itself, where a list would point to integer
    objects spread over the heap (at 100,000 teams a pass over the lists cost 2.5 times as
    much per hand-off as at 10,000; over arrays the same).
    """

    __slots__ = (
        "_components",
        "customers",
        "edges",
        "ids",
        "index",
        "kinds",
        "marked",
        "pred",
        "pred_hours",
        "succ",
        "succ_hours",
    )

    def __init__(
        self,
        ids: list[str] | tuple[str, ...],
        kinds: list[str | None],
        succ: Sequence[Sequence[int]],
        succ_hours: list[list[float | None]],
        index: dict[str, int] | None = None,
        *,
        preds: tuple[list[list[int]], list[list[float | None]]] | None = None,
    ) -> None:
        self.ids: tuple[str, ...] = tuple(ids)
        self.index: dict[str, int] = index or {node: i for i, node in enumerate(ids)}
        self.kinds = kinds
        self.succ: list[array[int]] = [array("l", row) for row in succ]
        self.succ_hours = succ_hours
        if preds is None:
            pred: list[list[int]] = [[] for _ in ids]
            pred_hours: list[list[float | None]] = [[] for _ in ids]
            # Filled in increasing provider order, so each predecessor list comes out sorted.
            for u, row in enumerate(succ):
                for v, hours in zip(row, succ_hours[u], strict=True):
                    pred[v].append(u)
                    pred_hours[v].append(hours)
        else:
            pred, pred_hours = preds  # built by the caller along with ``succ``, sorted as above
        self.pred: list[array[int]] = [array("l", row) for row in pred]
        self.pred_hours = pred_hours
        self.edges = sum(len(row) for row in succ)
        self.customers = [i for i, k in enumerate(kinds) if k == "customer"]
        #: Hand-offs that carry some feedback relation: ``(provider, receiver, relations)``.
        self.marked: list[tuple[int, int, list[Relation]]] = []
        self._components: list[list[int]] | None = None

    def hours(self, u: int, v: int) -> float | None:
        """The lead time of the hand-off ``u -> v`` (which must exist)."""
        import bisect

        row = self.succ[u]
        return self.succ_hours[u][bisect.bisect_left(row, v)]

    def names(self, nodes: Sequence[int]) -> tuple[str, ...]:
        """The ids of ``nodes``, in order."""
        ids = self.ids
        return tuple(ids[n] for n in nodes)

    def components(self) -> list[list[int]]:
        """Strongly connected components, each sorted, in topological order (sources first).

        Tarjan's algorithm without recursion: O(nodes + edges), once per view.
        """
        if self._components is None:
            self._components = self._tarjan()
        return self._components

    def _tarjan(self) -> list[list[int]]:
        succ = self.succ
        size = len(succ)
        number = [-1] * size
        low = [0] * size
        on_stack = [False] * size
        stack: list[int] = []
        found: list[list[int]] = []
        counter = 0
        for root in range(size):
            if number[root] != -1:
                continue
            number[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack[root] = True
            work = [(root, 0)]
            while work:
                node, k = work[-1]
                row = succ[node]
                if k < len(row):
                    work[-1] = (node, k + 1)
                    nxt = row[k]
                    if number[nxt] == -1:
                        number[nxt] = low[nxt] = counter
                        counter += 1
                        stack.append(nxt)
                        on_stack[nxt] = True
                        work.append((nxt, 0))
                    elif on_stack[nxt] and number[nxt] < low[node]:
                        low[node] = number[nxt]
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == number[node]:
                    members = []
                    while True:
                        member = stack.pop()
                        on_stack[member] = False
                        members.append(member)
                        if member == node:
                            break
                    members.sort()
                    found.append(members)
        # Tarjan finishes a component after every component it reaches: sinks come first.
        found.reverse()
        return found

    def upstream(self, starts: list[int]) -> list[bool]:
        """Which nodes reach any of ``starts`` (they included), by a walk against the edges."""
        return _reached(self.pred, starts)

    def downstream(self, starts: list[int]) -> list[bool]:
        """Which nodes any of ``starts`` reaches (they included)."""
        return _reached(self.succ, starts)


def _longest(relations: Iterable[Relation]) -> float | None:
    known = [r.lead_time.hours for r in relations if r.lead_time]
    return max(known) if known else None


def _build(graph: OrgGraph) -> Compact:
    ids = sorted(graph.nodes)
    index = {node: i for i, node in enumerate(ids)}
    nodes = graph.nodes
    kinds = [nodes[n].get("kind") for n in ids]
    succ: list[list[int]] = []
    succ_hours: list[list[float | None]] = []
    marked: list[tuple[int, int, list[Relation]]] = []
    adjacency = graph.succ
    for i, u in enumerate(ids):
        row: list[tuple[int, float | None]] = []
        for v, data in adjacency[u].items():
            j = index[v]
            found = data.get("relations") or []
            # Graphs from build_graph carry the hand-off's lead time precomputed.
            row.append(
                (j, data["lead_time_hours"] if "lead_time_hours" in data else _longest(found))
            )
            for relation in found:
                if relation.feedback:
                    marked.append((i, j, found))
                    break
        row.sort(key=_first)
        succ.append([v for v, _ in row])
        succ_hours.append([hours for _, hours in row])
    view = Compact(ids, kinds, succ, succ_hours, index)
    view.marked = marked
    return view


def _delivery(view: Compact) -> Compact:
    """``view`` without its feedback: as :func:`icmap.graph.delivery_graph`, same indices."""
    if not view.marked:
        return view
    succ: list[Sequence[int]] = list(view.succ)
    succ_hours = list(view.succ_hours)
    for u, v, found in view.marked:
        row, hours = list(succ[u]), list(succ_hours[u])
        at = row.index(v)
        kept = [r for r in found if not r.feedback]
        if kept:
            hours[at] = _longest(kept)
        else:
            del row[at], hours[at]
        succ[u], succ_hours[u] = row, hours
    return Compact(view.ids, view.kinds, succ, succ_hours, view.index)


def _reached(rows: Sequence[Sequence[int]], starts: list[int]) -> list[bool]:
    """The nodes a walk along ``rows`` reaches from ``starts``."""
    seen = [False] * len(rows)
    stack = list(starts)
    for start in starts:
        seen[start] = True
    while stack:
        for n in rows[stack.pop()]:
            if not seen[n]:
                seen[n] = True
                stack.append(n)
    return seen


def _first(pair: tuple[int, float | None]) -> int:
    return pair[0]


class _Cached:
    """What was computed for one graph, with the counts that say it still describes it."""

    __slots__ = ("shape", "values")

    def __init__(self, shape: tuple[int, int]) -> None:
        self.shape = shape
        self.values: dict[str, object] = {}


_CACHE: weakref.WeakKeyDictionary[OrgGraph, _Cached] = weakref.WeakKeyDictionary()


def cached(graph: OrgGraph, key: str, make: Callable[[], T]) -> T:
    """``make()``, computed once per graph and ``key`` while the graph lives unchanged.

    Analyses share their costly intermediate results through this: the compact views, the
    loop structure of the critical paths. A graph whose node or hand-off count changes starts
    afresh; one edited in place without changing them (a lead time) keeps the old results,
    so icmap never edits an analysed graph, and docs/cli.md asks library users not to.
    """
    # networkx's own adjacency dictionary when there is one: its views cost a call per node.
    raw = getattr(graph, "_succ", None)
    rows = raw.values() if type(raw) is dict else graph.succ.values()
    shape = (len(graph), sum(map(len, rows)))
    entry = _CACHE.get(graph)
    if entry is None or entry.shape != shape:
        entry = _Cached(shape)
        _CACHE[graph] = entry
    if key not in entry.values:
        entry.values[key] = make()
    value: T = entry.values[key]  # type: ignore[assignment]
    return value


class StreamView:
    """One value stream's hand-offs as a compact view, made without a graph of their own.

    ``view`` holds every hand-off with a relation naming the stream, weighed by those relations
    only (as :func:`icmap.graph.stream_graphs` weighs them); ``delivery`` the same without its
    feedback (:func:`compact_delivery`). ``edges`` lists the hand-offs as ``(provider,
    receiver)`` indices of ``view`` in sorted order, ``relations`` the stream's relations on
    each and ``shares`` the product of their %C&A (``None`` when none gives one). ``order(u)``
    lists ``u``'s delivery hand-offs in the order the org's graph keeps them: the depth-first
    order a large loop is cut in follows it, as it does on a graph.
    """

    __slots__ = ("_adjacency", "delivery", "edges", "relations", "shares", "view")

    def __init__(
        self,
        view: Compact,
        edges: list[tuple[int, int]],
        relations: list[list[Relation]],
        shares: list[float | None],
        adjacency: Mapping[str, Iterable[str]],
    ) -> None:
        self.view = view
        self.delivery = _delivery(view)
        self.edges = edges
        self.relations = relations
        self.shares = shares
        self._adjacency = adjacency

    def relations_of(self, u: int, v: int) -> list[Relation]:
        """The stream's relations on the hand-off ``u -> v`` (which must be one of its own)."""
        import bisect

        return self.relations[bisect.bisect_left(self.edges, (u, v))]

    def order(self, u: int) -> list[int]:
        """``u``'s delivery hand-offs' receivers, in the org graph's order."""
        # Only asked for the teams of a loop too large to search: a dictionary per call is fine.
        delivery = self.delivery
        wanted = {delivery.ids[v]: v for v in delivery.succ[u]}
        return [wanted[v] for v in self._adjacency[delivery.ids[u]] if v in wanted]


def stream_views(graph: OrgGraph) -> dict[str, StreamView]:
    """Each value stream of ``graph`` (``graph.graph["streams"]``) as a :class:`StreamView`.

    One pass over the org's hand-offs picks every stream's out, whatever their number; each view
    then costs its own stream's size. Node indices are ranks among the stream's own ids, so they
    order as the ids do (as in any compact view) and every analysis keeps its tie-breaks.
    """
    streams = graph.graph.get("streams") or {}
    if not streams:
        return {}
    org = compact(graph)
    index = org.index
    chosen: dict[str, dict[tuple[int, int], list[Relation]]] = {stream: {} for stream in streams}
    # networkx's own adjacency dictionary when there is one: its views cost a call per row.
    raw = getattr(graph, "_succ", None)
    adjacency: Mapping[str, Mapping[str, dict[str, object]]] = (
        raw if type(raw) is dict else graph.succ
    )
    for u, row in adjacency.items():
        i = index[u]
        for v, data in row.items():
            for relation in data.get("relations") or ():  # type: ignore[attr-defined]
                for stream in relation.streams:
                    edges = chosen.get(stream)
                    if edges is None:
                        continue
                    key = (i, index[v])
                    found = edges.get(key)
                    if found is None:
                        edges[key] = [relation]
                    else:
                        found.append(relation)
    return {stream: _stream_view(graph, org, edges) for stream, edges in chosen.items()}


def _stream_view(
    graph: OrgGraph, org: Compact, chosen: dict[tuple[int, int], list[Relation]]
) -> StreamView:
    # Keys are distinct, so sorting the items compares only the (provider, receiver) pairs.
    pairs = sorted(chosen.items())
    nodes = sorted({n for pair, _ in pairs for n in pair})
    local = {n: k for k, n in enumerate(nodes)}
    org_ids, org_kinds = org.ids, org.kinds
    ids = [org_ids[n] for n in nodes]
    size = len(nodes)
    succ: list[list[int]] = [[] for _ in range(size)]
    succ_hours: list[list[float | None]] = [[] for _ in range(size)]
    pred: list[list[int]] = [[] for _ in range(size)]
    pred_hours: list[list[float | None]] = [[] for _ in range(size)]
    edges: list[tuple[int, int]] = []
    relations: list[list[Relation]] = []
    shares: list[float | None] = []
    marked: list[tuple[int, int, list[Relation]]] = []
    # In sorted (provider, receiver) order, so every row, forward and back, comes out sorted.
    for (i, j), found in pairs:
        u, v = local[i], local[j]
        # The longest lead time, the product of the %C&A (each relation must arrive right) and
        # whether any is feedback, in one walk over the (usually one) relations.
        hours: float | None = None
        share: float | None = None
        feedback = False
        for relation in found:
            if relation.lead_time:
                lead = relation.lead_time.hours
                if hours is None or lead > hours:
                    hours = lead
            if relation.complete_accurate is not None:
                share = (1.0 if share is None else share) * relation.complete_accurate
            feedback = feedback or relation.feedback
        succ[u].append(v)
        succ_hours[u].append(hours)
        pred[v].append(u)
        pred_hours[v].append(hours)
        edges.append((u, v))
        relations.append(found)
        shares.append(share)
        if feedback:
            marked.append((u, v, found))
    view = Compact(ids, [org_kinds[n] for n in nodes], succ, succ_hours, preds=(pred, pred_hours))
    view.marked = marked
    return StreamView(view, edges, relations, shares, graph.succ)


def compact(graph: OrgGraph) -> Compact:
    """The compact view of every hand-off of ``graph`` (built once per graph)."""
    return cached(graph, "compact", lambda: _build(graph))


def compact_delivery(graph: OrgGraph) -> Compact:
    """The compact view of ``graph``'s delivery hand-offs (:func:`icmap.graph.delivery_graph`).

    Same node indices as :func:`compact`; lead times count delivery relations only. Derived
    from :func:`compact` by changing only the hand-offs that carry feedback: no graph copy.
    """
    return cached(graph, "compact_delivery", lambda: _delivery(compact(graph)))
