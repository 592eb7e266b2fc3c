"""Large orgs: the group overview, ``--all``, ``--overview``, ``--group`` drill-downs, GraphML
and GEXF."""

from __future__ import annotations

import io
import itertools
import json
import re
import subprocess
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE_PATHS, EXAMPLES, write
from icmap import build_graph, load
from icmap.cli import app
from test_pictures import (
    MERMAID_DIR,
    _check_mermaid,
    _dot_json,
    _hostile_org,
    needs_dot,
    needs_mermaid,
)

NORTHWIND = EXAMPLES / "northwind"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _big_org(tmp_path: Path, teams: int = 300, per_group: int = 25) -> Path:
    """``teams`` teams in groups of ``per_group`` (the last 10 in none), each handing work to
    four teams spread over the org and every tenth team to a customer; a few feedback."""
    lines = ["organisation: Big", "customers: {c1: {name: One}, c2: {name: Two}}", "teams:"]
    for i in range(teams):
        targets = sorted({(i * 7 + k * 97 + 1) % teams for k in range(1, 5)} - {i})
        provides = [f"{{what: w{t}, to: t{t}, lead_time: 1d}}" for t in targets]
        if i % 10 == 0:
            provides.append(f"{{what: service, to: c{1 + i % 20 // 10}}}")
        if i % 50 == 3:
            provides.append(f"{{what: notes, to: t{(i + 40) % teams}, feedback: true}}")
        group = f"group: G{i // per_group}, " if i < teams - 10 else ""
        lines.append(f"  t{i}: {{{group}provides: [{', '.join(provides)}]}}")
    return write(tmp_path, "big.yaml", "\n".join(lines) + "\n")


def _json(runner: CliRunner, *args: str) -> tuple[dict[str, object], str]:
    result = runner.invoke(app, ["graph", *args, "-f", "json"])
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data, result.stderr


# --- the overview by default --------------------------------------------------------------------


def test_a_big_org_is_drawn_as_its_group_overview(runner: CliRunner, tmp_path: Path) -> None:
    org = _big_org(tmp_path)
    data, stderr = _json(runner, str(org))
    assert stderr == (
        "icmap: note: 302 nodes: drew the group overview (12 groups); "
        "--group NAME draws one group's teams, --all every team\n"
    )
    nodes = {n["id"]: n for n in data["nodes"]}  # type: ignore[attr-defined]
    groups = {f"group:G{g}" for g in range(12)} | {"group:(no group)"}
    assert set(nodes) == groups | {"c1", "c2"}
    assert nodes["group:G0"]["teams"] == 25
    assert nodes["group:(no group)"]["teams"] == 10
    assert nodes["group:G0"]["name"].startswith("G0\n25 teams")
    assert sum(n["teams"] for n in nodes.values() if n["kind"] == "team") == 300
    # Every hand-off between two overview nodes is counted once; the data keeps every link.
    graph = build_graph(load(org))
    part = {t: f"group:{graph.nodes[t]['group'] or '(no group)'}" for t in graph if t[0] == "t"}
    part |= {"c1": "c1", "c2": "c2"}
    crossing = [(u, v) for u, v in graph.edges if part[u] != part[v]]
    links = data["links"]
    assert sum(link["handoffs"] for link in links) == len(crossing)  # type: ignore[attr-defined]
    assert {(link["source"], link["target"]) for link in links} == {  # type: ignore[attr-defined]
        (part[u], part[v]) for u, v in crossing
    }


def test_the_drawn_overview_keeps_the_heaviest_links(runner: CliRunner, tmp_path: Path) -> None:
    org = _big_org(tmp_path, teams=600, per_group=10)
    data, _ = _json(runner, str(org))
    result = runner.invoke(app, ["graph", str(org), "-f", "dot"])
    assert result.exit_code == 0
    drawn = len(re.findall(r'id="icmap-e\d+-to"', result.stdout))  # one per drawn link
    everything = len(data["links"])  # type: ignore[arg-type]
    nodes = len(data["nodes"])  # type: ignore[arg-type]
    assert drawn == 2 * nodes < everything
    html = runner.invoke(app, ["graph", str(org), "-f", "html"])
    assert f"{drawn:,} of {everything:,} links between groups drawn" in html.stdout


def test_all_draws_every_team(runner: CliRunner, tmp_path: Path) -> None:
    org = _big_org(tmp_path)
    data, stderr = _json(runner, str(org), "--all")
    assert len(data["nodes"]) == 302  # type: ignore[arg-type]
    assert "overview" not in stderr
    assert "302 nodes make a whole-org picture hard to read" in stderr


def test_a_small_org_is_drawn_whole_and_overview_forces_it(runner: CliRunner) -> None:
    whole, stderr = _json(runner, str(NORTHWIND))
    assert len(whole["nodes"]) == 39 and stderr == ""  # type: ignore[arg-type]
    data, stderr = _json(runner, str(NORTHWIND), "--overview")
    assert stderr == ""
    org = load(NORTHWIND)
    expected = {}
    for team in org.teams.values():
        expected[f"group:{team.group}"] = expected.get(f"group:{team.group}", 0) + 1
    nodes = data["nodes"]
    assert {n["id"]: n["teams"] for n in nodes if n["kind"] == "team"} == expected  # type: ignore[union-attr, index, attr-defined]
    feedback = [link for link in data["links"] if link["feedback"]]  # type: ignore[union-attr, index, attr-defined]
    assert feedback
    assert all("feedback hand-off" in link["label"] for link in feedback)
    labels = {(link["source"], link["target"]): link["label"] for link in data["links"]}  # type: ignore[union-attr, index, attr-defined]
    assert labels["group:Technology", "group:Commerce"] == "9 hand-offs"


def test_an_org_without_groups_is_never_an_overview(runner: CliRunner, tmp_path: Path) -> None:
    teams = "\n".join(f"  t{i}: {{provides: [{{what: w, to: c}}]}}" for i in range(130))
    org = write(tmp_path, "flat.yaml", f"customers: {{c: {{}}}}\nteams:\n{teams}\n")
    data, stderr = _json(runner, str(org))
    assert len(data["nodes"]) == 131  # type: ignore[arg-type]
    assert "overview" not in stderr


def test_many_suppliers_share_one_node(runner: CliRunner, tmp_path: Path) -> None:
    org = _big_org(tmp_path)
    text = org.read_text(encoding="utf-8").replace(
        "teams:",
        "suppliers:\n"
        + "".join(f"  s{i}: {{provides: [{{what: m, to: t{i}}}]}}\n" for i in range(20))
        + "teams:",
    )
    org.write_text(text, encoding="utf-8")
    data, _ = _json(runner, str(org))
    suppliers = [n for n in data["nodes"] if n["kind"] == "supplier"]  # type: ignore[union-attr, attr-defined]
    assert suppliers == [
        {
            "id": "suppliers",
            "name": "20 outside suppliers",
            "kind": "supplier",
            "group": None,
            "lead": None,
            "description": None,
            "front_line": False,
            "teams": 20,
        }
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--all", "--group", "G1"], "choose one of --focus, --group, --all and --overview"),
        (["--overview", "--focus", "t1"], "not --focus and --overview"),
        (["--all", "--overview"], "not --all and --overview"),
    ],
)
def test_scopes_that_contradict_are_refused(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["graph", str(_big_org(tmp_path)), "-f", "json", *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_the_tree_is_never_an_overview(runner: CliRunner, tmp_path: Path) -> None:
    org = _big_org(tmp_path)
    tree = runner.invoke(app, ["graph", str(org)])
    assert tree.exit_code == 0 and "overview" not in tree.stderr
    assert tree.stdout.startswith("Big  300 teams")
    assert len(set(re.findall(r"\bt\d+\b", tree.stdout))) > 100  # teams, not groups
    refused = runner.invoke(app, ["graph", str(org), "--overview"])
    assert refused.exit_code == 2
    assert "--overview draws a picture (-f or -o)" in refused.stderr


@pytest.mark.parametrize("fmt", ["dot", "mermaid", "html", "graphml", "gexf"])
def test_every_format_draws_the_overview(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"overview.{'mmd' if fmt == 'mermaid' else fmt}"
    result = runner.invoke(app, ["graph", str(_big_org(tmp_path)), "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert "drew the group overview (12 groups)" in result.stderr
    text = target.read_text(encoding="utf-8")
    assert "G11" in text and "15 teams" in text and "(no group)" in text
    if fmt in ("dot", "mermaid"):  # the others list each group's teams in its description
        assert "t299" not in text
    if fmt == "mermaid":
        _check_mermaid(text)
        assert "G10<br/>25 teams" in text and "classDef teams10 font-size:16px" in text


@needs_dot
def test_the_overview_as_svg_sizes_groups_by_teams(runner: CliRunner, tmp_path: Path) -> None:
    dot_text = runner.invoke(app, ["graph", str(NORTHWIND), "--overview", "-f", "dot"]).stdout
    objects = _dot_json(dot_text)["objects"]
    sizes = {str(o["label"]).split("\\n")[0]: float(o["fontsize"]) for o in objects}  # type: ignore[attr-defined]
    assert sizes["Technology"] > sizes["Product"]  # 7 teams against 2
    target = tmp_path / "overview.svg"
    assert (
        runner.invoke(app, ["graph", str(NORTHWIND), "--overview", "-o", str(target)]).exit_code
        == 0
    )
    assert "Technology" in target.read_text(encoding="utf-8")


# --- --group drills in --------------------------------------------------------------------------


def test_a_small_group_shows_its_neighbours_as_teams(runner: CliRunner) -> None:
    data, _ = _json(runner, str(NORTHWIND), "--group", "Operations")
    members = {n["id"] for n in data["nodes"] if n.get("role") == "focus"}  # type: ignore[union-attr, attr-defined]
    graph = build_graph(load(NORTHWIND))
    assert members == {n for n, g in graph.nodes(data="group") if g == "Operations"}
    ids = {n["id"] for n in data["nodes"]}  # type: ignore[union-attr, attr-defined]
    neighbours = {x for m in members for x in (*graph.predecessors(m), *graph.successors(m))}
    assert neighbours <= ids
    downstream = set().union(*(nx.descendants(graph, m) for m in members))
    for link in data["links"]:  # type: ignore[union-attr, attr-defined]
        if not link["elided"]:
            ends_in_group = link["source"] in members or link["target"] in members
            # or the way on to a customer the group's work reaches, from a team at the edge
            target_kind = graph.nodes[link["target"]]["kind"]
            onward = link["source"] in downstream and target_kind == "customer"
            assert ends_in_group or onward, link
        else:
            assert link["target"] in members or graph.nodes[link["target"]]["kind"] == "customer"


def test_a_busy_group_shows_its_neighbours_by_group(runner: CliRunner, tmp_path: Path) -> None:
    org = _big_org(tmp_path, teams=600, per_group=20)
    data, stderr = _json(runner, str(org), "--group", "g3")
    assert "overview" not in stderr
    graph = build_graph(load(org))
    members = {n for n, g in graph.nodes(data="group") if g == "G3"}
    nodes = {n["id"]: n for n in data["nodes"]}  # type: ignore[union-attr, attr-defined]
    assert {n for n, node in nodes.items() if node.get("role") == "focus"} == members
    outside = {x for m in members for x in (*graph.predecessors(m), *graph.successors(m))}
    outside -= members
    at_edge = [n for n in nodes.values() if n["kind"] == "team" and n["id"] not in members]
    assert sum(n["teams"] for n in at_edge) == sum(1 for x in outside if x[0] == "t")
    assert len(at_edge) <= 21
    assert any(n["id"] == "other groups" for n in at_edge)
    for link in data["links"]:  # type: ignore[union-attr, attr-defined]
        assert link["source"] in members or link["target"] in members
    crossing = sum(1 for u, v in graph.edges if (u in members) != (v in members))
    inside = sum(1 for u, v in graph.edges if u in members and v in members)
    handoffs = sum(link.get("handoffs") or 1 for link in data["links"])  # type: ignore[union-attr, attr-defined]
    assert handoffs == crossing + inside


def test_an_unknown_group_has_a_did_you_mean(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["graph", str(_big_org(tmp_path)), "--group", "G1x", "-f", "json"])
    assert result.exit_code == 2
    assert "no group 'G1x' in this org; did you mean" in result.stderr


@needs_mermaid
def test_overviews_and_drill_downs_pass_the_real_mermaid_parser(
    runner: CliRunner, tmp_path: Path
) -> None:
    big = _big_org(tmp_path, teams=600, per_group=20)
    runs = {
        "overview": [str(big)],
        "drill": [str(big), "--group", "G3"],
        "northwind": [str(NORTHWIND), "--overview"],
        "hostile": [str(_hostile_org(tmp_path)), "--overview"],
    }
    files = []
    for name, args in runs.items():
        target = tmp_path / f"{name}.mmd"
        assert runner.invoke(app, ["graph", *args, "-o", str(target)]).exit_code == 0
        _check_mermaid(target.read_text(encoding="utf-8"))
        files.append(str(target))
    done = subprocess.run(
        ["node", str(MERMAID_DIR / "parse.mjs"), *files],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("ok ") == len(files)


# --- GraphML and GEXF ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
@pytest.mark.parametrize("org", EXAMPLE_PATHS, ids=lambda p: p.name)
def test_graph_files_load_back_with_every_attribute(
    runner: CliRunner, tmp_path: Path, org: Path, fmt: str
) -> None:
    target = tmp_path / f"org.{fmt}"
    result = runner.invoke(app, ["graph", str(org), "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"wrote {target}\n"
    loaded = nx.read_graphml(target) if fmt == "graphml" else nx.read_gexf(target)
    original = build_graph(load(org))
    assert set(loaded.nodes) == set(original.nodes)
    assert set(loaded.edges) == set(original.edges)
    for node, data in original.nodes(data=True):
        got = loaded.nodes[node]
        assert got["label"] == data["name"] and got["kind"] == data["kind"]
        assert got.get("group") == data["group"] and got.get("type") == data["type"]
        assert got["front_line"] in (True, False)
    for u, v, data in original.edges(data=True):
        got = loaded.edges[u, v]
        assert got["feedback"] is data["feedback"]
        assert got.get("lead_time_hours") == data["lead_time_hours"]
        assert got["relations"] == len(data["relations"])
        assert got["weight"] == 1.0
        assert got["label"].startswith(data["relations"][0].what)
    assert loaded.graph["name"]


def test_graph_files_of_the_overview_carry_counts(runner: CliRunner, tmp_path: Path) -> None:
    org = _big_org(tmp_path)
    data, _ = _json(runner, str(org))
    for fmt in ("graphml", "gexf"):
        result = runner.invoke(app, ["graph", str(org), "-f", fmt])
        assert result.exit_code == 0
        read = nx.read_graphml if fmt == "graphml" else nx.read_gexf
        loaded = read(io.BytesIO(result.stdout_bytes))
        assert loaded.nodes["group:G0"]["teams"] == 25
        assert len(loaded.edges) == len(data["links"])  # type: ignore[arg-type]
        for link in data["links"]:  # type: ignore[union-attr, attr-defined]
            edge = loaded.edges[link["source"], link["target"]]
            assert edge["handoffs"] == link["handoffs"] == edge["weight"]


def test_hostile_names_survive_graph_files(runner: CliRunner, tmp_path: Path) -> None:
    org = _hostile_org(tmp_path)
    names = {p.id: p.label for p in load(org).teams.values()}
    for fmt in ("graphml", "gexf"):
        target = tmp_path / f"hostile.{fmt}"
        assert runner.invoke(app, ["graph", str(org), "-o", str(target)]).exit_code == 0
        loaded = nx.read_graphml(target) if fmt == "graphml" else nx.read_gexf(target)
        assert {n: loaded.nodes[n]["label"] for n in names} == names


def test_graph_files_are_written_atomically(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "org.graphml"
    target.write_text("old", encoding="utf-8")
    from icmap.render.picture import graph_file

    def broken(*args: object) -> str:
        raise MemoryError

    monkeypatch.setattr(graph_file, "render", broken)
    result = runner.invoke(app, ["graph", str(NORTHWIND), "-o", str(target)])
    assert result.exit_code == 2
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["org.graphml"]


# --- Mermaid and Graphviz draw with one palette -------------------------------------------------


def test_mermaid_classes_use_the_graphviz_colours() -> None:
    from icmap.render.picture import dot, mermaid

    def style(text: str) -> dict[str, str]:
        return dict(item.split(":", 1) for item in text.split(","))

    kinds = dot._KIND_ATTRS
    for kind, attrs in kinds.items():
        found = style(mermaid._CLASSES[kind])
        assert (found["fill"], found["stroke"]) == (attrs["fillcolor"], attrs["color"]), kind
    for team_type, (name, text) in mermaid.TYPE_CLASSES.items():
        found, attrs = style(text), dot.TYPE_ATTRS[team_type]
        assert (found["fill"], found["stroke"]) == (attrs["fillcolor"], attrs["color"]), name
    for role, fill in dot._ROLE_FILL.items():
        assert style(mermaid._CLASSES[role])["fill"] == fill, role
    front = style(mermaid._CLASSES["frontline"])
    assert front["fill"] == dot._FRONT_LINE["fillcolor"]


def test_heavier_links_are_drawn_thicker(runner: CliRunner) -> None:
    dot_text = runner.invoke(app, ["graph", str(NORTHWIND), "--overview", "-f", "dot"]).stdout
    # The label is a node of its own (``icmap-eN-label``); the line's halves carry the width.
    labels = dict(re.findall(r'label="(\d+ hand-offs?)"[^\]]*id="(icmap-e\d+)-label"', dot_text))
    line = dict(re.findall(r'-> .*id="(icmap-e\d+)-to".*penwidth=([\d.]+)', dot_text))
    widths = {text: float(line[key]) for text, key in labels.items()}
    assert widths["9 hand-offs"] > widths["2 hand-offs"] > widths["1 hand-off"] == 1.0
    mermaid = runner.invoke(app, ["graph", str(NORTHWIND), "--overview", "-f", "mermaid"]).stdout
    assert re.search(r"linkStyle [\d,]+ stroke-width:2\.4px", mermaid)


def test_overview_ids_never_collide_with_a_customer(runner: CliRunner, tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        """\
        customers: {"group:A": {name: Tricky}}
        teams:
          a: {group: A, provides: [{what: x, to: b}]}
          b: {group: B, provides: [{what: y, to: "group:A"}]}
        """,
    )
    data, _ = _json(runner, str(org), "--overview")
    ids = {n["id"]: n["kind"] for n in data["nodes"]}  # type: ignore[union-attr, attr-defined]
    assert ids == {"group:A": "customer", "group:A~2": "team", "group:B": "team"}
    links = {(link["source"], link["target"]) for link in data["links"]}  # type: ignore[union-attr, attr-defined]
    assert links == {("group:A~2", "group:B"), ("group:B", "group:A")}


def test_the_overview_legend_says_groups_and_counted_lines(runner: CliRunner) -> None:
    result = runner.invoke(app, ["graph", str(NORTHWIND), "--overview", "-f", "dot"])
    assert result.exit_code == 0, result.stderr
    legend = result.stdout[result.stdout.index("Legend") :]
    assert "group of teams (larger: more teams)" in legend
    assert "group with a front-line team" in legend
    assert "counted hand-offs (thicker: more)" in legend
    # Every node in the overview is a group, a customer or a supplier: no "team" entry.
    assert ">team<" not in legend
    assert "front-line team (serves a customer)" not in legend


def test_the_overview_page_finds_teams_and_paths_in_their_groups() -> None:
    from icmap.analysis.overview import overview
    from icmap.analysis.page import page
    from icmap.render.picture.html import page_data, render

    graph = build_graph(load(NORTHWIND))
    data = page_data(page(graph, overview(graph)))
    assert "Click a group for its hand-offs" in render(page(graph, overview(graph)))
    nodes = {n["id"]: n for n in data["nodes"]}
    experience = nodes["group:Customer Experience"]
    assert ["support", "Customer Support"] in experience["members"]
    assert experience["teams"] == 3
    assert experience["facts"] is None
    # Hand-offs between groups are counted and named by the group, not its id.
    commerce = nodes["group:Commerce"]
    assert any(re.fullmatch(r"\d+ hand-offs? ← Technology", t) for t in commerce["receives"])
    assert not any("group:" in t or "not shown" in t for t in commerce["receives"])
    # Each critical path is drawn through the groups its teams are in, each once.
    shoppers = data["critical"]["shoppers"]
    assert shoppers[0] == "group:Corporate" and shoppers[-1] == "shoppers"
    assert all(step in nodes for step in shoppers)
    assert all(a != b for a, b in itertools.pairwise(shoppers))


def test_pictures_draw_with_the_shared_palette() -> None:
    """DOT (and so SVG and the HTML page) and Mermaid take their colours from render/styles."""
    from icmap.analysis.picture import PictureEdge
    from icmap.render.picture import dot, mermaid, styles

    for kind, (fill, border) in styles.NODE_COLOURS.items():
        assert (dot._KIND_ATTRS[kind]["fillcolor"], dot._KIND_ATTRS[kind]["color"]) == (
            fill,
            border,
        )
        assert f"fill:{fill},stroke:{border}" in mermaid._CLASSES[kind]
    for team_type, (fill, border) in styles.TYPE_COLOURS.items():
        assert (dot.TYPE_ATTRS[team_type]["fillcolor"], dot.TYPE_ATTRS[team_type]["color"]) == (
            fill,
            border,
        )
    assert dot._ROLE_FILL == styles.ROLE_FILLS
    assert dot.STATE_COLORS == styles.STATE_LINES
    assert dot.MODE_ATTRS["facilitating"]["color"] == styles.MODE_LINES["facilitating"]
    loop = PictureEdge("a", "b", "what flows", in_loop=True)
    assert dot.edge_attrs(loop)["color"] == styles.LOOP_LINE
