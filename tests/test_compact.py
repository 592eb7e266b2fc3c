"""The compact view the analyses share: what it holds, when it is rebuilt, what it keeps alive."""

from __future__ import annotations

import gc
import weakref

import networkx as nx
import pytest

from conftest import EXAMPLE_PATHS, EXAMPLES
from icmap.analysis.critical import critical_paths
from icmap.analysis.impact import impact
from icmap.analysis.report import build_report
from icmap.analysis.team_page import team_page
from icmap.compact import collector_paused, compact, compact_delivery
from icmap.graph import build_graph, delivery_graph, lead_time_hours
from icmap.loader import load
from icmap.model import Duration, Relation


def test_indices_follow_the_ids_and_the_lists_are_sorted() -> None:
    graph = build_graph(load(EXAMPLES / "restaurant.yaml"))
    view = compact(graph)
    assert list(view.ids) == sorted(graph.nodes)
    for node in graph.nodes:
        i = view.index[node]
        assert view.names(view.succ[i]) == tuple(sorted(graph.successors(node)))
        assert view.names(view.pred[i]) == tuple(sorted(graph.predecessors(node)))
        for j in view.succ[i]:
            assert view.hours(i, j) == lead_time_hours(graph, node, view.ids[j])


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda p: p.stem)
def test_the_delivery_view_is_the_delivery_graph(path: object) -> None:
    graph = build_graph(load(path))  # type: ignore[arg-type]
    delivery = delivery_graph(graph)
    view = compact_delivery(graph)
    edges = {(view.ids[u], view.ids[v]) for u, row in enumerate(view.succ) for v in row}
    assert edges == set(delivery.edges)
    for u, v in edges:
        assert view.hours(view.index[u], view.index[v]) == lead_time_hours(delivery, u, v)


def test_a_changed_graph_is_analysed_afresh() -> None:
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(["a", "b"], kind="team")
    graph.add_node("shop", kind="customer")
    graph.add_edge("a", "shop", relations=[Relation("a", "shop", "w", (), Duration.of(1, "d"))])
    assert critical_paths(graph).paths[0].path == ("a", "shop")
    graph.add_edge("b", "a", relations=[Relation("b", "a", "w", (), Duration.of(1, "d"))])
    assert critical_paths(graph).paths[0].path == ("b", "a", "shop")


# software-company marks feedback (a delivery copy is made); the restaurant marks none.
@pytest.mark.parametrize("name", ["software-company.yaml", "restaurant.yaml"])
def test_the_shared_views_do_not_keep_a_graph_alive(name: str) -> None:
    org = load(EXAMPLES / name)
    graph = build_graph(org)
    team = sorted(n for n in graph if graph.nodes[n]["kind"] == "team")[0]
    build_report(graph, org=org)
    impact(graph, [team])
    team_page(graph, team)
    gone = weakref.ref(graph)
    del graph
    gc.collect()
    assert gone() is None


def test_the_collector_is_paused_inside_and_restored_after() -> None:
    seen: list[bool] = []

    @collector_paused
    def inner() -> None:
        seen.append(gc.isenabled())

    @collector_paused
    def outer() -> None:
        inner()
        seen.append(gc.isenabled())

    assert gc.isenabled()
    outer()
    assert seen == [False, False]
    assert gc.isenabled()
