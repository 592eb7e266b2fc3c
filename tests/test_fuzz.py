"""Fuzzing the loader and every command's core with hypothesis.

Whatever the text, only icmap's own error type escapes; every valid org runs through every
analysis, the check and every picture, and round-trips through the JSON export. The default
suite runs a small profile; ``ICMAP_FUZZ_PROFILE=fuzz pytest -m fuzz`` runs 10,000 examples a test.
"""

from __future__ import annotations

import json

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from icmap import build_graph, load_text
from icmap.analysis.impact import impact
from icmap.analysis.picture import focus, whole_org
from icmap.analysis.report import build_report
from icmap.errors import LoadError
from icmap.layout import layered
from icmap.lint import run_check
from icmap.lint.policy import build_policy
from icmap.lint.registry import all_rules
from icmap.render import dot, html, mermaid, node_link, report_json

pytestmark = pytest.mark.fuzz

_NAMES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12
).filter(lambda name: name.strip())  # the format rejects empty and blank text
_IDS = st.sampled_from(["a", "b", "c", "d", "e", "no", "123", "x-y", "日本"])
_UNITS = st.sampled_from(["m", "h", "d", "w"])


@st.composite
def valid_orgs(draw: st.DrawFn) -> str:
    """A valid org document: customers, teams, suppliers and relations between them."""
    teams = draw(st.lists(_IDS, min_size=1, max_size=6, unique=True))
    customers = [f"cust{i}" for i in range(draw(st.integers(1, 2)))]
    suppliers = [f"sup{i}" for i in range(draw(st.integers(0, 2)))]
    doc: dict[str, object] = {
        "organisation": draw(_NAMES),
        "customers": {c: {"name": draw(_NAMES)} for c in customers},
        "suppliers": {
            s: {"provides": [{"what": draw(_NAMES), "to": draw(st.sampled_from(teams))}]}
            for s in suppliers
        },
        "teams": {},
    }
    for team in teams:
        body: dict[str, object] = {"name": draw(_NAMES)}
        if draw(st.booleans()):
            body["group"] = draw(st.sampled_from(["G1", "G2", "<G>"]))
        provides = []
        for _ in range(draw(st.integers(0, 3))):
            receiver = draw(st.sampled_from([t for t in teams if t != team] + customers))
            relation: dict[str, object] = {"what": draw(_NAMES), "to": receiver}
            if draw(st.booleans()):
                relation["lead_time"] = f"{draw(st.integers(0, 500))}{draw(_UNITS)}"
            if draw(st.booleans()):
                relation["satisfaction"] = draw(st.sampled_from([1, 2.5, 3, 4.2, 5]))
            provides.append(relation)
        # Distinct whats: the same side declaring one relation twice is an error by design.
        seen = set()
        unique = []
        for relation in provides:
            key = (relation["to"], " ".join(str(relation["what"]).split()).casefold())
            if key not in seen:
                seen.add(key)
                unique.append(relation)
        if unique:
            body["provides"] = unique
        doc["teams"][team] = body  # type: ignore[index]
    # JSON is YAML: every key and string is quoted, so ids like `no` stay text.
    return json.dumps(doc, ensure_ascii=False)


def _mutate(text: str, data: st.DataObject) -> str:
    edits = data.draw(st.integers(1, 4))
    for _ in range(edits):
        if not text:
            break
        at = data.draw(st.integers(0, len(text) - 1))
        kind = data.draw(st.sampled_from(["delete", "insert", "duplicate", "swap"]))
        if kind == "delete":
            text = text[:at] + text[at + 1 :]
        elif kind == "insert":
            text = (
                text[:at] + data.draw(st.sampled_from(list("{}[]:,\"'&*!#\n -?|>\\"))) + text[at:]
            )
        elif kind == "duplicate":
            text = text[:at] + text[at : at + 20] + text[at:]
        else:
            other = data.draw(st.integers(0, len(text) - 1))
            a, b = sorted((at, other))
            text = text[:a] + text[b:] + text[a:b]
    return text


@given(st.text(max_size=300))
def test_any_text_gives_an_org_or_a_load_error(text: str) -> None:
    try:
        load_text(text)
    except LoadError as error:
        assert error.diagnostics
        assert all(d.line >= 1 and d.col >= 1 for d in error.diagnostics)


@given(valid_orgs(), st.data())
def test_mutated_orgs_give_an_org_or_a_load_error(document: str, data: st.DataObject) -> None:
    try:
        load_text(_mutate(document, data))
    except LoadError as error:
        assert error.diagnostics


@given(valid_orgs(), st.data())
def test_valid_orgs_run_through_everything(document: str, data: st.DataObject) -> None:
    org = load_text(document)
    graph = build_graph(org)
    report = build_report(graph)
    json.loads(report_json.render(report, graph))
    run_check(org, graph, build_policy(all_rules(), {}, strict=True))
    team = data.draw(st.sampled_from(sorted(org.teams)))
    impact(graph, [team])
    picture = whole_org(graph)
    dot.render(picture)
    mermaid.render(picture)
    html.render(picture, layered(picture))
    dot.render(focus(graph, team, 1))
    exported = json.loads(node_link.render(picture))
    loaded = nx.node_link_graph(exported, edges="links")
    assert set(loaded.nodes) == set(graph.nodes)
    assert set(loaded.edges) == set(graph.edges)
    for u, v in graph.edges:
        original = sorted(r.what for r in graph.edges[u, v]["relations"])
        assert sorted(r["what"] for r in loaded.edges[u, v]["relations"]) == original
