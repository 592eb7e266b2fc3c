"""The terminal tree: what it shows and that names are text, never markup."""

from __future__ import annotations

from conftest import EXAMPLES
from icmap import build_graph, load, load_text
from icmap.analysis.reach import reach
from icmap.analysis.trees import customer_trees
from icmap.render.picture.tree import org_view
from icmap.render.text import to_plain_text


def _view(org_text: str) -> str:
    graph = build_graph(load_text(org_text))
    return to_plain_text(org_view(graph, customer_trees(graph), reach(graph)))


def test_restaurant_tree_reads_from_customer_outward() -> None:
    graph = build_graph(load(EXAMPLES / "restaurant.yaml"))
    text = to_plain_text(org_view(graph, customer_trees(graph), reach(graph)))
    lines = text.splitlines()
    assert lines[0] == "Bistro Lumière  6 teams, 1 external customer, 2 outside suppliers"
    assert lines[2] == "diners Diners  external customer"
    assert "└── wait-staff Wait staff [Front of house] → Table service (satisfaction 4.4)" in lines
    assert any(
        "kitchen Culinary staff [Back of house] → Plated dishes (15m, work 11m, C&A 94%," in line
        for line in lines
    )
    assert any(
        "fishmonger Harbour Fish Co. (outside supplier) → Fresh fish (1d" in line for line in lines
    )
    assert any(line.strip().endswith("↺ loop") and "expediters" in line for line in lines)
    assert any(line.strip().endswith("(repeat)") for line in lines)
    assert text.rstrip().endswith("Every team's work reaches an external customer.")


def test_disconnected_teams_are_listed() -> None:
    text = _view("customers: {c: {}}\nteams:\n  a: {provides: [{what: x, to: c}]}\n  idle: {}\n")
    assert "No path to any external customer:\n  • idle\n" in text


def test_markup_in_names_is_printed_as_text() -> None:
    text = _view(
        'customers: {c: {name: "[bold red]Boss[/]"}}\n'
        'teams:\n  a: {name: "[link=x]t[/link]", provides: [{what: "[blink]w", to: c}]}\n'
    )
    assert "c [bold red]Boss[/]  external customer" in text
    assert "a [link=x]t[/link] → [blink]w" in text
