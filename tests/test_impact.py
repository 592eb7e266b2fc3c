"""``icmap impact``: known answers on hand-made orgs, brute force on random ones, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import EXAMPLES, write
from icmap import build_graph, load_text
from icmap.analysis.impact import impact
from icmap.cli import app
from test_analysis import random_orgs

ORG = """
customers: {shop: {}, web: {}}
suppliers: {mill: {provides: [{what: flour, to: bakery, lead_time: 1d}]}}
teams:
  bakery:
    name: Bread Bakery
    provides: [{what: bread, to: [counter, packing], lead_time: 4h}]
  counter: {provides: [{what: sales, to: shop, lead_time: 1h}]}
  packing: {provides: [{what: parcels, to: [courier, counter], lead_time: 2h}]}
  courier: {provides: [{what: deliveries, to: web, lead_time: 1d}]}
  marketing: {provides: [{what: leads, to: [sales]}]}
  sales: {provides: [{what: feedback, to: marketing}, {what: orders, to: counter}]}
  lab: {provides: [{what: ideas, to: garden}]}
  garden: {}
"""
RESTAURANT = str(EXAMPLES / "restaurant.yaml")


@pytest.fixture
def graph() -> nx.DiGraph[str]:
    return build_graph(load_text(ORG))


def test_downstream_customers_and_stranded(graph: nx.DiGraph[str]) -> None:
    result = impact(graph, ["bakery"])
    assert [(h.team, h.distance) for h in result.downstream] == [
        ("counter", 1),
        ("packing", 1),
        ("courier", 2),
    ]
    courier = next(h for h in result.downstream if h.team == "courier")
    assert courier.path == ("bakery", "packing", "courier")
    assert courier.first_handoff == ("bread",)
    hits = {c.customer: c for c in result.customers}
    assert set(hits) == {"shop", "web"}
    assert hits["shop"].fastest == ("bakery", "counter", "shop")
    assert hits["shop"].fastest_hours == 5
    assert hits["shop"].longest.path == ("bakery", "packing", "counter", "shop")
    assert hits["shop"].longest.total == 7
    assert result.stranded == ("mill",)
    assert [(h.team, h.distance) for h in result.upstream] == [("mill", 1)]
    assert result.critical_for == ("shop", "web")
    assert result.verdict() == (
        "bakery: 3 teams downstream, 2 of 2 customers hit, 1 team or supplier stranded, "
        "on the critical path to shop, web"
    )


def test_front_line_team_with_two_paths_upstream_strands_nobody(graph: nx.DiGraph[str]) -> None:
    result = impact(graph, ["counter"])
    assert result.downstream == []
    assert [c.customer for c in result.customers] == ["shop"]
    # bakery and packing still reach web through the courier; sales and marketing do not.
    assert result.stranded == ("marketing", "sales")


def test_loops_are_followed_once(graph: nx.DiGraph[str]) -> None:
    result = impact(graph, ["marketing"])
    assert [h.team for h in result.downstream] == ["sales", "counter"]
    assert [h.team for h in result.upstream] == ["sales"]
    assert result.stranded == ()


def test_disconnected_team_hits_no_customer(graph: nx.DiGraph[str]) -> None:
    result = impact(graph, ["lab"])
    assert [h.team for h in result.downstream] == ["garden"]
    assert result.customers == []
    assert result.verdict().endswith(
        "0 of 2 customers hit, 0 teams and suppliers stranded, on no critical path"
    )


def test_joint_failure(graph: nx.DiGraph[str]) -> None:
    result = impact(graph, ["counter", "courier"])
    assert set(result.stranded) == {"bakery", "packing", "mill", "sales", "marketing"}
    assert result.failed == ("counter", "courier")


def test_depth_limits_the_lists_not_the_verdict(graph: nx.DiGraph[str]) -> None:
    result = impact(graph, ["mill"], depth=1)
    assert [h.team for h in result.downstream] == ["bakery"]
    assert {c.customer for c in result.customers} == {"shop", "web"}
    assert result.verdict() == impact(graph, ["mill"]).verdict()
    assert result.verdict().startswith("mill: 4 teams downstream")


def test_depth_leaves_the_printed_verdict_whole(runner: CliRunner) -> None:
    """docs/impact.md: the verdict covers the whole org whatever --depth lists."""
    whole = runner.invoke(app, ["impact", "kitchen", "--org", RESTAURANT, "-f", "json"])
    near = runner.invoke(
        app, ["impact", "kitchen", "--org", RESTAURANT, "-f", "json", "--depth", "1"]
    )
    assert whole.exit_code == near.exit_code == 0
    assert json.loads(near.stdout)["verdict"] == json.loads(whole.stdout)["verdict"]
    assert "3 teams downstream" in json.loads(near.stdout)["verdict"]
    assert len(json.loads(near.stdout)["downstream"]) == 1


@settings(max_examples=200, deadline=None)
@given(random_orgs(), st.data())
def test_impact_matches_networkx_and_brute_force(
    graph: nx.DiGraph[str], data: st.DataObject
) -> None:
    teams = sorted(n for n in graph.nodes if graph.nodes[n]["kind"] == "team")
    failed = data.draw(st.lists(st.sampled_from(teams), min_size=1, max_size=2, unique=True))
    result = impact(graph, failed)
    customers = {n for n in graph.nodes if graph.nodes[n]["kind"] == "customer"}
    below = set().union(*(nx.descendants(graph, f) for f in failed)) - set(failed)
    above = set().union(*(nx.ancestors(graph, f) for f in failed)) - set(failed)
    assert {h.team for h in result.downstream} == below - customers
    assert {c.customer for c in result.customers} == below & customers
    assert {h.team for h in result.upstream} == above
    without = graph.copy()
    without.remove_nodes_from(failed)

    def reaches(g: nx.DiGraph[str], n: str) -> bool:
        return bool(nx.descendants(g, n) & customers)

    expected = {
        n
        for n in graph.nodes
        if n not in customers and n not in failed and reaches(graph, n) and not reaches(without, n)
    }
    assert set(result.stranded) == expected
    for hit in result.downstream:
        assert len(hit.path) == hit.distance + 1
        assert nx.shortest_path_length(graph, hit.path[0], hit.team) == hit.distance


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_cli_text(runner: CliRunner) -> None:
    result = runner.invoke(app, ["impact", "kitchen", "--org", RESTAURANT], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "kitchen: 3 teams downstream, 1 of 1 customer hit, 1 team or supplier stranded, "
        "on the critical path to diners\n"
    )
    assert "Stranded (every path to a customer runs through it)\nfishmonger" in result.stdout


def test_cli_json_fields(runner: CliRunner) -> None:
    result = runner.invoke(app, ["impact", "Culinary Staff", "--org", RESTAURANT, "-f", "json"])
    data = json.loads(result.stdout)
    assert data["team"] == "kitchen"
    assert data["stranded"] == ["fishmonger"]
    assert data["schema_version"] == 2
    assert {"team": "expediters", "distance": 1, "via": "kitchen"}.items() <= (
        data["downstream"][0].items()
    )
    assert data["customers"][0]["customer"] == "diners"
    assert {u["team"]: u["distance"] for u in data["upstream"]}["hosts"] == 3


def test_cli_direction(runner: CliRunner) -> None:
    down = json.loads(
        runner.invoke(
            app, ["impact", "kitchen", "--org", RESTAURANT, "-f", "json", "--direction", "down"]
        ).stdout
    )
    assert "downstream" in down and "upstream" not in down and "stranded" not in down
    up = json.loads(
        runner.invoke(
            app, ["impact", "kitchen", "--org", RESTAURANT, "-f", "json", "--direction", "up"]
        ).stdout
    )
    assert "upstream" in up and "downstream" not in up


@pytest.mark.parametrize(
    ("team", "message"),
    [
        ("kitchn", "no team or supplier 'kitchn' in this org; did you mean 'kitchen'?"),
        ("KITCHN", "no team or supplier 'KITCHN' in this org; did you mean 'kitchen'?"),
        ("diners", "'diners' is an external customer; name a team or a supplier"),
    ],
)
def test_cli_bad_team_is_exit_2(runner: CliRunner, team: str, message: str) -> None:
    result = runner.invoke(app, ["impact", team, "--org", RESTAURANT])
    assert result.exit_code == 2
    assert message in result.stderr


def test_cli_a_customers_display_name_gets_the_customer_reminder(
    runner: CliRunner, tmp_path: Path
) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {c1: {name: Retail}}\nteams:\n  a: {provides: [{what: x, to: c1}]}\n",
    )
    for command in (["impact", "retail", "--org"], ["team", "Retail", "--org"]):
        result = runner.invoke(app, [*command, str(org)])
        assert result.exit_code == 2
        said = "is an external customer; name a team or a supplier"
        assert said in result.stderr, command


def test_cli_ambiguous_name(runner: CliRunner, tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {c: {}}\nteams:\n  a: {name: Ops, provides: [{what: x, to: c}]}\n"
        "  b: {name: ops, provides: [{what: x, to: c}]}\n",
    )
    result = runner.invoke(app, ["impact", "OPS", "--org", str(org)])
    assert result.exit_code == 2
    assert "'OPS' is ambiguous: it names a, b; use an id" in result.stderr


def test_cli_finds_the_org_from_the_environment(runner: CliRunner) -> None:
    result = runner.invoke(app, ["impact", "kitchen"], env={"ICMAP_ORG": RESTAURANT})
    assert result.exit_code == 0


@pytest.mark.parametrize(
    ("fmt", "probe"), [("dot", "digraph icmap {"), ("mermaid", "flowchart LR")]
)
def test_cli_pictures_of_the_impact(runner: CliRunner, fmt: str, probe: str) -> None:
    result = runner.invoke(app, ["impact", "kitchen", "--org", RESTAURANT, "-f", fmt])
    assert result.exit_code == 0, result.stderr
    assert probe in result.stdout
    assert "Culinary staff" in result.stdout
    assert "failed" in result.stdout or "#ef9a9a" in result.stdout


@pytest.mark.parametrize("suffix", [".mmd", ".mermaid"])
def test_cli_mermaid_from_either_extension(runner: CliRunner, tmp_path: Path, suffix: str) -> None:
    """As ``graph -o x.mermaid`` does."""
    target = tmp_path / f"impact{suffix}"
    result = runner.invoke(app, ["impact", "kitchen", "--org", RESTAURANT, "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert "flowchart LR" in target.read_text(encoding="utf-8")


def test_a_wrapped_chain_keeps_its_indent(runner: CliRunner) -> None:
    """docs/cli.md: a wrapped critical path keeps its indent (40 columns wraps the chains)."""
    result = runner.invoke(app, ["impact", "kitchen", "--org", RESTAURANT], env={"COLUMNS": "40"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    start = lines.index("Customers hit") + 1
    block = lines[start : lines.index("", start)]
    assert block[0].startswith("diners: fastest 17m kitchen")
    assert len(block) > 2  # wrapped
    assert all(line.startswith(" " * len("diners: ")) for line in block[1:]), block


def test_cli_markdown(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "impact.md"
    result = runner.invoke(app, ["impact", "kitchen", "--org", RESTAURANT, "-o", str(target)])
    assert result.exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# If kitchen fails\n")
    assert "## Stranded\n\nfishmonger" in text


NO_LEAD_TIMES = """\
customers: {shop: {}}
teams:
  mill: {provides: [{what: flour, to: bakery}, {what: bran, to: mixer}]}
  mixer: {provides: [{what: mix, to: bakery}]}
  bakery: {provides: [{what: bread, to: shop}]}
"""


def test_chains_without_lead_times_are_counted_in_hand_offs(tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", NO_LEAD_TIMES)
    runner = CliRunner()
    text = runner.invoke(app, ["impact", "mill", "--org", str(org)])
    assert text.exit_code == 0, text.output
    assert "shop: fastest 2 hand-offs mill → bakery → shop" in text.output
    assert "longest 3 hand-offs mill → mixer → bakery → shop" in text.output
    assert "0m" not in text.output
    markdown = runner.invoke(app, ["impact", "mill", "--org", str(org), "-f", "markdown"])
    assert "fastest 2 hand-offs" in markdown.output and "longest 3 hand-offs" in markdown.output
    data = json.loads(
        runner.invoke(app, ["impact", "mill", "--org", str(org), "-f", "json"]).output
    )
    assert data["chain_unit"] == "hops"
    (hit,) = data["customers"]
    assert hit["fastest"] == {
        "path": ["mill", "bakery", "shop"],
        "lead_time_hours": None,
        "hops": 2,
        "missing_lead_times": 0,  # chains counted in hand-offs lack nothing
        "through_feedback": False,
    }
    assert hit["longest"]["hops"] == 3 and hit["longest"]["lead_time_hours"] is None
    assert "without a lead time" not in text.output


PARTLY_TIMED = """\
customers: {buyers: {}, partners: {}}
teams:
  sales:
    provides:
      - {what: Orders, to: buyers, lead_time: 1d}
      - {what: Contracts, to: partners, lead_time: 2d}
  ops:
    provides:
      - {what: Quotes, to: sales}
      - {what: Integrations, to: partners, lead_time: 3d}
"""


def test_a_chain_with_hand_offs_without_a_lead_time_says_they_count_as_0(
    tmp_path: Path,
) -> None:
    # ops -> sales has no lead time: the "fastest" 2d to partners holds only if it takes none.
    org = str(write(tmp_path, "org.yaml", PARTLY_TIMED))
    runner = CliRunner()
    text = " ".join(runner.invoke(app, ["impact", "ops", "--org", org]).output.split())
    assert (
        "partners: fastest 2d ops → sales → partners (1 hand-off without a lead time, "
        "counted as 0) longest 3d ops → partners" in text
    )
    markdown = runner.invoke(app, ["impact", "ops", "--org", org, "-f", "markdown"]).output
    assert (
        "fastest 2d (ops → sales → partners; 1 hand-off without a lead time, counted as 0), "
        "longest 3d (ops → partners)" in markdown
    )
    data = json.loads(runner.invoke(app, ["impact", "ops", "--org", org, "-f", "json"]).output)
    by_customer = {hit["customer"]: hit for hit in data["customers"]}
    assert by_customer["partners"]["fastest"]["missing_lead_times"] == 1
    assert by_customer["partners"]["longest"]["missing_lead_times"] == 0
    assert by_customer["buyers"]["longest"]["missing_lead_times"] == 1


@pytest.mark.parametrize("command", [["impact", "kitchen"], ["team"]])
def test_the_org_given_as_a_team_says_to_use_org(command: list[str]) -> None:
    org = str(EXAMPLES / "restaurant.yaml")
    result = CliRunner().invoke(app, [*command, org])
    assert result.exit_code == 2
    assert f"{org!r} is the org, not a team: name it with --org {org}" in result.stderr


def test_a_misspelt_display_name_gets_a_did_you_mean() -> None:
    org = str(EXAMPLES / "restaurant.yaml")
    result = CliRunner().invoke(app, ["impact", "Culinary staf", "--org", org])
    assert result.exit_code == 2
    assert "did you mean 'Culinary staff'?" in result.stderr


def _chain_org(tmp_path: Path, length: int) -> Path:
    lines = ["customers: {shop: {}}", "teams:"]
    for i in range(length):
        to = f"t{i + 1:03d}" if i + 1 < length else "shop"
        lines.append(f"  t{i:03d}: {{provides: [{{what: step {i}, to: {to}}}]}}")
    org = tmp_path / "chain.yaml"
    org.write_text("\n".join(lines), encoding="utf-8")
    return org


def test_a_long_chain_s_hits_keep_one_step_each(runner: CliRunner, tmp_path: Path) -> None:
    """Along a chain every hit's whole path would make the output grow with the chain's
    square (951 MB of JSON for 10,000 teams): each hit names the team it is reached through,
    and the text and Markdown show a long chain by its ends."""
    org = _chain_org(tmp_path, 300)
    data = json.loads(
        runner.invoke(app, ["impact", "t000", "--org", str(org), "-f", "json"]).stdout
    )
    assert data["schema_version"] == 2
    via = {hit["team"]: hit["via"] for hit in data["downstream"]}
    assert via["t001"] == "t000" and via["t299"] == "t298" and "shop" not in via
    assert {hit["team"]: hit["first_handoff"] for hit in data["downstream"]}["t299"] == ["step 0"]
    chain = ["t299"]
    while chain[-1] in via:
        chain.append(via[chain[-1]])
    assert chain[::-1] == [f"t{i:03d}" for i in range(300)]
    markdown = runner.invoke(app, ["impact", "t000", "--org", str(org), "-f", "markdown"]).stdout
    assert "| t299 | 299 | step 0 | t000 → t001 → t002 → t003 → … 292 more … → t296 → t297 → " in (
        markdown
    )
    assert "| t005 | 5 | step 0 | t000 → t001 → t002 → t003 → t004 → t005 |" in markdown
    up = runner.invoke(app, ["impact", "t299", "--org", str(org)], env={"COLUMNS": "200"}).stdout
    # Upstream, the hundredth row: the chain runs from the hit team to the failed one.
    assert "t199 → t200 → t201 → t202 → … 93 more … → t296 → t297 → t298 → t299" in up


def test_a_hit_s_path_follows_its_steps_to_the_failed_team() -> None:
    graph = build_graph(load_text(CHAIN_OF_FIVE))
    result = impact(graph, ["b"])
    (d,) = [hit for hit in result.downstream if hit.team == "e"]
    assert (d.via, d.distance, d.path) == ("d", 3, ("b", "c", "d", "e"))
    (a,) = result.upstream
    assert (a.team, a.via, a.path) == ("a", "b", ("a", "b"))
    assert d.ends() == (("b", "c", "d", "e"), 0, ())


CHAIN_OF_FIVE = """
customers: {shop: {}}
teams:
  a: {provides: [{what: w, to: b}]}
  b: {provides: [{what: w, to: c}]}
  c: {provides: [{what: w, to: d}]}
  d: {provides: [{what: w, to: e}]}
  e: {provides: [{what: w, to: shop}]}
"""


def test_cli_a_team_given_twice_is_one_failure_and_said(runner: CliRunner) -> None:
    once = runner.invoke(app, ["impact", "kitchen", "--org", RESTAURANT, "-f", "json"])
    twice = runner.invoke(app, ["impact", "kitchen", "Kitchen", "--org", RESTAURANT, "-f", "json"])
    assert twice.exit_code == 0
    assert json.loads(twice.stdout) == json.loads(once.stdout)
    assert "icmap: note: kitchen given 2 times ('kitchen', 'Kitchen'): counted once" in (
        twice.stderr
    )
    assert "note" not in once.stderr


def test_cli_every_unknown_team_is_said(runner: CliRunner) -> None:
    result = runner.invoke(app, ["impact", "kitchen", "kitchn", "pastri", "--org", RESTAURANT])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "icmap: error: no team or supplier 'kitchn' in this org; did you mean 'kitchen'?",
        "icmap: error: no team or supplier 'pastri' in this org; did you mean 'Pastry'?",
    ]


def test_two_failed_teams_in_one_loop_name_it_once(tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {c1: {}, c2: {}}\nteams:\n"
        "  a: {provides: [{what: x, to: c1}, {what: y, to: b}]}\n"
        "  b: {provides: [{what: z, to: a}, {what: w, to: c2}]}\n",
    )
    done = CliRunner().invoke(app, ["impact", "a", "b", "--org", str(org)])
    assert done.exit_code == 0, done.stderr
    assert [line for line in done.stdout.splitlines() if "comes back round" in line] == [
        "comes back round: a ⇄ b"
    ]


TIED = """\
customers: {retail: {}, wholesale: {}}
teams:
  shop: {provides: [{what: Counter sales, to: retail, lead_time: 2h}]}
  depot:
    provides:
      - {what: Pallets, to: wholesale, lead_time: 1d}
      - {what: Shelf stock, to: shop, lead_time: 4h}
  factory: {provides: [{what: Widgets, to: depot, lead_time: 1w}]}
  design: {provides: [{what: Drawings, to: factory, lead_time: 72h}]}
  qa: {provides: [{what: Test plans, to: factory, lead_time: 3 days}]}
"""


def test_a_team_only_on_a_tying_chain_is_marked_tied(tmp_path: Path) -> None:
    # design -> factory is the path shown (first by id); qa -> factory ties with it.
    org = str(write(tmp_path, "org.yaml", TIED))
    runner = CliRunner()
    qa = " ".join(runner.invoke(app, ["impact", "qa", "--org", org]).output.split())
    assert "on the critical path to retail (tied), wholesale (tied)" in qa
    design = " ".join(runner.invoke(app, ["impact", "design", "--org", org]).output.split())
    assert "on the critical path to retail, wholesale" in design and "(tied)" not in design
    data = json.loads(runner.invoke(app, ["impact", "qa", "--org", org, "-f", "json"]).output)
    assert (data["critical_for"], data["tied_to"]) == (["retail", "wholesale"],) * 2
    both = json.loads(
        runner.invoke(app, ["impact", "qa", "design", "--org", org, "-f", "json"]).output
    )
    assert both["tied_to"] == []
    page = " ".join(runner.invoke(app, ["team", "qa", "--org", org]).output.split())
    assert "On the critical path to retail (tied), wholesale (tied): no slack." in page
    page_data = json.loads(runner.invoke(app, ["team", "qa", "--org", org, "-f", "json"]).output)
    assert page_data["tied_to"] == ["retail", "wholesale"]


THROUGH_FEEDBACK = """\
customers: {buyers: {}}
teams:
  sales:
    provides:
      - {what: Orders, to: buyers, lead_time: 1d}
      - {what: Feature requests, to: eng, lead_time: 4h, feedback: true}
  ops: {provides: [{what: Quotes, to: sales, lead_time: 1h}]}
  eng: {provides: [{what: Releases, to: ops, lead_time: 1w}]}
"""


def test_a_chain_through_a_feedback_hand_off_is_marked(tmp_path: Path) -> None:
    # eng is downstream of ops only through sales -> eng, which is feedback.
    org = str(write(tmp_path, "org.yaml", THROUGH_FEEDBACK))
    runner = CliRunner()
    text = runner.invoke(app, ["impact", "ops", "--org", org, "--direction", "down"]).output
    assert "ops → sales → eng  ↺ feedback only" in text
    [sales_row] = [line for line in text.splitlines() if line.startswith("sales ")]
    assert "↺" not in sales_row
    markdown = runner.invoke(app, ["impact", "ops", "--org", org, "-f", "markdown"]).output
    assert "| ops → sales → eng ↺ feedback only |" in markdown
    data = json.loads(runner.invoke(app, ["impact", "ops", "--org", org, "-f", "json"]).output)
    marks = {hit["team"]: hit["only_through_feedback"] for hit in data["downstream"]}
    assert marks == {"sales": False, "eng": True}
    # Upstream of sales: eng is reached back through the same feedback hand-off.
    up = json.loads(
        runner.invoke(
            app, ["impact", "ops", "--org", org, "-f", "json", "--direction", "up"]
        ).output
    )
    assert {hit["team"]: hit["only_through_feedback"] for hit in up["upstream"]} == {
        "eng": False,
        "sales": True,
    }


TIED_WITH_FEEDBACK = """\
customers: {cust: {}}
teams:
  a:
    provides:
      - {what: Bug reports, to: b, lead_time: 1h, feedback: true}
      - {what: Parts, to: m, lead_time: 1h}
  b: {provides: [{what: Fixes, to: d, lead_time: 1h}]}
  m: {provides: [{what: Middle, to: d, lead_time: 1h}]}
  d: {provides: [{what: Ship, to: cust, lead_time: 1h}]}
"""


def test_a_team_a_delivery_chain_also_reaches_is_not_marked_feedback_only(
    tmp_path: Path,
) -> None:
    # d is two hops from a both through the feedback a -> b and through a -> m: delivered
    # work reaches it. b only through feedback. The fastest chain to cust runs through it.
    org = str(write(tmp_path, "org.yaml", TIED_WITH_FEEDBACK))
    runner = CliRunner()
    data = json.loads(runner.invoke(app, ["impact", "a", "--org", org, "-f", "json"]).output)
    marks = {hit["team"]: hit["only_through_feedback"] for hit in data["downstream"]}
    assert marks == {"b": True, "m": False, "d": False}
    (hit,) = data["customers"]
    assert hit["fastest"]["through_feedback"] is True
    assert "through_feedback" not in hit["longest"]
    text = runner.invoke(app, ["impact", "a", "--org", org, "--direction", "down"]).output
    assert "fastest 3h a → b → d → cust  ↺ through feedback" in text
    [d_row] = [line for line in text.splitlines() if line.startswith("d ")]
    assert "↺" not in d_row
