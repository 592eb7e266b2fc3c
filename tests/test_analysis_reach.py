"""Distance to the customer and the provider trees."""

from __future__ import annotations

from conftest import EXAMPLES
from icmap import build_graph, load, load_text
from icmap.analysis.reach import reach
from icmap.analysis.trees import customer_tree, customer_trees

TWO_CUSTOMERS = """
customers: {shop: {}, web: {}}
suppliers: {mill: {provides: [{what: Flour, to: bakery}]}}
teams:
  bakery: {provides: [{what: Bread, to: [counter, packing]}]}
  counter: {provides: [{what: Sales, to: shop}]}
  packing: {provides: [{what: Parcels, to: courier}]}
  courier: {provides: [{what: Deliveries, to: web}]}
  lab: {provides: [{what: Ideas, to: garden}]}
  garden: {}
"""


def test_hops_nearest_customer_and_disconnected() -> None:
    result = reach(build_graph(load_text(TWO_CUSTOMERS)))
    assert result.hops == {"counter": 1, "courier": 1, "bakery": 2, "packing": 2, "mill": 3}
    assert result.nearest["bakery"] == "shop"
    assert result.nearest["packing"] == "web"
    assert result.disconnected == ("garden", "lab")


def test_tree_expands_each_team_once_at_its_shortest_distance() -> None:
    graph = build_graph(load(EXAMPLES / "restaurant.yaml"))
    tree = customer_tree(graph, "diners")
    assert [b.id for b in tree.branches["diners"]] == ["hosts", "wait-staff"]
    under_waiters = {b.id: b.repeat for b in tree.branches["wait-staff"]}
    assert under_waiters == {"dish-room": None, "expediters": None, "hosts": "shown"}
    under_kitchen = {b.id: b.repeat for b in tree.branches["kitchen"]}
    assert under_kitchen["expediters"] == "loop"
    assert under_kitchen["dish-room"] == "shown"
    # Every node reachable from the customer is expanded exactly once.
    assert set(tree.branches) == set(graph.nodes)


def test_one_tree_per_customer_in_id_order() -> None:
    trees = customer_trees(build_graph(load_text(TWO_CUSTOMERS)))
    assert [t.customer for t in trees] == ["shop", "web"]
    assert "lab" not in trees[0].branches and "lab" not in trees[1].branches


def test_long_chains_do_not_recurse() -> None:
    chain = "\n".join(f"  t{i}: {{provides: [{{what: w, to: t{i + 1}}}]}}" for i in range(5000))
    org = load_text(
        f"customers: {{c: {{}}}}\nteams:\n{chain}\n  t5000: {{provides: [{{what: w, to: c}}]}}\n"
    )
    graph = build_graph(org)
    assert reach(graph).hops["t0"] == 5001
    assert len(customer_tree(graph, "c").branches) == 5002
