"""The page's downstream (:class:`icmap.analysis.page.Downstream`): what a clicked team's panel
lists is what networkx finds, and the page carries the org's hand-offs once, not a list per team."""

from __future__ import annotations

import json
import re

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import write
from icmap.analysis.chokepoints import dependents_of
from icmap.analysis.page import downstream
from icmap.cli import app


@st.composite
def _graphs(draw: st.DrawFn) -> nx.DiGraph:
    size = draw(st.integers(1, 12))
    graph = nx.DiGraph()
    for node in range(size):
        graph.add_node(f"n{node:02d}", kind=draw(st.sampled_from(["team", "customer"])))
    pairs = st.tuples(st.integers(0, size - 1), st.integers(0, size - 1))
    for u, v in draw(st.lists(pairs, max_size=30)):
        if u != v:
            graph.add_edge(f"n{u:02d}", f"n{v:02d}")
    return graph


@settings(max_examples=200, deadline=None)
@given(_graphs(), st.data())
def test_downstream_is_what_networkx_reaches(graph: nx.DiGraph, data: st.DataObject) -> None:
    starts = data.draw(st.lists(st.sampled_from(sorted(graph.nodes)), min_size=1, unique=True))
    reach = downstream(graph, starts)
    reached = set(starts).union(*(nx.descendants(graph, s) for s in starts))
    assert reached <= set(reach.ids)
    for start in starts:
        reached = sorted(nx.descendants(graph, start) - {start})
        customers = tuple(n for n in reached if graph.nodes[n]["kind"] == "customer")
        teams = tuple(n for n in reached if graph.nodes[n]["kind"] != "customer")
        assert reach.of(start) == (teams, customers)
    # The stranded teams: what the report's chokepoints list as their dependents.
    for start in starts:
        if graph.nodes[start]["kind"] != "customer":
            assert reach.stranded(start) == dependents_of(graph, start)


def _data(page: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="icmap-data">(.*?)</script>', page)
    assert found is not None
    loaded: dict[str, object] = json.loads(found.group(1))
    return loaded


def test_a_chain_page_grows_with_the_org_not_its_square(tmp_path):  # type: ignore[no-untyped-def]
    """A chain of teams, each feeding the next: listing each one's downstream would carry
    n(n-1)/2 ids; the page carries each hand-off once."""
    sizes = {}
    for teams in (50, 100):
        lines = ["customers: {shop: {}}", "teams:"]
        for i in range(teams):
            to = f"t{i + 1:03d}" if i + 1 < teams else "shop"
            lines.append(f"  t{i:03d}: {{provides: [{{what: w, to: {to}}}]}}")
        org = write(tmp_path, f"chain{teams}.yaml", "\n".join(lines) + "\n")
        result = CliRunner().invoke(app, ["graph", str(org), "--all", "-f", "html"])
        assert result.exit_code == 0, result.stderr
        data = _data(result.stdout)
        reach = data["downstream"]
        assert isinstance(reach, dict)
        assert len(reach["ids"]) == teams + 1
        assert sum(map(len, reach["succ"])) == teams
        sizes[teams] = len(json.dumps(data))
    # Twice the teams, about twice the data (not four times).
    assert sizes[100] < 2.3 * sizes[50]


def test_every_team_past_the_panels_limit_is_the_same_page_without_its_hand_offs(
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """Past what the page draws and lists, the picture of every team is made without its
    hand-offs (they were only counted): the page and the note are what they were."""
    from dataclasses import replace

    from conftest import EXAMPLES
    from icmap import build_graph, load
    from icmap.analysis.page import for_browser, page, whole_for_browser
    from icmap.analysis.picture import whole_org
    from icmap.render.picture import html

    graph = build_graph(load(EXAMPLES / "northwind"))
    handoffs = graph.number_of_edges()
    for where in ("icmap.analysis.page", "icmap.render.picture.html"):
        monkeypatch.setattr(f"{where}.PANEL_HANDOFFS", handoffs // 2)
    monkeypatch.setattr("icmap.analysis.page.BROWSER_HANDOFFS", handoffs // 4)
    bare, withheld = whole_for_browser(graph)
    assert bare.edges == [] and withheld is not None and withheld.instead == "nothing"
    full, expected = for_browser(graph, whole_org(graph))
    assert withheld == expected and expected.handoffs == handoffs
    pages = [html.render(replace(page(graph, p), withheld=withheld)) for p in (bare, full)]
    assert pages[0] == pages[1]
    assert "left out of a page with no picture past" in pages[0]
