"""The internal-customer graph built from an org."""

from __future__ import annotations

from conftest import EXAMPLES
from icmap import build_graph, load, load_text
from icmap.graph import kind, name, nodes_of_kind, relations


def test_nodes_carry_kind_and_display_data() -> None:
    graph = build_graph(load(EXAMPLES / "restaurant.yaml"))
    assert graph.graph["name"] == "Bistro Lumière"
    assert nodes_of_kind(graph, "customer") == ["diners"]
    assert nodes_of_kind(graph, "supplier") == ["fishmonger", "market-garden"]
    assert kind(graph, "kitchen") == "team"
    assert name(graph, "kitchen") == "Culinary staff"
    assert graph.nodes["kitchen"]["group"] == "Back of house"
    assert graph.nodes["kitchen"]["lead"] == "Ana Costa"


def test_one_edge_per_pair_carrying_every_relation() -> None:
    org = load_text(
        """
        customers: {c: {}}
        teams:
          a: {provides: [{what: X, to: b, lead_time: 1d}, {what: Y, to: b}]}
          b: {provides: [{what: Z, to: c}], receives: [{what: x, from: a}]}
        """
    )
    graph = build_graph(org)
    assert sorted(graph.edges) == [("a", "b"), ("b", "c")]
    found = {r.what: r for r in relations(graph, "a", "b")}
    assert set(found) == {"X", "Y"}
    assert found["X"].declared_by == {"provider", "receiver"}
    assert found["X"].lead_time is not None and found["X"].lead_time.hours == 24
    assert found["X"].pos.line == 4


def test_loops_of_mutual_service_are_kept() -> None:
    graph = build_graph(load(EXAMPLES / "marketing-sales.yaml"))
    assert graph.has_edge("marketing", "sales") and graph.has_edge("sales", "marketing")


def test_graph_does_not_depend_on_file_order(tmp_path) -> None:
    a = "  a: {provides: [{what: Y, to: b}]}\n"
    b = "  b: {provides: [{what: X, to: c}]}\n"
    first = f"customers: {{c: {{}}}}\nteams:\n{b}{a}"
    second = f"teams:\n{a}{b}customers: {{c: {{}}}}\n"
    one, two = build_graph(load_text(first)), build_graph(load_text(second))
    assert list(one.nodes) == list(two.nodes)
    assert list(one.edges) == list(two.edges)
