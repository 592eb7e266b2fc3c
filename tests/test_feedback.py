"""Feedback hand-offs: the format, delivery critical paths, loops as cycles, and the tree."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import EXAMPLE_PATHS, EXAMPLES, ROOT, load_failure, write
from icmap import build_graph, load, load_text
from icmap.analysis import loops as loops_module
from icmap.analysis.critical import critical_paths
from icmap.analysis.loops import group_cycles, loop_cycles
from icmap.cli import app
from icmap.graph import delivery_graph, is_feedback

OUT_AND_BACK = """\
customers: {users: {}}
teams:
  dev:
    provides:
      - {what: Builds, to: ops, lead_time: 2d}
      - {what: Fixes, to: qa, lead_time: 1h}
  qa: {provides: [{what: Patches, to: users, lead_time: 1h}]}
  ops:
    provides:
      - {what: Service, to: users, lead_time: 1h}
      - {what: Incident reports, to: dev, lead_time: 3d}
"""
MARKED = OUT_AND_BACK.replace("lead_time: 3d}", "lead_time: 3d, feedback: true}")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


# --- the format ----------------------------------------------------------------------------------


def test_either_side_marking_feedback_makes_it_feedback() -> None:
    org = load_text(
        """\
        customers: {users: {}}
        teams:
          testers:
            provides: [{what: Bug reports, to: developers}]
          developers:
            receives: [{what: Bug reports, from: testers, feedback: true}]
            provides: [{what: Releases, to: users}]
        """.replace("        ", "")
    )
    [bugs] = [r for r in org.relations if r.what == "Bug reports"]
    assert bugs.feedback
    assert [d.feedback for d in bugs.declarations] == [None, True]
    assert not next(r for r in org.relations if r.what == "Releases").feedback


def test_a_hand_off_is_feedback_only_when_all_its_relations_are() -> None:
    graph = build_graph(
        load_text(
            "customers: {users: {}}\nteams:\n"
            "  ops:\n    provides:\n"
            "      - {what: Service, to: users}\n"
            "      - {what: Incidents, to: dev, feedback: true}\n"
            "      - {what: Hotfix requests, to: dev}\n"
            "  dev: {provides: [{what: Builds, to: ops}]}\n"
        )
    )
    assert not is_feedback(graph, "ops", "dev")
    assert delivery_graph(graph).has_edge("ops", "dev")


def test_a_mixed_hand_off_weighs_only_its_delivery_lead_times() -> None:
    graph = build_graph(
        load_text(
            "customers: {c: {}}\nteams:\n"
            "  ops:\n    provides:\n"
            "      - {what: Incidents, to: dev, lead_time: 2w, feedback: true}\n"
            "      - {what: Test environments, to: dev, lead_time: 1d}\n"
            "  dev: {provides: [{what: Releases, to: c, lead_time: 2d}]}\n"
        )
    )
    [path] = critical_paths(graph).paths
    assert (path.path, path.total) == (("ops", "dev", "c"), 72.0)
    assert graph.edges["ops", "dev"]["lead_time_hours"] == 336.0  # the org's graph is unchanged


def test_feedback_must_be_true_or_false(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "org.yaml",
        """\
        customers: {users: {}}
        teams:
          ops: {provides: [{what: Service, to: users, feedback: yes}]}
        """,
    )
    [problem] = load_failure(path)
    assert (problem.line, problem.col, problem.code) == (3, 57, "IC007")
    assert problem.message == "feedback must be true or false, found 'yes'"


def test_schema_describes_feedback(runner: CliRunner) -> None:
    schema = json.loads(runner.invoke(app, ["schema"]).stdout)
    for side in ("provides", "receives"):
        feedback = schema["$defs"][side]["properties"]["feedback"]
        assert feedback["type"] == "boolean"
        assert "critical paths do not follow it" in feedback["description"]


# --- delivery critical paths ---------------------------------------------------------------------


def test_critical_path_skips_feedback() -> None:
    before = critical_paths(build_graph(load_text(OUT_AND_BACK))).paths[0]
    after = critical_paths(build_graph(load_text(MARKED))).paths[0]
    assert before.path == ("ops", "dev", "qa", "users")
    assert after.path == ("dev", "ops", "users")
    assert after.total == 49.0


@pytest.mark.parametrize("org", EXAMPLE_PATHS, ids=lambda p: p.name)
def test_no_bundled_critical_path_uses_feedback(org: Path) -> None:
    graph = build_graph(load(org))
    for path in critical_paths(graph).paths:
        for u, v in itertools.pairwise(path.path):
            assert not is_feedback(graph, u, v), (path.customer, u, v)


def test_northwind_critical_paths_are_delivery_chains() -> None:
    graph = build_graph(load(EXAMPLES / "northwind"))
    paths = {p.customer: p.path for p in critical_paths(graph).paths}
    # Before feedback was marked, clubs waited on it-helpdesk → … → support → … → b2b-sales.
    assert paths["clubs"] == ("sustainability", "leadership", "marketing", "b2b-sales", "clubs")
    assert "support" not in paths["clubs"]


def test_a_customer_reached_only_through_feedback_has_an_empty_path() -> None:
    graph = build_graph(
        load_text(
            "customers: {users: {}}\nteams:\n"
            "  ops: {provides: [{what: Surveys, to: users, lead_time: 1d, feedback: true}]}\n"
        )
    )
    [path] = critical_paths(graph).paths
    assert (path.path, path.total) == (("users",), 0.0)


# --- critical paths round a loop -----------------------------------------------------------------


def test_report_names_the_loop_and_the_candidates(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", OUT_AND_BACK)
    text = runner.invoke(app, ["report", str(org)], env={"COLUMNS": "200"}).stdout
    assert "note: this path turns back inside the loop dev ⇄ ops; if one of these" in text
    assert (
        "ops → dev ('Incident reports'; distance to the customer 1 → 2; "
        "its name sounds like feedback)" in text
    )
    data = json.loads(runner.invoke(app, ["report", str(org), "-f", "json"]).stdout)
    [crossing] = data["critical_path_loops"]
    assert crossing["customer"] == "users"
    assert crossing["cycle"] == ["dev", "ops"]
    assert crossing["feedback_candidates"] == [
        {
            "provider": "ops",
            "receiver": "dev",
            "what": ["Incident reports"],
            "provider_hops": 1,
            "receiver_hops": 2,
            "named_like_feedback": True,
        }
    ]
    markdown = runner.invoke(app, ["report", str(org), "-f", "markdown"]).stdout
    assert "this path turns back inside the loop dev ⇄ ops" in markdown


def test_marking_the_feedback_silences_report_and_check(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", MARKED)
    data = json.loads(runner.invoke(app, ["report", str(org), "-f", "json"]).stdout)
    assert data["critical_path_loops"] == []
    assert data["loop_cycles"][0]["cycles"] == [{"teams": ["dev", "ops"], "feedback": True}]
    check = runner.invoke(app, ["check", str(org), "--select", "IC306"])
    assert check.exit_code == 0


def test_check_names_loop_and_candidates(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", OUT_AND_BACK)
    result = runner.invoke(
        app, ["check", str(org), "--select", "IC306", "--fail-on", "warning", "-f", "json"]
    )
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["message"] == (
        "the critical path to users turns back inside the loop dev ⇄ ops, where nothing is "
        "marked feedback; candidates for feedback: true: ops → dev ('Incident reports')"
    )
    assert (finding["line"], finding["col"]) == (11, 9)


# --- loops as cycles -----------------------------------------------------------------------------


def test_northwind_loop_lists_its_two_team_cycle(runner: CliRunner) -> None:
    data = json.loads(
        runner.invoke(app, ["report", str(EXAMPLES / "northwind"), "-f", "json"]).stdout
    )
    [group] = data["loops"]
    assert len(group) == 18
    [loop] = data["loop_cycles"]
    assert loop["cycles"][0] == {"teams": ["b2b-sales", "marketing"], "feedback": True}
    assert all(len(c["teams"]) >= 2 for c in loop["cycles"])
    text = runner.invoke(app, ["report", str(EXAMPLES / "northwind")], env={"COLUMNS": "200"})
    assert "    b2b-sales ⇄ marketing  (closed by feedback)" in text.stdout


def test_cycles_are_capped_with_a_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loops_module, "CYCLES_PER_LOOP", 2)
    hub = nx.DiGraph()
    for spoke in "abcd":
        hub.add_edge("hub", spoke)
        hub.add_edge(spoke, "hub")
    loop = group_cycles(hub, sorted(hub.nodes))
    assert [c.teams for c in loop.cycles] == [("a", "hub"), ("b", "hub")]
    assert loop.more_cycles == 2


@st.composite
def random_graphs(draw: st.DrawFn) -> nx.DiGraph[str]:
    nodes = [f"t{i}" for i in range(draw(st.integers(2, 7)))]
    pairs = [(u, v) for u in nodes for v in nodes if u != v]
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(draw(st.lists(st.sampled_from(pairs), unique=True, max_size=20)))
    return graph


@settings(max_examples=200, deadline=None)
@given(random_graphs())
def test_each_member_gets_its_shortest_cycle(graph: nx.DiGraph[str]) -> None:
    for loop in loop_cycles(graph):
        listed = [c.teams for c in loop.cycles]
        for cycle in listed:
            for u, v in zip(cycle, (*cycle[1:], cycle[0]), strict=True):
                assert graph.has_edge(u, v)
            assert len(set(cycle)) == len(cycle)
        if loop.more_cycles:
            continue
        for member in loop.teams:
            brute = min(len(c) for c in nx.simple_cycles(graph) if member in c)
            assert min(len(c) for c in listed if member in c) == brute


# --- impact and diff name cycles -----------------------------------------------------------------


def test_impact_names_the_cycle_through_the_failed_team(runner: CliRunner) -> None:
    org = str(EXAMPLES / "marketing-sales.yaml")
    text = runner.invoke(app, ["impact", "sales", "--org", org]).stdout
    assert "comes back round: sales ⇄ customer-success" in text
    data = json.loads(runner.invoke(app, ["impact", "sales", "--org", org, "-f", "json"]).stdout)
    assert data["loops"] == [{"teams": ["sales", "customer-success"], "feedback": False}]


def test_diff_names_a_new_loop_by_its_cycle(runner: CliRunner, tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", MARKED.replace("      - {what: Incident", "#"))
    head = write(tmp_path, "head.yaml", OUT_AND_BACK)
    result = runner.invoke(app, ["diff", str(base), str(head)])
    assert "new loop: dev ⇄ ops" in result.stdout
    data = json.loads(runner.invoke(app, ["diff", str(base), str(head), "-f", "json"]).stdout)
    assert data["loops"]["new_cycles"] == [[["dev", "ops"]]]


# --- the terminal tree ---------------------------------------------------------------------------

_TREE_LINE = re.compile(r"^[│├└─\s]*(\S+)")


def _tree_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"^[│├└ ]*[├└]── ", line)]


def test_no_repeat_before_its_expansion_on_northwind(runner: CliRunner) -> None:
    result = runner.invoke(app, ["graph", str(EXAMPLES / "northwind")], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    expanded: set[str] = set()
    customers = {"clubs", "shoppers"}
    repeats = 0
    for line in _tree_lines(result.stdout):
        match = _TREE_LINE.match(line)
        assert match is not None
        team = match.group(1)
        if line.endswith("(repeat)") or line.endswith("↺ loop"):
            repeats += 1
            assert team in expanded | customers, f"{team} repeated before it was shown: {line}"
        elif not line.endswith("↺ feedback"):
            assert team not in expanded, f"{team} expanded twice"
            expanded.add(team)
    assert repeats > 0
    teams = {p.stem for p in (EXAMPLES / "northwind" / "teams").glob("*.yaml")}
    assert teams <= expanded | {"facilities"} or teams - expanded == set()


def test_tree_marks_feedback_and_does_not_follow_it(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["graph", str(EXAMPLES / "software-company.yaml")], env={"COLUMNS": "200"}
    )
    lines = result.stdout.splitlines()
    assert any(
        line.endswith("testers → Bug reports (4h, satisfaction 4.2)  ↺ feedback") for line in lines
    )
    assert (
        "↺ feedback: a feedback hand-off (information back), not followed"
        in result.stdout.splitlines()
    )


def test_a_team_reached_only_through_feedback_is_still_expanded() -> None:
    from icmap.analysis.trees import customer_trees

    graph = build_graph(
        load_text(
            "customers: {users: {}}\nteams:\n"
            "  ops: {provides: [{what: Service, to: users}]}\n"
            "  survey: {provides: [{what: Scores, to: ops, feedback: true}]}\n"
            "  panel: {provides: [{what: Panellists, to: survey}]}\n"
        )
    )
    [tree] = customer_trees(graph)
    [survey] = tree.branches["ops"]
    assert (survey.id, survey.feedback, survey.repeat) == ("survey", True, None)
    assert [b.id for b in tree.branches["survey"]] == ["panel"]


def test_focus_tree_shows_providers_and_receivers(runner: CliRunner) -> None:
    result = runner.invoke(
        app,
        ["graph", str(EXAMPLES / "northwind"), "--focus", "Customer Support", "--depth", "1"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert (
        "support Customer Support [Customer Experience]  receives from (within 1 hand-off)" in out
    )
    assert "support Customer Support [Customer Experience]  serves (within 1 hand-off)" in out
    assert "└── shoppers Online shoppers ← Answers and refunds (4h, satisfaction 4.0)" in out
    assert "order-mgmt → Order status (5m, satisfaction 3.8)  …" in out
    assert "…: more beyond --depth" in out.splitlines()


def test_group_tree_keeps_outsiders_unexpanded(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["graph", str(EXAMPLES / "northwind"), "--group", "operations"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Group Operations" in out
    assert "parcelnet → Line-haul trucking (1d, satisfaction 3.9)  (outside the group)" in out
    assert "last-mile Delivery Operations [Operations]  → serves clubs, shoppers, support" in out


def test_focus_tree_unknown_team_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["graph", str(EXAMPLES / "northwind"), "--focus", "suport"])
    assert result.exit_code == 2
    assert "did you mean 'support'" in result.stderr


def test_depth_without_focus_is_refused_not_ignored(runner: CliRunner, tmp_path: Path) -> None:
    """--depth only counts hand-offs around --focus: alone it would silently do nothing."""
    page = tmp_path / "org.svg"
    for extra in ([], ["-o", str(page)], ["--group", "Operations"]):
        result = runner.invoke(app, ["graph", str(EXAMPLES / "northwind"), "--depth", "1", *extra])
        assert result.exit_code == 2, extra
        assert "--depth counts hand-offs around one team: add --focus TEAM" in result.stderr
    assert not page.exists()
    # With --focus, the default depth is 2 hand-offs, as before.
    default = runner.invoke(app, ["graph", str(EXAMPLES / "northwind"), "--focus", "support"])
    two = runner.invoke(
        app, ["graph", str(EXAMPLES / "northwind"), "--focus", "support", "--depth", "2"]
    )
    assert default.exit_code == two.exit_code == 0
    assert default.stdout == two.stdout


def test_docs_describe_feedback() -> None:
    fmt = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    analyses = (ROOT / "docs" / "analyses.md").read_text(encoding="utf-8")
    assert "feedback: true" in fmt
    assert "feedback" in analyses and "shortest cycle" in analyses


def test_pictures_draw_feedback_dashed(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", MARKED)
    dot = runner.invoke(app, ["graph", str(org), "-f", "dot"]).stdout

    def line(what: str) -> list[str]:
        """The two halves of the hand-off whose label says ``what`` (its label is a node)."""
        [label] = [x for x in dot.splitlines() if f'label="{what}' in x]
        key = re.search(r'id="(icmap-e\d+)-label"', label).group(1)  # type: ignore[union-attr]
        return [x for x in dot.splitlines() if " -> " in x and f'id="{key}-' in x]

    assert all("style=dashed" in half for half in line("Incident reports")) and line("Incident")
    assert not any("dashed" in half for half in line("Builds")) and line("Builds")
    mermaid = runner.invoke(app, ["graph", str(org), "-f", "mermaid"]).stdout
    assert sum("-.->" in line for line in mermaid.splitlines()) == 1
    data = json.loads(runner.invoke(app, ["graph", str(org), "-f", "json"]).stdout)
    flags = {(e["source"], e["target"]): e["feedback"] for e in data["links"]}
    assert flags == {
        ("dev", "ops"): False,
        ("dev", "qa"): False,
        ("ops", "dev"): True,
        ("ops", "users"): False,
        ("qa", "users"): False,
    }
    html = runner.invoke(app, ["graph", str(org), "-f", "html"]).stdout
    from test_pictures import page_data

    drawn = page_data(html)["dot"]
    # One feedback hand-off: one label, drawn in two halves.
    assert len(re.findall(r'class="handoff-label[^"]* feedback"', drawn)) == 1
    assert len(re.findall(r'class="handoff[^-"]* feedback"', drawn)) == 2


def test_diff_reports_a_new_feedback_mark(runner: CliRunner, tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", OUT_AND_BACK)
    head = write(tmp_path, "head.yaml", MARKED)
    result = runner.invoke(app, ["diff", str(base), str(head)], env={"COLUMNS": "200"})
    assert "ops → dev: Incident reports: now marked feedback" in result.stdout
    assert "ops → dev → qa → users" in result.stdout  # the critical path before
    data = json.loads(runner.invoke(app, ["diff", str(base), str(head), "-f", "json"]).stdout)
    [changed] = data["relations"]["changed"]
    assert changed["changes"]["feedback"] == {"before": False, "after": True}


PRINT_SHOP = """\
customers: {clients: {}}
teams:
  sales:
    provides:
      - {what: Quotes, to: clients, lead_time: 1d}
      - {what: Orders, to: prepress, lead_time: 1d}
  prepress:
    provides:
      - {what: Plates, to: press, lead_time: 1d}
      - {what: Proofs for approval, to: sales, lead_time: 2d}
  press: {provides: [{what: Printed sheets, to: finishing, lead_time: 2d}]}
  finishing: {provides: [{what: Bound jobs, to: dispatch, lead_time: 1d}]}
  dispatch: {provides: [{what: Deliveries, to: clients, lead_time: 1d}]}
"""

HOSPITAL = """\
customers: {patients: {}}
teams:
  lab: {provides: [{what: Test results, to: outpatients, lead_time: 2d}]}
  outpatients:
    provides:
      - {what: Appointments, to: patients, lead_time: 1w}
      - {what: Elective surgery listings, to: surgery, lead_time: 2w}
  surgery: {provides: [{what: Operated patients, to: wards, lead_time: 1d}]}
  wards:
    provides:
      - {what: Inpatient care, to: patients, lead_time: 1d}
      - {what: Discharge letters, to: gp-liaison, lead_time: 5d}
  gp-liaison:
    provides:
      - {what: Follow-up, to: patients, lead_time: 1w}
      - {what: Referrals, to: outpatients, lead_time: 1w}
"""


def test_a_path_that_starts_at_the_front_line_is_not_reported() -> None:
    from icmap.analysis.feedback import loop_crossings
    from icmap.analysis.reach import reach

    graph = build_graph(load_text(PRINT_SHOP))
    critical = critical_paths(graph)
    assert critical.paths[0].path[:2] == ("sales", "prepress")  # away from clients, at the start
    assert loop_crossings(graph, critical, reach(graph)) == []


def test_a_path_that_turns_back_names_the_feedback_first() -> None:
    from icmap.analysis.feedback import loop_crossings
    from icmap.analysis.reach import reach

    graph = build_graph(load_text(HOSPITAL))
    critical = critical_paths(graph)
    [crossing] = loop_crossings(graph, critical, reach(graph))
    # The path runs lab → outpatients → surgery → wards → gp-liaison → patients, at 2, 1, 2, 1,
    # 1, 0 hand-offs from patients. The discharge letters sound like feedback: named first.
    # The elective surgery listings take the work away from patients after the test results
    # had brought it closer (1 → 2): the path turns back there too, named second.
    assert [(c.provider, c.receiver) for c in crossing.candidates] == [
        ("wards", "gp-liaison"),
        ("outpatients", "surgery"),
    ]
    assert crossing.candidates[0].named_like_feedback
    assert not crossing.candidates[1].named_like_feedback


# --- IC306 judges each path by the distance to its own customer ----------------------------------

DEALERS = """\
customers: {riders: {}, dealers: {}}
teams:
  product: {provides: [{what: Specs, to: web, lead_time: 2d}]}
  web:
    provides:
      - {what: Orders, to: checkout, lead_time: 1d}
      - {what: Rides, to: riders, lead_time: 1h}
  checkout:
    provides:
      - {what: Paid orders, to: warehouse, lead_time: 1d}
      - {what: Receipts, to: riders, lead_time: 1h}
  warehouse:
    provides:
      - {what: Shipments, to: dealers, lead_time: 3d}
      - {what: Stock levels, to: web, lead_time: 1h}
"""

REROUTED = """\
customers: {clients: {}}
teams:
  intake: {provides: [{what: Requests, to: triage, lead_time: 1d}]}
  triage: {provides: [{what: Sorted requests, to: prep, lead_time: 1d}]}
  prep: {provides: [{what: Prepared jobs, to: desk, lead_time: 1d}]}
  desk:
    provides:
      - {what: Answers, to: clients, lead_time: 1h}
      - {what: Jobs to re-route, to: reroute, lead_time: 2d}
  reroute:
    provides:
      - {what: Re-routed jobs, to: courier, lead_time: 1d}
      - {what: Returned jobs, to: prep, lead_time: 1d}
  courier: {provides: [{what: Parcels, to: clients, lead_time: 1d}]}
"""


def test_a_path_that_only_comes_closer_to_its_own_customer_does_not_turn_back(
    runner: CliRunner, tmp_path: Path
) -> None:
    # product → web → checkout → warehouse → dealers is 4, 3, 2, 1, 0 hand-offs from dealers;
    # web and checkout are also one hand-off from riders, which must not count against it.
    org = write(tmp_path, "org.yaml", DEALERS)
    report = json.loads(runner.invoke(app, ["report", str(org), "-f", "json"]).stdout)
    paths = {p["customer"]: p["path"] for p in report["critical_paths"]}
    assert paths["dealers"] == ["product", "web", "checkout", "warehouse", "dealers"]
    assert report["loops"] == [["checkout", "warehouse", "web"]]  # the path is in a loop
    assert report["critical_path_loops"] == []
    result = runner.invoke(app, ["check", str(org), "--fail-on", "warning", "-f", "json"])
    assert result.exit_code == 0, result.stdout
    assert "IC306" not in {f["code"] for f in json.loads(result.stdout)["findings"]}


def test_a_path_that_turns_back_after_the_front_line_is_reported(
    runner: CliRunner, tmp_path: Path
) -> None:
    # intake → triage → prep → desk → reroute → courier → clients: 4, 3, 2, 1, 2, 1, 0 from
    # clients. desk → reroute goes back one step from the front line: it turns back there.
    org = write(tmp_path, "org.yaml", REROUTED)
    result = runner.invoke(app, ["check", str(org), "--fail-on", "warning", "-f", "json"])
    assert result.exit_code == 1
    [finding] = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "IC306"]
    assert finding["message"] == (
        "the critical path to clients turns back inside the loop desk → reroute → prep → desk, "
        "where nothing is marked feedback; candidates for feedback: true: "
        "desk → reroute ('Jobs to re-route')"
    )
    assert (finding["line"], finding["col"]) == (9, 9)
    text = runner.invoke(app, ["report", str(org)], env={"COLUMNS": "200"}).stdout
    assert "desk → reroute ('Jobs to re-route'; distance to the customer 1 → 2)" in text


_WHATS = ("Work", "Parts", "Bug reports")  # the last sounds like feedback


@st.composite
def small_orgs(draw: st.DrawFn) -> str:
    """An org of up to six teams and two customers, with loops, lead times and feedback marks."""
    teams = [f"t{i}" for i in range(draw(st.integers(2, 6)))]
    customers = [f"c{i}" for i in range(draw(st.integers(1, 2)))]
    pairs = [(u, v) for u in teams for v in teams + customers if u != v]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=16))
    body: dict[str, dict[str, list[dict[str, object]]]] = {t: {"provides": []} for t in teams}
    for u, v in chosen:
        relation: dict[str, object] = {"what": draw(st.sampled_from(_WHATS)), "to": v}
        hours = draw(st.one_of(st.none(), st.integers(1, 9)))
        if hours is not None:
            relation["lead_time"] = f"{hours}h"
        if draw(st.integers(0, 3)) == 0:
            relation["feedback"] = True
        body[u]["provides"].append(relation)
    return json.dumps({"customers": {c: {} for c in customers}, "teams": body})


def _turn_backs_by_brute_force(graph: nx.DiGraph[str]) -> set[tuple[str, str, str]]:
    """``(customer, provider, receiver)`` for each IC306 candidate on each critical path."""
    delivery = delivery_graph(graph)
    group = {
        n: i
        for i, members in enumerate(nx.strongly_connected_components(delivery))
        if len(members) > 1
        for n in members
    }
    found = set()
    for path in critical_paths(graph).paths:
        distance = {path.customer: 0}  # plain BFS backwards from this customer
        frontier = [path.customer]
        while frontier:
            frontier = [
                p
                for n in frontier
                for p in sorted(delivery.predecessors(n))
                if p not in distance and not distance.update({p: distance[n] + 1})
            ]
        moved_toward = False
        for u, v in itertools.pairwise(path.path):
            if u in group and group[u] == group.get(v):
                away = distance[v] > distance[u]
                named = distance[v] >= distance[u] and any(
                    r.what == "Bug reports" and not r.feedback
                    for r in graph.edges[u, v]["relations"]
                )
                if (moved_toward and away) or named:
                    found.add((path.customer, u, v))
            moved_toward = moved_toward or distance[v] < distance[u]
    return found


@pytest.mark.fuzz
@given(small_orgs())
def test_ic306_matches_a_brute_force_scan_of_each_path(document: str) -> None:
    from icmap.analysis.feedback import loop_crossings
    from icmap.lint import run_check
    from icmap.lint.policy import build_policy
    from icmap.lint.registry import all_rules

    org = load_text(document)
    graph = build_graph(org)
    expected = _turn_backs_by_brute_force(graph)
    crossings = loop_crossings(graph, critical_paths(graph))
    found = {(x.customer, c.provider, c.receiver) for x in crossings for c in x.candidates}
    assert found == expected
    policy = build_policy(all_rules(), {}, select=["IC306"])
    messages = [d.message for d in run_check(org, graph, policy)]
    reported = {m.removeprefix("the critical path to ").split(" ")[0] for m in messages}
    assert reported == {customer for customer, _, _ in expected}
    assert len(messages) == len(crossings)


FEEDBACK_ONLY = """\
customers: {public: {}, regulator: {}}
teams:
  service: {provides: [{what: Service, to: public, lead_time: 1d}]}
  compliance:
    provides:
      - {what: Audit findings, to: regulator, lead_time: 1w, feedback: true}
      - {what: Lessons learned, to: service, lead_time: 1w, feedback: true}
"""


def test_report_says_what_only_feedback_reaches(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", FEEDBACK_ONLY)
    text = runner.invoke(app, ["report", str(org)], env={"COLUMNS": "200"}).stdout
    assert "regulator: no delivery chain" in text
    assert "no delivery hand-off reaches this customer (only feedback, or nothing)" in text
    assert "1 team or supplier has no slack: critical." in text
    assert (
        "Reach a customer only through feedback hand-offs (no delivery chain, so no slack): "
        "compliance." in text
    )
    data = json.loads(runner.invoke(app, ["report", str(org), "-f", "json"]).stdout)
    assert data["feedback_only"] == ["compliance"]
    markdown = runner.invoke(app, ["report", str(org), "-f", "markdown"]).stdout
    assert "| regulator | — | no delivery chain |" in markdown


@pytest.mark.parametrize("value", ['"true"', "~", "yes", "1"])
def test_feedback_accepts_only_plain_true_or_false(tmp_path: Path, value: str) -> None:
    path = write(
        tmp_path,
        "org.yaml",
        f"customers: {{c: {{}}}}\nteams:\n  a: {{provides: [{{what: w, to: c, feedback: {value}}}]}}\n",
    )
    [problem] = load_failure(path)
    assert problem.code == "IC007"
    assert problem.message.startswith("feedback must be true or false, found ")


def test_legend_explains_depth_on_a_feedback_branch(runner: CliRunner, tmp_path: Path) -> None:
    evidence = "  auditor: {provides: [{what: Evidence, to: compliance}]}\n"
    org = write(tmp_path, "org.yaml", FEEDBACK_ONLY + evidence)
    result = runner.invoke(
        app, ["graph", str(org), "--focus", "service", "--depth", "1"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0
    assert "compliance → Lessons learned (1w)  ↺ feedback  …" in result.stdout
    assert "↺ feedback: a feedback hand-off" in result.stdout
    assert "…: more beyond --depth" in result.stdout.splitlines()


def test_the_legend_says_when_a_feedback_hand_off_is_followed(tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(
        "customers: {c: {}}\nteams:\n  a: {provides: [{what: x, to: c}]}\n"
        "  f: {provides: [{what: notes, to: a, feedback: true}]}\n"
        "  g: {provides: [{what: y, to: f}]}\n",
        encoding="utf-8",
    )
    out = CliRunner().invoke(app, ["graph", str(org)], env={"COLUMNS": "200"}).stdout
    assert "└── g → y" in out  # f reaches the customer only by its feedback: followed
    assert "not followed" not in out
    assert "followed only to a team whose work reaches a customer no other way" in out
