"""Value streams: the format (streams:, a relation's streams, process_time, complete_accurate),
its errors, and the per-stream numbers checked against a brute force over small random orgs."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from icmap.analysis.streams import StreamFlow, flows_of, stream_flows
from icmap.errors import LoadError
from icmap.graph import build_graph, stream_graphs
from icmap.loader import load, load_text

EXAMPLES = Path(__file__).parent.parent / "examples"

ORDER = """\
customers: {shop: {}, firms: {}}
streams:
  order:
    name: Order to delivery
    customer: shop
    starts: A shopper orders
    target: 2d
teams:
  web:
    provides:
      - {what: Orders, to: ops, lead_time: 1h, process_time: 10m, complete_accurate: 90%,
         streams: order}
  ops:
    provides:
      - {what: Parcels, to: shop, lead_time: 1d, process_time: 2h, complete_accurate: 0.8,
         streams: [order]}
      - {what: Reports, to: firms, lead_time: 4w}
"""


def _load_errors(text: str) -> list[str]:
    with pytest.raises(LoadError) as caught:
        load_text(text, "org.yaml")
    return [d.format() for d in caught.value.diagnostics]


# --- the format -------------------------------------------------------------------------------


def test_a_stream_and_its_numbers_are_read() -> None:
    org = load_text(ORDER)
    stream = org.streams["order"]
    assert (stream.label, stream.customer, stream.starts) == (
        "Order to delivery",
        "shop",
        "A shopper orders",
    )
    assert stream.target is not None and stream.target.hours == 48
    orders = next(r for r in org.relations if r.what == "Orders")
    assert orders.streams == ("order",)
    assert orders.process_time is not None and orders.process_time.hours == pytest.approx(1 / 6)
    assert orders.complete_accurate == 0.9
    reports = next(r for r in org.relations if r.what == "Reports")
    assert (reports.streams, reports.process_time, reports.complete_accurate) == ((), None, None)


def test_an_org_without_streams_has_none() -> None:
    org = load(EXAMPLES / "insurance-claims.yaml")
    assert org.streams == {}
    assert stream_flows(build_graph(org)) == []


def test_both_sides_may_name_streams_and_the_receivers_numbers_win() -> None:
    org = load_text(
        """\
customers: {shop: {}}
streams: {a: {customer: shop}, b: {customer: shop}}
teams:
  x:
    provides: [{what: Parts, to: y, lead_time: 2h, complete_accurate: 90%, streams: a}]
  y:
    receives: [{what: parts, from: x, complete_accurate: 70%, process_time: 1h, streams: b}]
    provides: [{what: Goods, to: shop, streams: [a, b]}]
"""
    )
    parts = next(r for r in org.relations if r.provider == "x")
    assert parts.streams == ("a", "b")
    assert parts.complete_accurate == 0.7
    assert parts.process_time is not None and parts.process_time.hours == 1


def test_every_stream_mistake_is_reported_at_once_with_positions() -> None:
    errors = _load_errors(
        """\
customers: {shop: {}}
suppliers: {mill: {provides: [{what: Cloth, to: cut}]}}
streams:
  order: {customer: shop, target: 2 fortnights}
  empty: {customer: shop, target: 0m}
  lost: {customer: shpo}
  wrong: {customer: mill}
  nameless: {name: No customer}
teams:
  cut:
    provides:
      - {what: Cuts, to: sew, streams: ordr}
      - {what: Bits, to: sew, process_time: 3h, lead_time: 1h, complete_accurate: 85}
      - {what: More, to: sew, complete_accurate: 0%}
  sew:
    provides: [{what: Shirts, to: shop}]
"""
    )
    text = "\n".join(errors)
    assert "org.yaml:4:35: error: target '2 fortnights' has unknown unit 'fortnights'" in text
    assert "org.yaml:8:3: error: stream 'nameless' has no 'customer' [IC005]" in text
    assert "org.yaml:5:35: error: target 0 would be missed by every stream [IC007]" in text
    assert "org.yaml:6:20: error: unknown id 'shpo' in 'customer' of stream 'lost' [IC101]" in text
    assert "hint: did you mean 'shop'?" in text
    assert (
        "org.yaml:7:21: error: stream 'wrong' ends at 'mill', which is an outside supplier" in text
    )
    assert "org.yaml:12:40: error: unknown stream 'ordr' in 'streams' [IC107]" in text
    assert "hint: did you mean 'order'?" in text
    assert "error: process_time 3h is longer than lead_time 1h [IC007]" in text
    assert "error: complete_accurate '85' is not a share [IC007]" in text
    assert "hint: a fraction is at most 1: write 85% for a percentage" in text
    assert "error: complete_accurate '0%' must be above 0% [IC007]" in text


def test_a_stream_must_reach_its_customer_through_its_own_hand_offs() -> None:
    errors = _load_errors(
        """\
customers: {shop: {}, firms: {}}
streams:
  order: {customer: shop}
  empty: {customer: shop}
  stray: {customer: shop}
teams:
  a:
    provides:
      - {what: Parts, to: b, streams: [order, stray]}
      - {what: Notes, to: c, streams: order}
      - {what: Bugs, to: b, feedback: true, streams: order}
  b:
    provides: [{what: Goods, to: shop, streams: order}]
  c:
    provides: [{what: Memos, to: firms}]
"""
    )
    assert errors == [
        "org.yaml:4:3: error: stream 'empty' has no hand-offs [IC108]\n"
        "  hint: add 'streams: [empty]' to the hand-offs that make it",
        "org.yaml:5:3: error: no hand-off of stream 'stray' reaches its customer 'shop' [IC108]\n"
        "  hint: add 'stray' to the 'streams' of a hand-off to 'shop'",
        "org.yaml:10:39: error: 'Notes' from 'a' to 'c' is in stream 'order', but no hand-off "
        "of the stream leads on from 'c' to its customer 'shop' [IC108]\n"
        "  hint: add 'order' to what 'c' hands on, or drop it here",
        "org.yaml:11:54: error: 'Bugs' from 'a' to 'b' is feedback, so it cannot be part of "
        "stream 'order' [IC108]\n"
        "  hint: a stream follows the work its customer waits for; drop one of the two",
    ]


def test_a_broken_stream_is_said_with_an_unknown_stream_name() -> None:
    # An unknown stream named by a hand-off drops only that name: the other streams' shapes
    # are still judged, and said in the same run.
    errors = _load_errors(
        """\
customers: {shop: {}}
streams:
  order: {customer: shop}
  empty: {customer: shop}
teams:
  a: {provides: [{what: Parts, to: shop, streams: [order, nope]}]}
"""
    )
    assert [e.split(" [")[0] for e in errors] == [
        "org.yaml:4:3: error: stream 'empty' has no hand-offs",
        "org.yaml:6:59: error: unknown stream 'nope' in 'streams'",
    ]


def test_streams_may_sit_in_any_file_of_an_org_folder(tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_text(
        "customers: {shop: {}}\nstreams: {order: {customer: shop, target: 1d}}\n"
    )
    (tmp_path / "teams").mkdir()
    (tmp_path / "teams" / "web.yaml").write_text(
        "teams: {web: {provides: [{what: Site, to: shop, lead_time: 2h, streams: order}]}}\n"
    )
    [flow] = stream_flows(build_graph(load(tmp_path)))
    assert (flow.path, flow.lead_time, flow.target_gap) == (("web", "shop"), 2.0, -22.0)


def test_a_duplicate_stream_id_across_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "customers: {shop: {}}\nstreams: {order: {customer: shop}}\n"
        "teams: {web: {provides: [{what: Site, to: shop, streams: order}]}}\n"
    )
    (tmp_path / "b.yaml").write_text("streams: {order: {customer: shop}}\n")
    with pytest.raises(LoadError) as caught:
        load(tmp_path)
    [problem] = caught.value.diagnostics
    assert problem.code == "IC102"
    assert "duplicate stream id 'order': already defined at " in problem.message


# --- the numbers ------------------------------------------------------------------------------


def test_the_numbers_of_one_stream() -> None:
    [flow] = stream_flows(build_graph(load_text(ORDER)))
    assert flow.path == ("web", "ops", "shop")
    assert flow.lead_time == 25.0
    assert flow.process_time == pytest.approx(2 + 1 / 6)
    assert flow.flow_efficiency == round((2 + 1 / 6) / 25, 6)
    assert flow.rolled_ca == 0.72
    assert flow.lead_time_with_rework == round(1 / 0.9 + 24 / 0.8, 6)
    assert flow.constraint is not None and flow.constraint.what == ("Parcels",)
    assert flow.quality_constraint is not None and flow.quality_constraint.what == ("Parcels",)
    assert flow.target_gap == -23.0 and flow.target_met
    assert (flow.handoffs, flow.teams) == (2, ("ops", "web"))
    # The four weeks of reports to another customer are no part of the order's lead time.
    assert max(s.lead_time or 0 for s in flow.steps) == 24.0


def test_a_team_knows_its_place_in_each_stream() -> None:
    graph = build_graph(load(EXAMPLES / "northwind"))
    places = {flow.id: place for flow, place in flows_of(graph, "fulfilment")}
    assert set(places) == {"order-to-delivery", "club-outfitting"}
    order = places["order-to-delivery"]
    assert order.on_critical_path and order.position == 4 and order.steps == 5
    assert flows_of(graph, "legal") == []


def test_northwind_measures_each_flow_in_its_own_time() -> None:
    flows = {flow.id: flow for flow in stream_flows(build_graph(load(EXAMPLES / "northwind")))}
    assert set(flows) == {
        "order-to-delivery",
        "return-to-refund",
        "club-outfitting",
        "idea-to-release",
    }
    order = flows["order-to-delivery"]
    # An order travels in days, not the 73 days of the planning cadence before it.
    assert 24 < order.lead_time < 72 and order.target_met
    assert order.path[-3:] == ("fulfilment", "last-mile", "shoppers")
    assert flows["idea-to-release"].lead_time == 6 * 168 + 72


def test_a_stream_without_lead_times_counts_hand_offs() -> None:
    org = load_text(
        """\
customers: {shop: {}}
streams: {order: {customer: shop, target: 1d}}
teams:
  a: {provides: [{what: Parts, to: b, streams: order, complete_accurate: 50%}]}
  b: {provides: [{what: Goods, to: shop, streams: order}]}
"""
    )
    [flow] = stream_flows(build_graph(org))
    assert (flow.unit, flow.lead_time, flow.target_gap, flow.lead_time_with_rework) == (
        "hops",
        2.0,
        None,
        None,
    )
    assert flow.rolled_ca == 0.5 and flow.flow_efficiency is None


# --- against a brute force ---------------------------------------------------------------------

TEAMS = ["t0", "t1", "t2", "t3", "t4", "t5"]


@st.composite
def random_orgs(draw: st.DrawFn) -> dict[str, Any]:
    """Small orgs with two customers and two streams: joins, loops, gaps in the numbers."""
    size = draw(st.integers(2, len(TEAMS)))
    teams = TEAMS[:size]
    nodes = [*teams, "shop", "firms"]
    pairs = [(u, v) for u in teams for v in nodes if u != v]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=14, unique=True))
    relations = []
    for number, (u, v) in enumerate(chosen):
        for extra in range(draw(st.integers(1, 2))):
            lead = draw(st.none() | st.integers(1, 900))
            process = None
            if lead is not None and draw(st.booleans()):
                process = draw(st.integers(0, lead))
            share = draw(st.none() | st.integers(40, 100))
            streams = draw(st.lists(st.sampled_from(["s1", "s2"]), unique=True, max_size=2))
            relations.append(
                {
                    "provider": u,
                    "receiver": v,
                    "what": f"w{number}-{extra}",
                    "lead": lead,
                    "process": process,
                    "share": share,
                    "streams": streams,
                }
            )
    return {"teams": teams, "relations": _valid_streams(relations)}


def _valid_streams(relations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop stream names from hand-offs that cannot lead on to the stream's customer (shop)."""
    for stream in ("s1", "s2"):
        into: dict[str, set[str]] = {}
        for r in relations:
            if stream in r["streams"]:
                into.setdefault(r["receiver"], set()).add(r["provider"])
        leads_on = {"shop"}
        stack = ["shop"]
        while stack:
            for provider in into.get(stack.pop(), ()):
                if provider not in leads_on:
                    leads_on.add(provider)
                    stack.append(provider)
        for r in relations:
            if stream in r["streams"] and r["receiver"] not in leads_on:
                r["streams"] = [s for s in r["streams"] if s != stream]
    return relations


def _yaml(org: dict[str, Any]) -> str:
    used = {s for r in org["relations"] for s in r["streams"]}
    teams: dict[str, Any] = {team: {"provides": []} for team in org["teams"]}
    for r in org["relations"]:
        entry: dict[str, Any] = {"what": r["what"], "to": r["receiver"]}
        if r["lead"] is not None:
            entry["lead_time"] = f"{r['lead']}m"
        if r["process"] is not None:
            entry["process_time"] = f"{r['process']}m"
        if r["share"] is not None:
            entry["complete_accurate"] = f"{r['share']}%"
        if r["streams"]:
            entry["streams"] = r["streams"]
        teams[r["provider"]]["provides"].append(entry)
    document = {
        "customers": {"shop": {}, "firms": {}},
        "streams": {s: {"customer": "shop", "target": "3h"} for s in sorted(used)},
        "teams": teams,
    }
    if not used:
        del document["streams"]
    return yaml.safe_dump(document)


def _brute_force(org: dict[str, Any], stream: str) -> dict[str, Any]:
    """Every simple chain of the stream's hand-offs ending at shop, weighed from the raw data."""
    lead: dict[tuple[str, str], float | None] = {}
    process: dict[tuple[str, str], float | None] = {}
    share: dict[tuple[str, str], float] = {}
    shared: set[tuple[str, str]] = set()
    for r in org["relations"]:
        if stream not in r["streams"]:
            continue
        edge = (r["provider"], r["receiver"])
        if r["lead"] is not None:
            lead[edge] = max(lead.get(edge) or 0.0, r["lead"] / 60)
        else:
            lead.setdefault(edge, None)
        if r["process"] is not None:
            process[edge] = max(process.get(edge) or 0.0, r["process"] / 60)
        else:
            process.setdefault(edge, None)
        if r["share"] is not None:
            share[edge] = share.get(edge, 1.0) * r["share"] / 100
            shared.add(edge)
    graph = nx.DiGraph(list(lead))
    hops = all(value is None for value in lead.values())

    def weight(path: tuple[str, ...]) -> float:
        return sum(1.0 if hops else lead[e] or 0.0 for e in itertools.pairwise(path))

    chains = [("shop",)]
    for start in graph.nodes:
        if start != "shop":
            chains += [tuple(p) for p in nx.all_simple_paths(graph, start, "shop")]
    best = max(weight(c) for c in chains)
    longest = [c for c in chains if math.isclose(weight(c), best, abs_tol=1e-6)]
    return {
        "total": best,
        "longest": longest,
        "lead": lead,
        "process": process,
        "share": share,
        "rolled": math.prod(share.values()) if shared else None,
        "handoffs": len(lead),
        "acyclic": nx.is_directed_acyclic_graph(graph),
        "graph": graph,
        "weight": weight,
        "hops": hops,
    }


def _efficiency(truth: dict[str, Any], path: tuple[str, ...]) -> float | None:
    timed = [
        e
        for e in itertools.pairwise(path)
        if truth["process"][e] is not None and truth["lead"][e] is not None
    ]
    lead = sum(truth["lead"][e] for e in timed)
    return sum(truth["process"][e] for e in timed) / lead if timed and lead > 0 else None


def _rework(truth: dict[str, Any], path: tuple[str, ...]) -> float | None:
    edges = list(itertools.pairwise(path))
    if truth["hops"] or not any(e in truth["share"] for e in edges):
        return None
    return sum((truth["lead"][e] or 0.0) / truth["share"].get(e, 1.0) for e in edges)


@given(random_orgs())
def test_stream_numbers_match_a_brute_force(org: dict[str, Any]) -> None:
    graph = build_graph(load_text(_yaml(org)))
    flows: dict[str, StreamFlow] = {flow.id: flow for flow in stream_flows(graph)}
    assert set(flows) == {s for r in org["relations"] for s in r["streams"]}
    for stream, flow in flows.items():
        truth = _brute_force(org, stream)
        assert flow.unit == ("hops" if truth["hops"] else "hours")
        assert flow.lead_time == pytest.approx(truth["total"], abs=1e-5)
        assert flow.path in truth["longest"]
        assert flow.handoffs == truth["handoffs"]
        if truth["rolled"] is None:
            assert flow.rolled_ca is None
        else:
            assert flow.rolled_ca == pytest.approx(truth["rolled"], abs=1e-5)
        # Along the path shown, and along the only longest chain when there is one.
        paths = [flow.path] + (truth["longest"] if len(truth["longest"]) == 1 else [])
        for path in paths:
            efficiency = _efficiency(truth, path)
            rework = _rework(truth, path)
            assert (flow.flow_efficiency is None) == (efficiency is None)
            if efficiency is not None:
                assert flow.flow_efficiency == pytest.approx(efficiency, abs=1e-5)
            assert (flow.lead_time_with_rework is None) == (rework is None)
            if rework is not None:
                assert flow.lead_time_with_rework == pytest.approx(rework, abs=1e-4)
        if truth["hops"]:
            assert flow.target_gap is None
        else:
            assert flow.target_gap == pytest.approx(truth["total"] - 3, abs=1e-5)
        if truth["acyclic"]:
            _check_slack(flow, truth)


def _check_slack(flow: StreamFlow, truth: dict[str, Any]) -> None:
    graph: nx.DiGraph = truth["graph"]
    weight = truth["weight"]
    for team in graph.nodes:
        if team == "shop":
            continue
        into = max(weight(tuple(p)) for s in graph.nodes for p in _paths(graph, s, team))
        onward = max(weight(tuple(p)) for p in _paths(graph, team, "shop"))
        assert flow.slack[team] == pytest.approx(max(0.0, truth["total"] - into - onward), abs=1e-5)


def _paths(graph: nx.DiGraph, source: str, target: str) -> list[list[str]]:
    return [[source]] if source == target else list(nx.all_simple_paths(graph, source, target))


def test_stream_graphs_keep_only_each_streams_relations() -> None:
    graph = build_graph(load(EXAMPLES / "northwind"))
    order = stream_graphs(graph)["order-to-delivery"]
    assert ("leadership", "product-mgmt") not in order.edges
    whats = [r.what for r in order.edges["last-mile", "shoppers"]["relations"]]
    assert whats == ["Delivered parcels"]
    assert order.nodes["fulfilment"]["kind"] == "team"


def test_a_stream_hand_off_to_another_customer_says_where_the_stream_ends() -> None:
    errors = _load_errors(
        """\
customers: {diners: {}, shops: {}}
streams: {bread: {customer: diners}}
teams:
  bakers:
    provides:
      - {what: Loaves, to: diners, streams: bread}
      - {what: Bulk, to: shops, streams: bread}
"""
    )
    assert errors == [
        "org.yaml:7:42: error: 'Bulk' from 'bakers' goes to the external customer 'shops', but "
        "stream 'bread' ends at 'diners' [IC108]\n"
        "  hint: a stream ends at one customer: drop 'bread' here, or declare a stream to "
        "'shops' for it"
    ]


@given(random_orgs())
def test_one_stream_alone_is_what_every_stream_at_once_gives_it(org: dict[str, Any]) -> None:
    """``graph --stream ID`` builds and measures only the stream it draws."""
    from icmap.analysis.streams import stream_flow_alone
    from icmap.graph import stream_graph

    graph = build_graph(load_text(_yaml(org)))
    every = stream_graphs(graph)
    for flow in stream_flows(graph):
        assert stream_flow_alone(graph, flow.id) == flow
        alone = stream_graph(graph, flow.id)
        assert list(alone.nodes(data=True)) == list(every[flow.id].nodes(data=True))
        assert list(alone.edges(data=True)) == list(every[flow.id].edges(data=True))
        assert alone.graph == every[flow.id].graph
