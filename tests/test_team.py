"""``icmap team``: a team's own page in text, markdown and json, one team or all of them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, write
from icmap import build_graph, load_text
from icmap.analysis.team_page import team_page
from icmap.cli import app
from icmap.cli.team_cmd import file_name
from icmap.errors import UsageError

RESTAURANT = str(EXAMPLES / "restaurant.yaml")
TOPOLOGIES = str(EXAMPLES / "team-topologies.yaml")

ORG = """
customers: {shop: {}}
suppliers: {mill: {provides: [{what: flour, to: bakery, lead_time: 1d}]}}
teams:
  bakery:
    name: Bread Bakery
    type: stream-aligned
    provides: [{what: bread, to: counter, lead_time: 4h, satisfaction: 3.5}]
    receives:
      - {what: ovens, from: platform, mode: XaaS, state: blocking}
      - {what: coaching, from: coach, mode: facilitating, until: 2026-12-01}
  counter: {provides: [{what: sales, to: shop, lead_time: 1h}]}
  platform: {type: platform, provides: [{what: ovens, to: bakery, lead_time: 2h}]}
  coach: {type: enabling}
  lab: {provides: [{what: ideas, to: garden}]}
  garden: {}
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_page_knows_its_place() -> None:
    graph = build_graph(load_text(ORG))
    page = team_page(graph, "bakery")
    assert (page.type, page.name) == ("stream-aligned", "Bread Bakery")
    assert [(h.party, h.what) for h in page.provides] == [("counter", "bread")]
    assert [h.party for h in page.receives] == ["coach", "mill", "platform"]
    ovens = page.receives[2]
    assert (ovens.mode, ovens.state) == ("x-as-a-service", "blocking")
    assert page.distances == {"shop": 2}
    assert page.critical_for == ("shop",) and page.slack == 0
    assert page.dependents == ("coach", "mill", "platform")
    assert page.verdict().startswith("bakery: 1 team downstream, 1 of 1 customer hit")
    lab = team_page(graph, "lab")
    assert lab.distances == {} and lab.slack is None and lab.dependents == ()


def test_text_page_says_what_a_team_needs_to_know(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", ORG)
    done = runner.invoke(app, ["team", "Bread Bakery", "--org", str(org), "--color", "never"])
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["Bread Bakery (bakery)", "Stream-aligned team"]
    assert "Blast radius: bakery: 1 team downstream, 1 of 1 customer hit" in done.stdout
    assert any(line.split() == ["counter", "bread", "4h", "3.5", "—"] for line in lines)
    assert any("ovens" in line and "x-as-a-service, blocking" in line for line in lines)
    assert any("coaching" in line and "facilitating until 2026-12-01" in line for line in lines)
    assert "mill (outside supplier)" in done.stdout
    assert "shop: 2 hand-offs." in lines
    assert "On the critical path to shop: no slack." in lines
    assert "A chokepoint: every path to a customer from coach, mill, platform runs through it." in (
        lines
    )


def test_slack_and_no_path_in_words(runner: CliRunner, tmp_path: Path) -> None:
    org = str(write(tmp_path, "org.yaml", ORG))
    lab = runner.invoke(app, ["team", "lab", "--org", org]).stdout
    assert "Its work reaches no external customer." in lab
    assert "On no critical path: its delivered work reaches no customer." in lab
    assert "Not a chokepoint" in lab
    hosts = runner.invoke(app, ["team", "hosts", "--org", RESTAURANT]).stdout
    assert "On no critical path; slack 2.01d." in hosts


def test_slack_inside_a_loop_is_said_to_be_a_lower_bound(runner: CliRunner) -> None:
    # Pastry is in the restaurant's loop: its longest simple chain to diners is 9m shorter
    # than the critical path, but the loop's slack is only a lower bound (0m), never "none".
    text = " ".join(runner.invoke(app, ["team", "pastry", "--org", RESTAURANT]).stdout.split())
    # "at least 0m" would say nothing: the slack is said not to be known.
    assert (
        "On no critical path; its slack is not known: it is in a loop, where icmap finds only "
        "a lower bound (here 0)." in text
    )
    assert "but no slack" not in text and "at least 0m" not in text
    assert (
        "off its critical path; slack not known: in a loop, icmap finds only a lower bound" in text
    )
    data = json.loads(
        runner.invoke(app, ["team", "pastry", "--org", RESTAURANT, "-f", "json"]).stdout
    )
    assert (data["slack"], data["slack_lower_bound"]) == (0, True)
    assert data["streams"][0]["slack_lower_bound"] is True
    hosts = json.loads(
        runner.invoke(app, ["team", "hosts", "--org", RESTAURANT, "-f", "json"]).stdout
    )
    assert hosts["slack_lower_bound"] is False


def test_markdown_is_a_readme(runner: CliRunner) -> None:
    done = runner.invoke(app, ["team", "booking", "--org", TOPOLOGIES, "-f", "markdown"])
    assert done.exit_code == 0, done.stderr
    text = done.stdout
    assert text.startswith("# Booking (booking)\n\nStream-aligned team; group Senders")
    assert "**Blast radius:** booking: " in text
    for heading in ("What we provide", "What we receive", "Distance to customers"):
        assert f"\n## {heading}\n" in text
    assert "| from | what | lead time | satisfaction | interaction |" in text
    assert "| routing-engine | Route pricing | 4d | — | x-as-a-service, blocking |" in text
    assert "| senders (external customer) | Booked shipments | 1h | 4.2 | — |" in text


def test_json_fields(runner: CliRunner) -> None:
    done = runner.invoke(app, ["team", "Runtime Platform", "--org", TOPOLOGIES, "-f", "json"])
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["schema_version"] == 1
    assert (data["team"], data["name"], data["type"]) == (
        "runtime-platform",
        "Runtime platform",
        "platform",
    )
    booking = next(p for p in data["provides"] if p["to"] == "booking")
    assert booking["mode"] == "x-as-a-service" and booking["lead_time_hours"] == 24.0
    assert booking["state"] == "ok"
    assert {d["customer"] for d in data["distances"]} == {"senders", "recipients"}
    assert isinstance(data["chokepoint"], bool) and isinstance(data["dependents"], list)
    assert data["blast_radius"]["verdict"].startswith("runtime-platform: ")
    assert set(data) >= {"receives", "critical_for", "slack", "slack_unit", "group", "lead"}


def test_json_dates_are_iso(runner: CliRunner, tmp_path: Path) -> None:
    org = str(write(tmp_path, "org.yaml", ORG))
    data = json.loads(runner.invoke(app, ["team", "bakery", "--org", org, "-f", "json"]).stdout)
    coaching = next(r for r in data["receives"] if r["from"] == "coach")
    assert (coaching["mode"], coaching["until"], coaching["since"]) == (
        "facilitating",
        "2026-12-01",
        None,
    )


def test_all_writes_one_page_per_team(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    done = runner.invoke(app, ["team", "--all", "--org", RESTAURANT, "-o", str(out)])
    assert done.exit_code == 0, done.stderr
    teams = build_graph(load_text(Path(RESTAURANT).read_text(encoding="utf-8"))).nodes
    expected = sorted(f"{t}.md" for t in teams if teams[t]["kind"] == "team")
    assert sorted(p.name for p in out.iterdir()) == expected
    kitchen = (out / "kitchen.md").read_text(encoding="utf-8")
    assert kitchen.startswith("# Culinary staff (kitchen)\n")
    assert done.stderr.count("wrote ") == len(expected)
    as_json = runner.invoke(
        app, ["team", "--all", "--org", TOPOLOGIES, "-o", str(out), "-f", "json"]
    )
    assert as_json.exit_code == 0, as_json.stderr
    assert (
        json.loads((out / "booking.json").read_text(encoding="utf-8"))["type"] == "stream-aligned"
    )


def test_usage_mistakes_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    unknown = runner.invoke(app, ["team", "kitchn", "--org", RESTAURANT])
    assert unknown.exit_code == 2
    assert unknown.stderr == (
        "icmap: error: no team or supplier 'kitchn' in this org; did you mean 'kitchen'?\n"
    )
    neither = runner.invoke(app, ["team", "--org", RESTAURANT])
    assert neither.exit_code == 2 and "name a TEAM" in neither.stderr
    both = runner.invoke(app, ["team", "kitchen", "--all", "--org", RESTAURANT, "-o", "x"])
    assert both.exit_code == 2 and "not both" in both.stderr
    no_dir = runner.invoke(app, ["team", "--all", "--org", RESTAURANT])
    assert no_dir.exit_code == 2 and "-o DIR" in no_dir.stderr
    a_file = write(tmp_path, "taken.md", "x")
    on_file = runner.invoke(app, ["team", "--all", "--org", RESTAURANT, "-o", str(a_file)])
    assert on_file.exit_code == 2 and "is not a folder" in on_file.stderr
    customer = runner.invoke(app, ["team", "diners", "--org", RESTAURANT])
    assert customer.exit_code == 2 and "external customer" in customer.stderr
    assert "Traceback" not in unknown.stderr + customer.stderr


def test_page_never_overwrites_its_input(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", ORG)
    args = ["team", "bakery", "--org", str(org), "-f", "markdown", "-o", str(org)]
    done = runner.invoke(app, args)
    assert done.exit_code == 2 and "never overwrites its input" in done.stderr
    assert org.read_text(encoding="utf-8") == ORG


def test_file_names_are_safe_and_distinct() -> None:
    taken: set[str] = set()
    names = [file_name(t, taken) for t in ("a/b", "a b", "..", "A-B")]
    assert names == ["a-b", "a-b-2", "team", "A-B-3"]


TIED = """\
customers: {cust: {name: Customers}}
teams:
  start: {provides: [{what: Parts, to: [x, y], lead_time: 1d}]}
  x: {provides: [{what: Xs, to: end, lead_time: 1d}]}
  y: {provides: [{what: Ys, to: end, lead_time: 1d}]}
  end: {provides: [{what: Goods, to: cust, lead_time: 1d}]}
"""


@pytest.mark.parametrize("team", ["x", "y"])
def test_a_team_on_a_tied_critical_path_is_on_a_critical_path(
    runner: CliRunner, tmp_path: Path, team: str
) -> None:
    org = str(write(tmp_path, "org.yaml", TIED))
    text = runner.invoke(app, ["team", team, "--org", org]).stdout
    # x is on the path shown, y on a chain as long: both critical, y marked as a tie.
    tied = " (tied)" if team == "y" else ""
    assert f"On the critical path to cust{tied}: no slack." in text
    assert "On no critical path" not in text
    data = json.loads(runner.invoke(app, ["team", team, "--org", org, "-f", "json"]).stdout)
    assert data["critical_for"] == ["cust"]
    assert data["tied_to"] == (["cust"] if tied else [])


def test_all_pages_appear_or_none_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page that cannot be written leaves the folder as it was: no page of the new run, no
    temporary file, the old pages untouched."""
    from icmap.output import StagedFiles

    org = str(EXAMPLES / "team-topologies.yaml")
    pages = tmp_path / "pages"
    first = CliRunner().invoke(app, ["team", "--all", "--org", org, "-o", str(pages)])
    assert first.exit_code == 0, first.output
    before = {p.name: p.read_bytes() for p in pages.iterdir()}
    for page in pages.iterdir():
        page.write_text("old\n", encoding="utf-8")
    written = 0
    add = StagedFiles.add

    def fail_the_fourth(self: StagedFiles, path: Path, data: bytes) -> None:
        nonlocal written
        written += 1
        if written == 4:
            raise UsageError(f"cannot write {path}: No space left on device")
        add(self, path, data)

    monkeypatch.setattr(StagedFiles, "add", fail_the_fourth)
    result = CliRunner().invoke(app, ["team", "--all", "--org", org, "-o", str(pages)])
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    assert sorted(p.name for p in pages.iterdir()) == sorted(before)
    assert all(p.read_text(encoding="utf-8") == "old\n" for p in pages.iterdir())


@pytest.mark.parametrize(
    "args",
    [
        ["survey", str(EXAMPLES / "restaurant.yaml"), "--per-team"],
        ["team", "--all", "--org", str(EXAMPLES / "restaurant.yaml")],
    ],
    ids=["survey --per-team", "team --all"],
)
def test_a_move_refused_late_puts_back_the_pages_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """The system refuses one page's rename (a sticky folder's page owned by someone else):
    the pages moved in before it are taken back out and the old ones they replaced return."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "expediters.md").write_text("old round\n", encoding="utf-8")
    (pages / "wait-staff.md").write_text("old wait-staff\n", encoding="utf-8")
    replace = Path.replace

    def refuse_wait_staff(self: Path, target: str | os.PathLike[str]) -> Path:
        if Path(target).name == "wait-staff.md" and self.name.endswith(".tmp"):
            raise PermissionError(1, "Operation not permitted")
        return replace(self, target)

    monkeypatch.setattr(Path, "replace", refuse_wait_staff)
    result = CliRunner().invoke(app, [*args, "-f", "markdown", "-o", str(pages)])
    assert result.exit_code == 2
    assert "wait-staff.md: Operation not permitted" in result.stderr
    assert "wrote" not in result.stderr
    assert sorted(p.name for p in pages.iterdir()) == ["expediters.md", "wait-staff.md"]
    assert (pages / "expediters.md").read_text(encoding="utf-8") == "old round\n"
    assert (pages / "wait-staff.md").read_text(encoding="utf-8") == "old wait-staff\n"
    monkeypatch.undo()
    result = CliRunner().invoke(app, [*args, "-f", "markdown", "-o", str(pages)])
    assert result.exit_code == 0, result.stderr
    assert not [p.name for p in pages.iterdir() if p.name.startswith(".")]
    assert (pages / "expediters.md").read_text(encoding="utf-8") != "old round\n"


def test_a_team_whose_id_is_a_safe_name_keeps_it(runner: CliRunner, tmp_path: Path) -> None:
    teams = ["ops/web", "ops web", "ops-web"]
    body = "customers: {c: {}}\nteams:\n" + "".join(
        f"  {team!r}: {{provides: [{{what: x, to: c}}]}}\n" for team in teams
    )
    org = write(tmp_path, "org.yaml", body)
    out = tmp_path / "pages"
    done = runner.invoke(app, ["team", "--all", "--org", str(org), "-o", str(out), "-f", "json"])
    assert done.exit_code == 0, done.stderr
    owners = {p.name: json.loads(p.read_text())["team"] for p in out.iterdir()}
    assert owners["ops-web.json"] == "ops-web"
    assert sorted(owners.values()) == sorted(teams)


def test_scores_are_shown_as_the_report_shows_them(runner: CliRunner, tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {u: {}}\nteams:\n"
        "  a: {provides: [{what: x, to: b, satisfaction: 2}, {what: y, to: u, satisfaction: 4}]}\n"
        "  b: {provides: [{what: z, to: u}]}\n",
    )
    text = runner.invoke(app, ["team", "a", "--org", str(org), "-f", "markdown"]).stdout
    assert "| b | x | — | 2.0 ⚠ | — |" in text
    assert "| u (external customer) | y | — | 4.0 | — |" in text


def test_page_files_keep_letters_of_any_script(runner: CliRunner, tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {u: {}}\nteams:\n  équipe-ü: {provides: [{what: x, to: u}]}\n"
        "  日本: {provides: [{what: y, to: u}]}\n  ops/web: {provides: [{what: z, to: u}]}\n",
    )
    done = runner.invoke(app, ["team", "--all", "--org", str(org), "-o", str(tmp_path / "p")])
    assert done.exit_code == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == sorted(
        ["équipe-ü.md", "日本.md", "ops-web.md"]
    )
