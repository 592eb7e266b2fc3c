"""The measured map as a user sees it: the report's measured section (text, markdown, JSON, the
HTML page's headlines) and the pictures (DOT, PNG, Mermaid, JSON, HTML, the terminal tree),
on a small log written for it (tests/fixtures/events/pingpong.csv) and on the two real logs.

pingpong.csv: ten tickets. C1-C6 go desk → experts after 2 hours; C1-C3 come straight back to
desk 3 hours later (desk → experts: 6 hand-offs, 3 back, 50%) and end there, C4-C6 end with
experts; C7-C10 never leave desk (closed alone).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from icmap.cli import app

ROOT = Path(__file__).resolve().parent.parent
PINGPONG = ROOT / "tests" / "fixtures" / "events" / "pingpong.csv"
LOGS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "eventlogs"
RECEIPT = LOGS / "receipt.csv"
HELPDESK = LOGS / "helpdesk.xes.gz"
needs_logs = pytest.mark.skipif(
    not RECEIPT.exists(), reason="../shared/data is not beside the repository"
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, [*args], env={"COLUMNS": "120", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.stdout


# --- the report -----------------------------------------------------------------------------


def test_the_report_shows_the_measured_flow(runner: CliRunner) -> None:
    out = _run(runner, "report", "--from", "events", str(PINGPONG))
    section = out[out.index("Measured flow (from the event log)") : out.index("Most slack")]
    lines = [" ".join(line.split()) for line in section.splitlines()]
    assert (
        "10 cases ended with a customer, 2026-03-01 to 2026-03-10; 9 hand-offs between teams "
        "in 2 pairs."
    ) in lines
    assert "desk → experts 6 6 2h 2h 50%" in lines  # busiest, and slowest (6 ≥ 5 hand-offs)
    assert "experts → desk 3 3 3h 3h 0%" in lines
    assert "desk → experts 50% 6 0% of 3" in lines  # ping-pong, with the other way
    assert "desk 7 70% 4 1h 1h" in lines  # where cases end, 4 of them alone
    assert "experts 3 30% 0 0m 0m" in lines
    assert "Closed by one team alone, never handed on: 4 of 10 cases (40%)." in lines


def test_markdown_and_json_say_the_same(runner: CliRunner) -> None:
    markdown = _run(runner, "report", "--from", "events", str(PINGPONG), "-f", "markdown")
    assert "## Measured flow" in markdown
    assert "| desk → experts | 6 | 6 | 2h | 2h | 50% |" in markdown
    assert "| desk → experts | 50% | 6 | 0% of 3 |" in markdown
    assert "| desk | 7 | 70% | 4 | 1h | 1h |" in markdown
    data = json.loads(_run(runner, "report", "--from", "events", str(PINGPONG), "-f", "json"))
    measured = data["measured"]
    assert (measured["cases"], measured["handoffs"], measured["pairs"]) == (10, 9, 2)
    assert (measured["alone"], measured["alone_share"]) == (4, 0.4)
    [ping] = measured["ping_pong"]
    assert (ping["provider"], ping["receiver"], ping["return_rate"]) == ("desk", "experts", 0.5)
    assert ping["back"]["handoffs"] == 3 and ping["back"]["return_rate"] == 0.0
    assert [(e["team"], e["cases"], e["alone"]) for e in measured["endings"]] == [
        ("desk", 7, 4),
        ("experts", 3, 0),
    ]
    assert measured["busiest"][0]["median_hours"] == 2.0


def test_an_imported_org_keeps_the_measured_section(runner: CliRunner, tmp_path: Path) -> None:
    """``alone`` reaches the org files, so a report from them says what --from events says."""
    _run(runner, "import", "events", str(PINGPONG), "-o", str(tmp_path / "org"))
    written = (tmp_path / "org" / "teams" / "desk.yaml").read_text(encoding="utf-8")
    assert "alone: 4}" in written
    direct = _run(runner, "report", "--from", "events", str(PINGPONG), "-f", "json")
    from_files = _run(runner, "report", str(tmp_path / "org"), "-f", "json")
    assert json.loads(direct)["measured"] == json.loads(from_files)["measured"]


def test_an_org_without_measured_numbers_has_no_measured_section(runner: CliRunner) -> None:
    restaurant = str(ROOT / "examples" / "restaurant.yaml")
    assert "Measured" not in _run(runner, "report", restaurant)
    assert "Measured" not in _run(runner, "report", restaurant, "-f", "markdown")
    assert "measured" not in json.loads(_run(runner, "report", restaurant, "-f", "json"))
    page = _run(runner, "graph", restaurant, "-f", "html")
    assert "Measured flow" not in page and "handed straight back" not in page


# --- the pictures ---------------------------------------------------------------------------


def test_dot_draws_width_by_volume_and_colour_by_return_rate(runner: CliRunner) -> None:
    dot = _run(runner, "graph", "--from", "events", str(PINGPONG), "-f", "dot")
    # The ping-pong hand-off: red (50% ≥ 20%), its label with its numbers and the rate.
    assert "Diagnose\\n6× · median 2h · p85 2h · 50% back" in dot
    assert 'color="#d32f2f"' in dot
    # The busiest edge (desk closes 7 cases) is the widest; one under 5% back stays grey.
    assert "penwidth=7" in dot
    assert "Answer\\n3× · median 3h · p85 3h" in dot
    # The legend: sample widths and the thresholds.
    for words in (
        "width: 1 hand-off",
        "width: 7 hand-offs",
        "colour: under 5% handed straight back",
        "colour: 5% to under 20% back",
        "colour: 20% or more back",
    ):
        assert words in dot


def test_every_picture_format_carries_the_measured_map(runner: CliRunner, tmp_path: Path) -> None:
    log = str(PINGPONG)
    mermaid = _run(runner, "graph", "--from", "events", log, "-f", "mermaid")
    assert "6× · median 2h · p85 2h · 50#37; back" in mermaid
    assert "stroke:#d32f2f" in mermaid and "red: 20#37; or more back" in mermaid
    data = json.loads(_run(runner, "graph", "--from", "events", log, "-f", "json"))
    link = next(x for x in data["links"] if (x["source"], x["target"]) == ("desk", "experts"))
    assert link["measured"] == {"handoffs": 6, "return_rate": 0.5, "band": 2, "width": 6.48}
    assert link["relations"][0]["measured"]["p85_hours"] == 2.0
    assert data["graph"]["measured"]["return_bands"] == [0.05, 0.2]
    page = _run(runner, "graph", "--from", "events", log, "-f", "html")
    assert "<h2>Measured flow</h2>" in page
    assert "desk → experts: 50% back of 6 hand-offs (0% the other way)" in page
    assert "colour: 20% or more back" in page
    tree = _run(runner, "graph", "--from", "events", log)
    assert "desk → Diagnose (6× · median 2h · p85 2h · 50% back)  ↺ loop" in tree
    assert "\n% back: handed straight back (amber from 5%, red from 20%)\n" in tree
    png = tmp_path / "map.png"
    _run(runner, "graph", "--from", "events", log, "-o", str(png))
    assert png.read_bytes().startswith(b"\x89PNG")


def test_pictures_of_an_org_without_measured_numbers_are_unchanged(runner: CliRunner) -> None:
    restaurant = str(ROOT / "examples" / "restaurant.yaml")
    for fmt in ("dot", "mermaid", "json"):
        out = _run(runner, "graph", restaurant, "-f", fmt)
        assert "measured" not in out and "×" not in out and "straight back" not in out
        assert "#d32f2f" not in out and "width: " not in out
    assert "event log" not in _run(runner, "graph", restaurant)


# --- the real logs ------------------------------------------------------------------------


def _alone_by_hand(path: Path) -> tuple[int, int]:
    """Cases whose events all name one team, and all cases, counted in plain Python."""
    teams: dict[str, set[str]] = defaultdict(set)
    with path.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            teams[row["case:concept:name"]].add(row["org:group"])
    return sum(1 for found in teams.values() if len(found) == 1), len(teams)


@needs_logs
def test_the_permit_log_report(runner: CliRunner) -> None:
    out = _run(runner, "report", "--from", "events", str(RECEIPT))
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert "Group 3 → Group 2 992 971 0.4m 17.79h 0%" in lines  # the busiest
    assert "Group 2 → EMPTY 15 15 1.95d 19.04d 6.7%" in lines  # the slowest by p85
    assert "Group 1 → Group 13 82.6% 23 18.2% of 22" in lines  # the worst ping-pong
    assert "Group 1 881 61.4% 30 0.44m 2.49m" in lines  # where most cases end
    alone, cases = _alone_by_hand(RECEIPT)
    assert (alone, cases) == (116, 1434)
    assert f"Closed by one team alone, never handed on: {alone} of 1,434 cases (8.1%)." in lines


@needs_logs
def test_the_help_desk_log_report(runner: CliRunner) -> None:
    out = _run(runner, "report", "--from", "events", str(HELPDESK))
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert "Value 1 3,887 84.9% 3,883 38.01d 49.97d" in lines
    assert "Closed by one team alone, never handed on: 4,575 of 4,580 cases (99.9%)." in lines
    # Its few hand-offs between workgroups are under 5 each: no ranking of rates on them.
    assert "4 pairs with returns but fewer than 5 hand-offs are left out of ping-pong." in lines


@needs_logs
def test_the_permit_log_draws(runner: CliRunner, tmp_path: Path) -> None:
    png = tmp_path / "permits.png"
    _run(runner, "graph", "--from", "events", str(RECEIPT), "-o", str(png))
    assert png.read_bytes().startswith(b"\x89PNG")
    dot = _run(runner, "graph", "--from", "events", str(RECEIPT), "-f", "dot")
    assert (
        "T02 Check confirmation of receipt\\n321× · median 19.32h · p85 10.08d · 27.4% back" in dot
    )
    assert "width: 1,000 hand-offs" not in dot  # the busiest edge drawn is 992: its own sample
    assert "width: 992 hand-offs" in dot


def test_an_org_without_alone_still_loads_and_leaves_the_count_out(
    runner: CliRunner, tmp_path: Path
) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(
        "customers: {users: {}}\n"
        "teams:\n"
        "  desk:\n"
        "    provides:\n"
        "      - {what: Tickets, to: experts, measured: {handoffs: 8, cases: 8, median: 1h,"
        " p85: 2h, return_rate: 25%}}\n"
        "  experts:\n"
        "    provides:\n"
        "      - {what: Closed cases, to: users, measured: {handoffs: 8, cases: 8}}\n",
        encoding="utf-8",
    )
    out = _run(runner, "report", str(org))
    assert "desk → experts 25% 8 —" in [" ".join(line.split()) for line in out.splitlines()]
    assert "Closed by one team alone" not in out
    assert json.loads(_run(runner, "report", str(org), "-f", "json"))["measured"]["alone"] is None
    org.write_text(org.read_text().replace("cases: 8}}\n", "cases: 8, alone: many}}\n"))
    result = runner.invoke(app, ["check", str(org)])
    assert result.exit_code == 1  # a finding of the org, as any invalid value
    assert "measured alone 'many' is not a count [IC007" in result.output


def test_cases_closed_alone_are_counted_under_events_too(runner: CliRunner) -> None:
    # Laid over a declared org, as imported: a case that never left its team is counted.
    desk = ROOT / "examples" / "service-desk"
    log, team_map = str(desk / "tickets.csv"), str(desk / "team-map.csv")
    done = runner.invoke(
        app, ["report", str(desk), "--events", log, "--team-map", team_map, "-f", "json"]
    )
    assert done.exit_code == 0, done.stderr
    measured = json.loads(done.stdout)["measured"]
    # Counted apart, from the CSV itself: a case is closed alone when every event of it is one
    # team's, the log's names taken through the map, else matched ignoring case and spaces.
    map_text = Path(team_map).read_text(encoding="utf-8")
    mapped = {r["log"]: r["team"] for r in csv.DictReader(io.StringIO(map_text))}
    ids = {"servicedesk": "service-desk", "apps": "apps", "network": "network",
           "accessmgmt": "access-mgmt", "fieldservices": "field-services",
           "development": "development"}  # fmt: skip
    cases: dict[str, set[str | None]] = {}
    log_text = Path(log).read_text(encoding="utf-8")
    for row in csv.DictReader(io.StringIO(log_text)):
        name = row["assignment_group"]
        team = mapped.get(name) or ids.get(re.sub(r"[\s_-]+", "", name).casefold())
        cases.setdefault(row["ticket"], set()).add(team)
    by_hand: dict[str, int] = {}
    for teams in cases.values():
        if len(teams) == 1 and None not in teams:
            (team,) = teams
            by_hand[team] = by_hand.get(team, 0) + 1
    assert measured["alone"] == sum(by_hand.values()) == 293
    assert {e["team"]: e["alone"] for e in measured["endings"]} == {
        e["team"]: by_hand.get(e["team"], 0) for e in measured["endings"]
    }
