"""``icmap diff``: pairs of hand-made orgs for each kind of change, and a real git repository."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import write
from icmap import build_graph, load_text
from icmap.analysis.diff import diff_orgs
from icmap.cli import app

BASE = """
customers: {shop: {}}
suppliers: {mill: {provides: [{what: flour, to: bakery, lead_time: 1d}]}}
teams:
  bakery: {provides: [{what: bread, to: counter, lead_time: 4h, satisfaction: 4}]}
  counter: {provides: [{what: sales, to: shop, lead_time: 1h}]}
  hr: {provides: [{what: staff, to: [bakery, counter], lead_time: 2w}]}
"""


def _diff(base: str, head: str):  # type: ignore[no-untyped-def]
    old, new = load_text(base), load_text(head)
    return diff_orgs(old, new, build_graph(old), build_graph(new))


def test_no_change() -> None:
    result = _diff(BASE, BASE)
    assert result.empty


def test_team_added_and_removed() -> None:
    head = BASE.replace(
        "  hr: {provides: [{what: staff, to: [bakery, counter], lead_time: 2w}]}\n", ""
    )
    head += "  oven: {provides: [{what: heat, to: bakery}]}\n"
    result = _diff(BASE, head)
    assert result.added == {"team": ["oven"]}
    assert result.removed == {"team": ["hr"]}
    assert [(r.provider, r.receiver) for r in result.relations_added] == [("oven", "bakery")]
    assert {(r.provider, r.receiver) for r in result.relations_removed} == {
        ("hr", "bakery"),
        ("hr", "counter"),
    }


def test_rename_looks_like_a_rename() -> None:
    head = BASE.replace("hr:", "people:")
    result = _diff(BASE, head)
    assert [(r.kind, r.old, r.new) for r in result.renamed] == [("team", "hr", "people")]
    assert result.added == {} and result.removed == {}
    assert result.relations_added == [] and result.relations_removed == []


def test_relation_changes() -> None:
    head = BASE.replace("lead_time: 4h, satisfaction: 4", "lead_time: 6h, satisfaction: 2.5")
    head = head.replace(
        "  counter: {provides", "  counter: {receives: [{what: bread, from: bakery}], provides"
    )
    [change] = _diff(BASE, head).relations_changed
    assert (change.provider, change.receiver) == ("bakery", "counter")
    assert change.changes == {
        "lead_time_hours": (4.0, 6.0),
        "satisfaction": (4.0, 2.5),
        "declared_by": (["provider"], ["provider", "receiver"]),
    }


def test_lost_and_gained_path_and_front_line() -> None:
    head = BASE.replace(
        "{what: sales, to: shop, lead_time: 1h}", "{what: sales, to: bakery, lead_time: 1h}"
    )
    head = head.replace(
        "  hr: {provides: [{what: staff, to: [bakery, counter], lead_time: 2w}]}",
        "  hr: {provides: [{what: staff, to: shop}]}",
    )
    result = _diff(BASE, head)
    assert result.lost_path == ["bakery", "counter", "mill"]
    assert result.front_line_added == ["hr"]
    assert result.front_line_removed == ["counter"]
    assert result.loops_new == [["bakery", "counter"]]


def test_critical_path_and_chokepoints() -> None:
    head = BASE.replace("lead_time: 4h, satisfaction: 4", "lead_time: 3d, satisfaction: 4")
    head += "  night-shift: {provides: [{what: rolls, to: counter, lead_time: 1h}]}\n"
    result = _diff(BASE, head)
    [path] = result.critical_paths
    assert path.before == path.after == ("hr", "bakery", "counter", "shop")
    assert (path.before_total, path.after_total) == (341.0, 409.0)
    assert result.chokepoints_new == result.chokepoints_gone == []
    # A second route for the mill: the bakery is no longer its single point of failure.
    second_route = BASE.replace("to: bakery, lead_time: 1d", "to: [bakery, counter], lead_time: 1d")
    assert _diff(BASE, second_route).chokepoints_gone == ["bakery"]
    assert _diff(second_route, BASE).chokepoints_new == ["bakery"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _pair(tmp_path: Path, head: str) -> tuple[str, str]:
    return str(write(tmp_path, "base.yaml", BASE)), str(write(tmp_path, "head.yaml", head))


def test_cli_json_and_exit_codes(runner: CliRunner, tmp_path: Path) -> None:
    head = BASE.replace(
        "{what: sales, to: shop, lead_time: 1h}", "{what: sales, to: bakery, lead_time: 1h}"
    )
    base, new = _pair(tmp_path, head)
    result = runner.invoke(app, ["diff", base, new, "-f", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["lost_path"] == ["bakery", "counter", "hr", "mill"]
    assert data["failed"] == []
    failing = runner.invoke(app, ["diff", base, new, "-f", "json", "--fail-on", "lost-path"])
    assert failing.exit_code == 1
    assert (
        "icmap: diff fails: lost their path to the customer: bakery, counter, hr, mill"
        in failing.stderr
    )


def test_cli_critical_growth_threshold(runner: CliRunner, tmp_path: Path) -> None:
    base, new = _pair(
        tmp_path, BASE.replace("lead_time: 4h, satisfaction: 4", "lead_time: 3d, satisfaction: 4")
    )
    assert runner.invoke(app, ["diff", base, new, "--max-critical-growth", "25%"]).exit_code == 0
    grown = runner.invoke(app, ["diff", base, new, "--max-critical-growth", "2d"])
    assert grown.exit_code == 1
    assert "critical path to shop grew by 2.83d, more than 2d" in grown.stderr
    bad = runner.invoke(app, ["diff", base, new, "--max-critical-growth", "lots"])
    assert bad.exit_code == 2


def test_cli_markdown_is_a_pr_comment(runner: CliRunner, tmp_path: Path) -> None:
    base, new = _pair(tmp_path, BASE.replace("hr:", "people:"))
    text = runner.invoke(app, ["diff", base, new, "-f", "markdown"]).stdout
    lines = text.splitlines()
    assert lines[0].startswith("### icmap: what this change does to the org")
    assert lines[2] == "- team hr looks renamed to people"
    # The critical path did not move: no section lists it again as "same → same".
    assert "Critical paths" not in text


TWO_CUSTOMERS = """
customers: {shop: {}, cafe: {}}
teams:
  bakery:
    provides:
      - {what: bread, to: counter, lead_time: 4h, satisfaction: 4}
      - {what: cakes, to: cafe, lead_time: 1d}
  counter: {provides: [{what: sales, to: shop, lead_time: 1h}]}
"""


def test_cli_lists_the_critical_paths_that_moved_and_findings_where_they_are(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    base = write(tmp_path, "base.yaml", TWO_CUSTOMERS).name
    new = write(
        tmp_path, "head.yaml", TWO_CUSTOMERS.replace("satisfaction: 4}", "satisfaction: 1}")
    ).name
    longer = write(
        tmp_path, "longer.yaml", TWO_CUSTOMERS.replace("lead_time: 4h", "lead_time: 9h")
    ).name
    text = runner.invoke(app, ["diff", base, longer]).stdout
    assert "  shop: 5h → 10h (same chain: bakery → counter → shop)" in text
    assert "cafe:" not in text  # its critical path did not move
    added = runner.invoke(app, ["diff", base, new]).stdout
    assert "  + head.yaml:6:9: warning: bakery → counter ('bread')" in added
    assert "[IC204]" in added
    gone = json.loads(runner.invoke(app, ["diff", new, base, "-f", "json"]).stdout)
    [finding] = gone["findings"]["gone"]
    assert finding["code"] == "IC204"
    assert (finding["file"], finding["line"], finding["col"]) == (new, 6, 9)
    assert finding["severity"] == "warning"
    everyone = json.loads(runner.invoke(app, ["diff", base, longer, "-f", "json"]).stdout)
    assert sorted(p["customer"] for p in everyone["critical_paths"]) == ["cafe", "shop"]


def test_cli_needs_two_orgs(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["diff", str(write(tmp_path, "a.yaml", BASE))])
    assert result.exit_code == 2
    assert "give two orgs to compare" in result.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_cli_against_a_git_revision(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "T")
    write(tmp_path, "org/teams.yaml", BASE)
    git("add", ".")
    git("commit", "-qm", "first")
    changed = BASE + "  oven: {provides: [{what: heat, to: bakery}]}\n"
    write(tmp_path, "org/teams.yaml", changed)
    git("commit", "-qam", "second")
    write(tmp_path, "org/teams.yaml", changed.replace("hr:", "people:"))  # uncommitted
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["diff", "--git", "HEAD~1", "org", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["base"] == "HEAD~1:org"
    assert data["added"] == {"team": ["oven"]}
    assert data["renamed"] == [{"kind": "team", "old": "hr", "new": "people"}]
    # The work tree is untouched: the uncommitted edit is still there.
    assert "people:" in (tmp_path / "org" / "teams.yaml").read_text()
    assert runner.invoke(app, ["diff", "--git", "no-such-rev", "org"]).exit_code == 2
    # From inside the org's folder the base is still named from the repository's top, as
    # its positions are, not "HEAD~1:.".
    monkeypatch.chdir(tmp_path / "org")
    inside = runner.invoke(app, ["diff", "--git", "HEAD~1", ".", "-f", "json"])
    assert inside.exit_code == 0, inside.stderr
    assert json.loads(inside.stdout)["base"] == "HEAD~1:org"
    markdown = runner.invoke(app, ["diff", "--git", "HEAD~1", ".", "-f", "markdown"])
    assert "(HEAD\\~1:org → . (working tree))" in markdown.stdout, markdown.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_broken_org_at_a_revision_names_the_revision(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    write(tmp_path, "org.yaml", "customers: {c: {}\n")
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    subprocess.run(
        ["git", "-c", "user.email=t@e", "-c", "user.name=T", "commit", "-qm", "x"],
        cwd=tmp_path,
        check=True,
    )
    write(tmp_path, "org.yaml", BASE)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["diff", "--git", "HEAD", "org.yaml"])
    assert result.exit_code == 2
    assert result.stderr.startswith("HEAD:org.yaml:1:12: error: YAML syntax")


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_base_keeps_files_with_two_dots_in_their_name(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "T")
    write(tmp_path, "org/teams.yaml", BASE)
    write(
        tmp_path, "org/more..teams.yaml", "teams:\n  oven: {provides: [{what: heat, to: bakery}]}\n"
    )
    git("add", ".")
    git("commit", "-qm", "first")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["diff", "--git", "HEAD", "org", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["added"] == {} and data["removed"] == {}, data


TOPOLOGY_BASE = """
customers: {shop: {}}
teams:
  data:
    type: stream-aligned
    provides: [{what: events, to: app, mode: collaboration, until: 2026-12-31}]
  app:
    provides: [{what: orders, to: shop}]
    receives: [{what: events, from: data, state: ok}]
"""


def test_team_types_and_topology_fields(runner: CliRunner, tmp_path: Path) -> None:
    head = (
        TOPOLOGY_BASE.replace("type: stream-aligned", "type: platform")
        .replace("mode: collaboration, until: 2026-12-31", "mode: XaaS, since: 2027-01-01")
        .replace("state: ok", "state: blocking")
        .replace("  app:\n", "  app:\n    type: stream-aligned\n")
    )
    base = str(write(tmp_path, "base.yaml", TOPOLOGY_BASE))
    new = str(write(tmp_path, "head.yaml", head))
    data = json.loads(runner.invoke(app, ["diff", base, new, "-f", "json"]).stdout)
    assert data["team_types_changed"] == [
        {"team": "app", "before": None, "after": "stream-aligned"},
        {"team": "data", "before": "stream-aligned", "after": "platform"},
    ]
    assert data["relations"]["changed"] == [
        {
            "provider": "data",
            "receiver": "app",
            "what": "events",
            "changes": {
                "mode": {"before": "collaboration", "after": "x-as-a-service"},
                "state": {"before": "ok", "after": "blocking"},
                "since": {"before": None, "after": "2027-01-01"},
                "until": {"before": "2026-12-31", "after": None},
            },
        }
    ]
    text = runner.invoke(app, ["diff", base, new]).stdout
    flat = " ".join(text.split())
    assert "team types: 2 changed: app, data" in flat
    assert "data: type stream-aligned → platform" in flat
    assert "mode collaboration → x-as-a-service; state ok → blocking" in flat
    assert "since none → 2027-01-01; until 2026-12-31 → none" in flat
    unchanged = runner.invoke(app, ["diff", base, base, "-f", "json"]).stdout
    assert json.loads(unchanged)["team_types_changed"] == []


DETAILS_BASE = """
customers:
  shop: {}
suppliers:
  mill: {name: Old Mill, provides: [{what: flour, to: bakery}]}
teams:
  bakery:
    name: Bakery
    group: Kitchen
    lead: Ann
    description: Bakes bread
    provides: [{what: bread, to: counter}]
  counter: {group: Front, provides: [{what: sales, to: shop}]}
"""


def test_names_groups_and_leads(runner: CliRunner, tmp_path: Path) -> None:
    head = (
        DETAILS_BASE.replace("group: Kitchen", "group: Front")
        .replace("lead: Ann", "lead: Bo")
        .replace("description: Bakes bread", "description: Bakes bread and cakes")
        .replace("name: Old Mill", "name: New Mill")
        .replace("shop: {}", "shop: {name: Shoppers}")
    )
    base = str(write(tmp_path, "base.yaml", DETAILS_BASE))
    new = str(write(tmp_path, "head.yaml", head))
    data = json.loads(runner.invoke(app, ["diff", base, new, "-f", "json"]).stdout)
    assert data["details_changed"] == [
        {
            "kind": "team",
            "id": "bakery",
            "changes": {
                "group": {"before": "Kitchen", "after": "Front"},
                "lead": {"before": "Ann", "after": "Bo"},
                "description": {"before": "Bakes bread", "after": "Bakes bread and cakes"},
            },
        },
        {
            "kind": "customer",
            "id": "shop",
            "changes": {"name": {"before": None, "after": "Shoppers"}},
        },
        {
            "kind": "supplier",
            "id": "mill",
            "changes": {"name": {"before": "Old Mill", "after": "New Mill"}},
        },
    ]
    result = runner.invoke(app, ["diff", base, new])
    assert result.exit_code == 0
    flat = " ".join(result.stdout.split())
    assert "1 team moved group: bakery" in flat
    assert "bakery: group Kitchen → Front; lead Ann → Bo; description changed" in flat
    assert "customer shop: name shop → Shoppers" in flat
    assert "supplier mill: name Old Mill → New Mill" in flat
    assert "no change" not in flat
    unchanged = runner.invoke(app, ["diff", base, base, "-f", "json"]).stdout
    assert json.loads(unchanged)["details_changed"] == []


LOOP = """
customers: {shop: {}}
teams:
  bakery: {provides: [{what: bread, to: counter, lead_time: 4h}]}
  counter: {provides: [{what: sales, to: shop, lead_time: 1h}, {what: orders, to: oven}]}
  oven: {provides: [{what: heat, to: bakery}]}
"""


def test_cli_gone_loop_shows_its_cycles_under_the_heads_names(
    runner: CliRunner, tmp_path: Path
) -> None:
    # The base's graph is let go before the head is read: its loops' cycles are taken first.
    head = LOOP.replace(", {what: orders, to: oven}", "").replace("bakery", "kitchen")
    base, new = write(tmp_path, "base.yaml", LOOP), write(tmp_path, "head.yaml", head)
    result = runner.invoke(app, ["diff", str(base), str(new), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["renamed"] == [{"kind": "team", "old": "bakery", "new": "kitchen"}]
    assert data["loops"]["gone"] == [["counter", "kitchen", "oven"]]
    assert data["loops"]["gone_cycles"] == [[["kitchen", "counter", "oven"]]]


def test_a_graph_used_once_is_freed() -> None:
    import weakref

    from icmap.cli.sources import used_once

    org = load_text(BASE)
    made = []

    def build():  # type: ignore[no-untyped-def]
        graph = build_graph(org)
        made.append(weakref.ref(graph))
        return graph

    # Reading edges and nodes makes the views that refer back to the graph.
    assert used_once(build, lambda graph: len(graph.edges) + len(graph.nodes)) == 10
    assert made[0]() is None


def test_cli_critical_path_that_gains_its_first_lead_time_keeps_each_sides_unit(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Without any lead time paths are measured in hops; 3 hops are not 3 hours.
    org = (
        "customers: {c: {}}\nteams:\n  a: {provides: [{what: w, to: b}]}\n"
        "  b: {provides: [{what: w, to: c}]}\n"
    )
    base = str(write(tmp_path, "base.yaml", org))
    head = str(write(tmp_path, "head.yaml", org.replace("to: c}", "to: c, lead_time: 1d}")))
    text = runner.invoke(app, ["diff", base, head]).stdout
    assert "critical path to c: 2 hops → 1d" in text
    data = json.loads(runner.invoke(app, ["diff", base, head, "-f", "json"]).stdout)
    [path] = data["critical_paths"]
    assert (path["before"]["total"], path["before"]["unit"]) == (2, "hops")
    assert (path["after"]["total"], path["after"]["unit"]) == (24, "hours")
    # Hops and hours cannot be compared: the limit is not applied (22 "hours" of growth before).
    assert runner.invoke(app, ["diff", base, head, "--max-critical-growth", "1h"]).exit_code == 0


def test_cli_broken_base_and_head_are_both_reported(runner: CliRunner, tmp_path: Path) -> None:
    base = write(
        tmp_path, "a.yaml", "customers: {c: {}}\nteams:\n  a: {provides: [{what: x, to: cc}]}\n"
    )
    head = write(
        tmp_path, "b.yaml", "customers: {c: {}}\nteams:\n  a: {provides: [{what: x, to: ccc}]}\n"
    )
    result = runner.invoke(app, ["diff", str(base), str(head)])
    assert result.exit_code == 2
    assert f"{base}:3:32: error: unknown id 'cc' in 'to' [IC101]" in result.stderr
    assert f"{head}:3:32: error: unknown id 'ccc' in 'to' [IC101]" in result.stderr
    fine = write(
        tmp_path, "c.yaml", "customers: {c: {}}\nteams:\n  a: {provides: [{what: x, to: c}]}\n"
    )
    only_base = runner.invoke(app, ["diff", str(base), str(fine)])
    assert only_base.exit_code == 2 and "1 error" in only_base.stderr


def test_findings_compared_are_those_check_gives_with_the_orgs_config(
    runner: CliRunner, tmp_path: Path
) -> None:
    base = "customers: {u: {}}\nteams:\n  a: {lead: x, provides: [{what: w, to: u}]}\n"
    base += "  b: {lead: y, provides: [{what: v, to: a}]}\n"
    head = base.replace("{what: w, to: u}", "{what: w, to: u}, {what: z, to: b}")
    old = write(tmp_path / "old", "org.yaml", base)
    new = write(tmp_path / "new", "org.yaml", head)
    args = ["diff", str(old), str(new), "--fail-on", "new-findings", "-f", "json"]
    found = runner.invoke(app, args)
    assert found.exit_code == 1
    assert "IC303" in {f["code"] for f in json.loads(found.stdout)["findings"]["new"]}
    # The repository turned the loop rule off: check passes, and so does the diff.
    write(tmp_path / "new", ".icmap.yaml", "check:\n  ignore: [IC303]\n")
    assert runner.invoke(app, ["check", str(new)]).exit_code == 0
    quiet = runner.invoke(app, args)
    assert quiet.exit_code == 0, quiet.stderr
    assert json.loads(quiet.stdout)["findings"]["new"] == []
    # --config names another.
    other = write(tmp_path, "strict.yaml", "check: {}\n")
    assert runner.invoke(app, [*args, "--config", str(other)]).exit_code == 1


def test_markdown_keeps_new_and_gone_apart(runner: CliRunner, tmp_path: Path) -> None:
    base = write(
        tmp_path, "a.yaml", "customers: {u: {}}\nteams:\n  a: {provides: [{what: w, to: u}]}\n"
    )
    head = write(
        tmp_path,
        "b.yaml",
        "customers: {u: {}}\nteams:\n  a: {lead: x, provides: [{what: w, to: u}]}\n"
        "  b: {provides: [{what: v, to: a}]}\n",
    )
    text = runner.invoke(
        app, ["diff", str(base), str(head), "-f", "markdown", "--fail-on", "new-findings"]
    ).stdout
    # "- + …" would render as a nested bullet, losing which is new and which is gone.
    lines = text.splitlines()
    [new] = [line for line in lines if "team 'b' names no lead (owner)" in line]
    [gone] = [line for line in lines if "team 'a' names no lead (owner)" in line]
    assert new.startswith("- \\+ ") and new.endswith(
        "b.yaml:4:3: info: team 'b' names no lead (owner) \\[IC401\\]"
    )
    assert gone.startswith("- \\- ") and gone.endswith(
        "a.yaml:3:3: info: team 'a' names no lead (owner) \\[IC401\\]"
    )
    # The --fail-on reasons and the summary are two lists, a paragraph between them.
    at = text.index("**⚠ This change meets these `--fail-on` conditions:**")
    assert "\n\n**What it does:**\n\n- 1 team added: b" in text[at:]


def test_a_suppression_added_is_shown_to_the_reviewer(runner: CliRunner, tmp_path: Path) -> None:
    base = write(tmp_path, "a.yaml", DETAILS_BASE)
    head = write(
        tmp_path,
        "b.yaml",
        DETAILS_BASE.replace(
            "    lead: Ann\n", "    lead: Ann\n    ignore: {loop: Baked daily by design}\n"
        ),
    )
    text = " ".join(runner.invoke(app, ["diff", str(base), str(head)]).stdout.split())
    assert "⚠ check rules newly ignored by: bakery" in text
    assert "bakery: + ignores loop ('Baked daily by design')" in text
    data = json.loads(runner.invoke(app, ["diff", str(base), str(head), "-f", "json"]).stdout)
    assert data["suppressions_changed"] == [
        {
            "team": "bakery",
            "added": [{"rule": "loop", "reason": "Baked daily by design"}],
            "removed": [],
        }
    ]
    back = json.loads(runner.invoke(app, ["diff", str(head), str(base), "-f", "json"]).stdout)
    assert back["suppressions_changed"][0]["removed"] == [
        {"rule": "loop", "reason": "Baked daily by design"}
    ]


def test_the_organisation_renamed_is_a_change(runner: CliRunner, tmp_path: Path) -> None:
    base = write(tmp_path, "a.yaml", "organisation: Tiny\n" + DETAILS_BASE)
    head = write(tmp_path, "b.yaml", "organisation: Huge\n" + DETAILS_BASE)
    text = runner.invoke(app, ["diff", str(base), str(head)]).stdout
    assert "organisation: Tiny → Huge" in text and "no change" not in text
    data = json.loads(runner.invoke(app, ["diff", str(base), str(head), "-f", "json"]).stdout)
    assert data["organisation"] == {"before": "Tiny", "after": "Huge"}


def test_fail_on_takes_a_comma_list_and_says_every_wrong_one(
    runner: CliRunner, tmp_path: Path
) -> None:
    base = write(tmp_path, "a.yaml", DETAILS_BASE)
    head = write(
        tmp_path, "b.yaml", DETAILS_BASE.replace("provides: [{what: sales, to: shop}]", "")
    )
    done = runner.invoke(app, ["diff", str(base), str(head), "--fail-on", "new-loop,lost-path"])
    assert done.exit_code == 1
    assert "icmap: diff fails: lost their path to the customer" in done.stderr
    wrong = runner.invoke(app, ["diff", str(base), str(head), "--fail-on", "lost-pth,new-lop"])
    assert wrong.exit_code == 2
    assert [line.rsplit("; ", 1)[-1] for line in wrong.stderr.splitlines()] == [
        "did you mean 'lost-path'?",
        "did you mean 'new-loop'?",
    ]


def test_diff_from_a_source_neither_side_can_read_ends_as_from_does(
    runner: CliRunner, tmp_path: Path
) -> None:
    base = write(tmp_path, "base.csv", "a,b\n1,2\n")
    head = write(tmp_path, "head.csv", "c,d\n3,4\n")
    result = runner.invoke(app, ["diff", "--from", "csv", str(base), str(head)])
    assert result.exit_code == 2
    assert "base.csv:1:1" in result.stderr and "head.csv:1:1" in result.stderr
    assert result.stderr.rstrip().endswith("errors in the source: nothing read")


LOOP_CLOSED_BY_FEEDBACK = """\
customers: {cust: {}}
teams:
  x:
    provides:
      - {what: Xw, to: y, lead_time: 1h}
      - {what: Issue reports, to: z, feedback: true}
  y: {provides: [{what: Ship, to: cust, lead_time: 1h}, {what: Status, to: w, feedback: true}]}
  z: {provides: [{what: Zw, to: x, lead_time: 1h}]}
  w: {provides: [{what: Ww, to: z, lead_time: 1h}, {what: Wout, to: cust, lead_time: 1h}]}
"""


def test_a_delivery_loop_new_inside_a_group_feedback_closed_is_a_new_loop(
    runner: CliRunner, tmp_path: Path
) -> None:
    # w, x, y, z are one loop group before and after (closed by feedback); y -> x makes the
    # first loop of delivered work, x <-> y, which IC303 reports as new.
    head_text = LOOP_CLOSED_BY_FEEDBACK.replace(
        "  y: {provides: [", "  y: {provides: [{what: Yw, to: x, lead_time: 1h}, "
    )
    base = write(tmp_path, "base.yaml", LOOP_CLOSED_BY_FEEDBACK)
    head = write(tmp_path, "head.yaml", head_text)
    data = json.loads(runner.invoke(app, ["diff", str(base), str(head), "-f", "json"]).stdout)
    assert data["loops"]["new"] == [["x", "y"]]
    assert data["loops"]["new_cycles"] == [[["x", "y"]]]
    assert data["loops"]["changed"] == []
    failed = runner.invoke(app, ["diff", str(base), str(head), "--fail-on", "new-loop"])
    assert failed.exit_code == 1
    back = json.loads(runner.invoke(app, ["diff", str(head), str(base), "-f", "json"]).stdout)
    assert (back["loops"]["gone"], back["loops"]["gone_cycles"]) == ([["x", "y"]], [[["x", "y"]]])
