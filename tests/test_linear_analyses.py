"""Issue 29: the one-pass analyses against the per-customer code they replaced.

The reference functions below are the implementation before issue 29, kept verbatim (but for
names): a backward pass and a walk upstream per customer for the critical paths, a maximin
Dijkstra per customer for the weakest links. The new code must give the very same results on
random orgs with several customers, loops, approximated loops and missing lead times; but for
the ties, which the old code could find through chains passing a team twice: they are held to
every chain that visits each team once, found by brute force.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import math

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icmap import build_graph, load_text
from icmap.analysis import critical
from icmap.analysis.critical import CriticalPath, CriticalPaths, _Forward, _Loops, _tidy
from icmap.analysis.weakest import CustomerWeakness, _link, customer_bounds, weakest_links
from icmap.compact import Compact, compact
from icmap.graph import all_weakest_relations
from icmap.model import Duration, Relation

# --- the reference: critical paths before issue 29 ----------------------------------------------


def _old_critical_paths(graph: nx.DiGraph[str], split: tuple[_Loops, list[int]]) -> CriticalPaths:
    unit, missing = critical._unit_of(graph)
    handoffs = compact(graph).edges
    loops_split, topo = split
    view, components, component_of, inner = (
        loops_split.view,
        loops_split.components,
        loops_split.component_of,
        loops_split.inner,
    )
    approximated = sorted(
        sorted(view.names(components[i])) for i, found in inner.items() if not found.exact
    )
    paths: list[CriticalPath] = []
    slack_of: dict[int, float] = {}
    forward = _Forward(loops_split)
    forward.run(topo)
    leave = forward.leave
    for customer in view.customers:
        arrived = leave[customer]
        assert arrived is not None
        total = arrived[0]
        path = forward.path_to(customer)
        lacking = sum(1 for u, v in itertools.pairwise(path) if view.hours(u, v) is None)
        marked = view.upstream([customer])
        upstream = [n for n, up in enumerate(marked) if up]
        involved = {component_of[n] for n in upstream}
        exact = all(inner[i].exact for i in involved)
        shown = CriticalPath(
            view.ids[customer],
            view.names(path),
            _tidy(total),
            lacking if unit == "hours" else 0,
            exact,
        )
        order = [i for i in topo if i in involved]
        to_customer = _old_to_customer(loops_split, order, customer)
        ties = _old_ties(
            loops_split, customer, path, upstream=upstream, leave=leave, to_customer=to_customer
        )
        paths.append(
            dataclasses.replace(shown, ties=tuple((view.ids[u], view.ids[v]) for u, v in ties))
        )
        for node in upstream:
            if node == customer:
                continue
            left = leave[node]
            after = to_customer[node]
            assert left is not None and after is not None
            through = min(total, left[0] + after)
            float_ = _tidy(max(0.0, total - through))
            if node not in slack_of or float_ < slack_of[node]:
                slack_of[node] = float_
    slack = {view.ids[n]: value for n, value in sorted(slack_of.items())}
    looped = frozenset(view.ids[n] for members in components if len(members) > 1 for n in members)
    return CriticalPaths(unit, paths, slack, handoffs, missing, approximated, looped)


def _old_to_customer(loops: _Loops, order: list[int], customer: int) -> list[float | None]:
    succ, succ_weights = loops.view.succ, loops.succ_weights
    components, component_of, inner = loops.components, loops.component_of, loops.inner
    longest: list[float | None] = [None] * len(succ)
    for index in reversed(order):
        members = components[index]
        depart: dict[int, float] = {}
        for v in members:
            if v == customer:
                depart[v] = 0.0
                continue
            best = -math.inf
            weights = succ_weights[v]
            for k, y in enumerate(succ[v]):
                after = longest[y]
                if after is not None and component_of[y] != index:
                    best = max(best, weights[k] + after)
            depart[v] = best
        if len(members) == 1:
            (only,) = members
            longest[only] = 0.0 + depart[only]
            continue
        table = inner[index].best
        for x in members:
            longest[x] = max(w + depart[v] for v, (w, _) in table[x].items())
    return longest


def _old_ties(
    loops: _Loops,
    customer: int,
    path: tuple[int, ...],
    *,
    upstream: list[int],
    leave: list[tuple[float, int] | None],
    to_customer: list[float | None],
) -> list[tuple[int, int]]:
    succ, succ_weights = loops.view.succ, loops.succ_weights
    components, component_of = loops.components, loops.component_of
    arrived = leave[customer]
    assert arrived is not None
    least = arrived[0] - 5e-7
    on_path = set(itertools.pairwise(path))
    found: list[tuple[int, int]] = []
    for u in upstream:
        left = leave[u]
        after_u = to_customer[u]
        if u == customer or left is None or after_u is None:
            continue
        if left[0] + after_u < least:
            continue
        in_loop = len(components[component_of[u]]) > 1
        need = least - left[0]
        for weight, v in zip(succ_weights[u], succ[u], strict=True):
            after = to_customer[v]
            if after is None or weight + after < need or (u, v) in on_path:
                continue
            if in_loop and component_of[v] == component_of[u]:
                arrived_v = leave[v]
                if arrived_v is None or arrived_v[0] + after < least:
                    continue
            found.append((u, v))
    return found


# --- the reference: weakest links before issue 29 -----------------------------------------------


def _old_widest_to(
    view: Compact, customer: int, pred_scores: list[list[float]]
) -> tuple[list[float], list[int], list[int]]:
    size = len(view.pred)
    best = [-math.inf] * size
    best[customer] = math.inf
    via, via_k = [-1] * size, [-1] * size
    heap: list[tuple[float, int]] = [(-math.inf, customer)]
    done = [False] * size
    pred = view.pred
    while heap:
        negative, node = heapq.heappop(heap)
        if done[node]:
            continue
        done[node] = True
        reached = -negative
        scores = pred_scores[node]
        for k, provider in enumerate(pred[node]):
            if done[provider]:
                continue
            score = scores[k]
            score = min(score, reached)
            if score > best[provider]:
                best[provider], via[provider], via_k[provider] = score, node, k
                heapq.heappush(heap, (-score, provider))
    return best, via, via_k


def _old_customer_bounds(
    graph: nx.DiGraph[str], scores: dict[tuple[str, str], float]
) -> dict[str, float | None]:
    view = compact(graph)
    ids = view.ids
    pred_scores = [
        [scores.get((ids[p], ids[v]), math.inf) for p in row] for v, row in enumerate(view.pred)
    ]
    found: dict[str, float | None] = {}
    for index in view.customers:
        best, _, _ = _old_widest_to(view, index, pred_scores)
        finite = [score for score in best if -math.inf < score < math.inf]
        found[ids[index]] = min(finite) if finite else None
    return found


def _old_weakest_links(
    graph: nx.DiGraph[str], critical_result: CriticalPaths, threshold: float = 3.0
) -> list[CustomerWeakness]:
    paths = {p.customer: p.path for p in critical_result.paths}
    links = all_weakest_relations(graph)
    view = compact(graph)
    ids = view.ids
    pred_links = [[links.get((ids[p], ids[v])) for p in row] for v, row in enumerate(view.pred)]
    pred_scores = [
        [r.satisfaction if r and r.satisfaction is not None else math.inf for r in row]
        for row in pred_links
    ]
    found = []
    for index in view.customers:
        customer = ids[index]
        path = paths.get(customer, (customer,))
        on_path = [_link(links[u, v]) for u, v in itertools.pairwise(path) if (u, v) in links]
        weakest = min(on_path, key=lambda w: (w.satisfaction, w.provider)) if on_path else None
        best, via, via_k = _old_widest_to(view, index, pred_scores)
        scored = [(score, node) for node, score in enumerate(best) if -math.inf < score < math.inf]
        bound, team, bottleneck = None, None, None
        if scored:
            bound, start = min(scored)
            team = ids[start]
            node = start
            while node != index:
                node, link = via[node], pred_links[via[node]][via_k[node]]
                if link and link.satisfaction == bound:
                    bottleneck = _link(link)
                    break
        low = bound is not None and bound < threshold
        found.append(CustomerWeakness(customer, weakest, bound, team, bottleneck, low))
    return found


# --- random orgs -------------------------------------------------------------------------------

SCORES = (1.5, 2.0, 2.5, 3.0, 4.5)


@st.composite
def random_orgs(draw: st.DrawFn) -> nx.DiGraph[str]:
    """Up to 7 teams and 4 customers; hand-offs anywhere (customers may hand work on, and a
    customer may have no hand-off at all); lead times in hours, minutes or none; some marked
    feedback; scores from a few values, so that weakest chains tie."""
    teams = [f"t{i}" for i in range(draw(st.integers(1, 7)))]
    customers = [f"c{i}" for i in range(draw(st.integers(1, 4)))]
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(teams, kind="team")
    graph.add_nodes_from(customers, kind="customer")
    nodes = teams + customers
    pairs = [(u, v) for u in nodes for v in nodes if u != v and (u in teams or draw_few(v))]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=18)) if pairs else []
    hours_only = draw(st.booleans())
    for u, v in chosen:
        lead = draw(
            st.one_of(
                st.none(),
                st.builds(lambda n: Duration.of(n, "h"), st.integers(0, 9)),
                st.builds(lambda n: Duration.of(n, "m"), st.integers(1, 200)),
            )
        )
        if hours_only and lead is not None and not lead.hours.is_integer():
            lead = None
        score = draw(st.one_of(st.none(), st.sampled_from(SCORES)))
        feedback = draw(st.booleans()) and draw(st.booleans())
        graph.add_edge(u, v, relations=[Relation(u, v, "w", (), lead, score, feedback)])
    return graph


def draw_few(node: str) -> bool:
    """Customers hand work on to teams only: a customer feeding a customer is left out."""
    return node.startswith("t")


def _simple_chains_as_long(
    graph: nx.DiGraph[str], customer: str, unit: str
) -> set[tuple[str, str]]:
    """The delivery hand-offs on a chain to ``customer`` visiting each team once that is as
    long as the longest such chain."""
    delivery = graph.copy()
    delivery.remove_edges_from(
        [(u, v) for u, v, data in graph.edges(data=True) if data["relations"][0].feedback]
    )

    def weight(u: str, v: str) -> float:
        if unit == "hops":
            return 1.0
        lead = delivery.edges[u, v]["relations"][0].lead_time
        return lead.hours if lead is not None else 0.0

    chains = [
        list(itertools.pairwise(chain))
        for start in delivery
        if start != customer
        for chain in nx.all_simple_paths(delivery, start, customer)
    ]
    if not chains:
        return set()
    totals = [sum(weight(u, v) for u, v in chain) for chain in chains]
    most = max(totals)
    return {
        edge
        for chain, total in zip(chains, totals, strict=True)
        if total >= most - 1e-6
        for edge in chain
    }


def _loops_of(graph: nx.DiGraph[str]) -> dict[str, int]:
    delivery = graph.copy()
    delivery.remove_edges_from(
        [(u, v) for u, v, data in graph.edges(data=True) if data["relations"][0].feedback]
    )
    groups = [g for g in nx.strongly_connected_components(delivery) if len(g) > 1]
    return {n: i for i, group in enumerate(sorted(groups, key=min)) for n in group}


def _check_critical(graph: nx.DiGraph[str]) -> None:
    split = critical.split_loops(graph)
    new = critical._critical_paths(graph, with_slack=True, split=split)
    old = _old_critical_paths(graph, split)
    assert new.slack == old.slack
    assert list(new.slack) == list(old.slack)
    assert (new.unit, new.handoffs, new.missing_lead_times) == (
        old.unit,
        old.handoffs,
        old.missing_lead_times,
    )
    assert new.approximated_loops == old.approximated_loops
    assert new.looped == old.looped
    loop_of = _loops_of(graph)
    for got, want in zip(new.paths, old.paths, strict=True):
        assert dataclasses.replace(got, ties=()) == dataclasses.replace(want, ties=())
        assert list(got.ties) == sorted(got.ties)
        if not got.exact:
            continue  # a loop cut into a DAG: its chains are not all searched
        # Every chain to the customer that visits each team once, by brute force: the ties
        # are hand-offs on one as long as the path, and between loops all of them.
        longest = _simple_chains_as_long(graph, got.customer, new.unit)
        on_path = set(itertools.pairwise(got.path))
        assert on_path <= longest or len(got.path) == 1
        assert set(got.ties) <= longest - on_path
        between = {
            (u, v) for u, v in longest - on_path if u not in loop_of or loop_of[u] != loop_of.get(v)
        }
        assert between <= set(got.ties)
    without = critical._critical_paths(graph, with_slack=False, split=split)
    assert [dataclasses.replace(p, ties=()) for p in new.paths] == without.paths
    assert without.slack == {}


@settings(max_examples=400, deadline=None)
@given(random_orgs(), st.sampled_from([critical.EXACT_LOOP_STEPS, 2, 6]))
def test_critical_paths_match_the_per_customer_code(graph: nx.DiGraph[str], steps: int) -> None:
    """Loops searched exactly, and (with a tiny step budget) cut into DAGs as large ones are."""
    kept = critical.EXACT_LOOP_STEPS
    critical.EXACT_LOOP_STEPS = steps
    try:
        _check_critical(graph)
    finally:
        critical.EXACT_LOOP_STEPS = kept


@settings(max_examples=400, deadline=None)
@given(random_orgs())
def test_weakest_links_match_the_per_customer_search(graph: nx.DiGraph[str]) -> None:
    """Bound, bounded team and bottleneck hand-off (the first hand-off scored the bound on the
    chain the search keeps, ties and all), and the bounds alone, as the per-customer search."""
    result = critical.critical_paths(graph)
    assert weakest_links(graph, result) == _old_weakest_links(graph, result)
    scores = {
        (u, v): data["relations"][0].satisfaction
        for u, v, data in graph.edges(data=True)
        if data["relations"][0].satisfaction is not None
    }
    assert customer_bounds(graph, scores) == _old_customer_bounds(graph, scores)


@st.composite
def larger_orgs(draw: st.DrawFn) -> nx.DiGraph[str]:
    """Up to 40 teams and 8 customers, hand-offs mostly in one direction with some back (loops
    of several teams, loops holding customers), scores from a few values so that chains tie,
    and a few hand-offs carrying two relations scored differently."""
    teams = [f"t{i:02d}" for i in range(draw(st.integers(2, 40)))]
    customers = [f"c{i}" for i in range(draw(st.integers(1, 8)))]
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(teams, kind="team")
    graph.add_nodes_from(customers, kind="customer")
    scores = draw(st.lists(st.sampled_from(SCORES), min_size=1, max_size=5, unique=True))
    nodes = teams + customers
    edges = draw(
        st.lists(
            st.tuples(
                st.sampled_from(teams),
                st.sampled_from(nodes),
                st.one_of(st.none(), st.sampled_from(scores)),
                st.one_of(st.none(), st.sampled_from(scores)),
            ),
            min_size=1,
            max_size=120,
        )
    )
    for u, v, score, second in edges:
        if u == v:
            continue
        relations = [Relation(u, v, "a", (), None, score)]
        if second is not None:
            relations.append(Relation(u, v, "b", (), None, second))
        graph.add_edge(u, v, relations=relations)
    return graph


@settings(max_examples=150, deadline=None)
@given(larger_orgs())
def test_weakest_links_match_on_larger_orgs(graph: nx.DiGraph[str]) -> None:
    """Where receivers of the bounded team's chain compete on their own best scores (each
    searched downstream of it) and inside loops of many teams: the same as the search."""
    result = critical.critical_paths(graph)
    assert weakest_links(graph, result) == _old_weakest_links(graph, result)


def _ring(teams: int, reach: int) -> str:
    """``teams`` teams in one dense loop (each hands to the next ``reach``), all serving one
    customer: too many chains for the exact search, so the loop is cut into a DAG."""
    lines = ["customers: {shop: {}}", "teams:"]
    for n in range(teams):
        handed = [
            f"{{what: w{k}, to: t{(n + k) % teams}, lead_time: {(n * 7 + k) % 11 + 1}h}}"
            for k in range(1, reach + 1)
        ]
        if n % 50 == 0:
            handed.append(f"{{what: sale, to: shop, lead_time: {n % 5 + 1}h}}")
        lines.append(f"  t{n}: {{provides: [{', '.join(handed)}]}}")
    return "\n".join(lines) + "\n"


def test_a_large_cut_loop_is_taken_team_by_team_with_the_same_longest_chains(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A loop past :data:`CUT_LOOP_MEMBERS` gives the totals and slack the pairwise table of
    the same cut gives, flagged approximate, its teams listed as one loop."""
    org = load_text(_ring(240, 4))
    cut = critical.critical_paths(build_graph(org))
    monkeypatch.setattr(critical, "CUT_LOOP_MEMBERS", 10_000)
    table = critical.critical_paths(build_graph(org))
    assert [len(loop) for loop in table.approximated_loops] == [240]
    assert cut.approximated_loops == table.approximated_loops
    assert cut.looped == table.looped and len(cut.looped) == 240
    [by_cut], [by_table] = cut.paths, table.paths
    assert by_cut.total == by_table.total and not by_cut.exact and not by_table.exact
    assert cut.slack == table.slack
    # A real chain of the org's hand-offs, each team once, weighing its total.
    lead = {(r.provider, r.receiver): r.lead_time.hours for r in org.relations if r.lead_time}
    assert len(set(by_cut.path)) == len(by_cut.path)
    assert sum(lead[pair] for pair in itertools.pairwise(by_cut.path)) == by_cut.total
    # Ties are hand-offs of the org, none on the path itself.
    on_path = set(itertools.pairwise(by_cut.path))
    assert all(tie in lead and tie not in on_path for tie in by_cut.ties)
