"""What the pictures of a value stream show: the stream on its own, and its timeline.

``icmap graph --stream ID`` draws one stream: the hand-offs whose relations name it, with only
those relations, the teams on them, and its critical path (and any chain as long) marked
(:func:`stream_picture`). ``--timeline`` draws the value stream map's ladder along that
critical path (:func:`timeline`). The numbers are :func:`icmap.analysis.streams.stream_flows`';
the renderers only format them.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from icmap.analysis.picture import Picture, _picture
from icmap.analysis.streams import stream_flow_alone
from icmap.errors import UsageError
from icmap.graph import relations, stream_graph
from icmap.model import format_hours, format_share

if TYPE_CHECKING:
    from icmap.analysis.streams import StreamFlow
    from icmap.graph import OrgGraph
    from icmap.model import Relation, Stream


def find_stream(graph: OrgGraph, text: str) -> str:
    """The id of the stream named by ``text``: its id or display name, any case.

    Raises :class:`~icmap.errors.UsageError` when the org declares no streams, or with a
    did-you-mean when none matches.
    """
    import difflib

    streams: dict[str, Stream] = graph.graph.get("streams") or {}
    if not streams:
        raise UsageError(
            "this org declares no value streams, so there is none to draw: "
            "declare them under streams: (docs/format.md)"
        )
    if text in streams:
        return text
    wanted = text.casefold()
    matches = sorted(s for s in streams if wanted in (s.casefold(), streams[s].label.casefold()))
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UsageError(f"{text!r} is ambiguous: it names streams {', '.join(matches)}; use an id")
    # Ids and display names both suggest, each stream once, by its id.
    called = {streams[s].label: s for s in streams} | {s: s for s in streams}
    close = difflib.get_close_matches(text, sorted(called), n=3, cutoff=0.6)
    suggested = list(dict.fromkeys(called[c] for c in close))
    hint = (
        f"; did you mean {' or '.join(repr(c) for c in suggested)}?"
        if suggested
        else f"; streams: {', '.join(sorted(streams))}"
    )
    raise UsageError(f"no value stream {text!r} in this org{hint}")


def stream_flow(graph: OrgGraph, stream: str) -> StreamFlow:
    """The numbers of one stream (an id :func:`find_stream` gave)."""
    return stream_flow_alone(graph, stream)


def relation_text(relation: Relation) -> str:
    """One relation of a stream as its picture labels it: what, lead time, process time and
    %C&A, each only when given: ``Paid order (2h, work 20m, C&A 85%)``."""
    details = []
    if relation.lead_time is not None:
        details.append(format_hours(relation.lead_time.hours))
    if relation.process_time is not None:
        details.append(f"work {format_hours(relation.process_time.hours)}")
    if relation.complete_accurate is not None:
        details.append(f"C&A {format_share(relation.complete_accurate)}")
    return relation.what + (f" ({', '.join(details)})" if details else "")


def _critical_edges(flow: StreamFlow) -> set[tuple[str, str]]:
    return set(itertools.pairwise(flow.path)) | set(flow.ties)


def stream_picture(graph: OrgGraph, stream: str) -> Picture:
    """One value stream on its own: its hand-offs (with only the relations that name it), the
    teams, suppliers and customer on them, its critical path and any chain as long marked.

    Loops and the front line are the stream's own: a team is on the front line when it hands
    the stream's work to a customer. Nothing is elided: the stream is drawn whole.

    >>> from icmap.graph import build_graph
    >>> from icmap.loader import load_text
    >>> g = build_graph(load_text('''
    ... customers: {shop: {}}
    ... streams: {order: {customer: shop}}
    ... teams:
    ...   a: {provides: [{what: Parts, to: b, streams: order, lead_time: 1d}, {what: Plans, to: b}]}
    ...   b: {provides: [{what: Goods, to: shop, streams: order, lead_time: 2h}]}
    ...   c: {provides: [{what: Ads, to: shop}]}
    ... '''))
    >>> drawn = stream_picture(g, "order")
    >>> [(n.id, n.critical) for n in drawn.nodes]
    [('a', True), ('b', True), ('shop', True)]
    >>> [(e.provider, e.label, e.critical) for e in drawn.edges]
    [('a', 'Parts (1d)', True), ('b', 'Goods (2h)', True)]
    """
    flow = stream_flow(graph, stream)
    sub = stream_graph(graph, stream)
    critical = _critical_edges(flow)
    on_path = {node for edge in critical for node in edge}
    customer = str(graph.nodes[flow.customer]["name"]) if flow.customer in graph else flow.customer
    title = f"{flow.stream.label}: value stream to {customer}"
    drawn = _picture(sub, set(sub.nodes), {}, title, [], elide=False)
    nodes = [dataclasses.replace(n, critical=n.id in on_path) for n in drawn.nodes]
    edges = [
        dataclasses.replace(
            e,
            label="\n".join(relation_text(r) for r in relations(sub, e.provider, e.receiver)),
            critical=(e.provider, e.receiver) in critical,
        )
        for e in drawn.edges
    ]
    return Picture(title, nodes, edges, drawn.notes, stream=flow, measured=drawn.measured)


def stream_view(graph: OrgGraph, stream: str) -> tuple[OrgGraph, StreamFlow]:
    """What the terminal tree of a stream walks: the stream's own graph, and its numbers."""
    return stream_graph(graph, stream), stream_flow(graph, stream)


@dataclass(frozen=True)
class Timeline:
    """The value stream map's ladder of one stream: ``flow``'s critical path, step by step.

    ``names[i]`` is the display name of ``flow.path[i]``; ``kinds[i]`` its kind (team,
    supplier or customer).
    """

    flow: StreamFlow
    names: tuple[str, ...]
    kinds: tuple[str, ...]

    @property
    def title(self) -> str:
        return f"{self.flow.stream.label}: value stream timeline to {self.names[-1]}"


def timeline(graph: OrgGraph, stream: str) -> Timeline:
    """The timeline of one stream: the parties along its critical path, in order.

    >>> from icmap.graph import build_graph
    >>> from icmap.loader import load_text
    >>> g = build_graph(load_text('''
    ... customers: {shop: {name: Shop}}
    ... streams: {order: {customer: shop}}
    ... teams:
    ...   a: {name: Assembly, provides: [{what: Parts, to: b, streams: order, lead_time: 1d}]}
    ...   b: {provides: [{what: Goods, to: shop, streams: order, lead_time: 2h}]}
    ... '''))
    >>> line = timeline(g, "order")
    >>> line.names, line.kinds, [s.lead_time for s in line.flow.steps]
    (('Assembly', 'b', 'Shop'), ('team', 'team', 'customer'), [24.0, 2.0])
    """
    flow = stream_flow(graph, stream)
    nodes = graph.nodes
    return Timeline(
        flow,
        tuple(str(nodes[n]["name"]) for n in flow.path),
        tuple(str(nodes[n]["kind"]) for n in flow.path),
    )
