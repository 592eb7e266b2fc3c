"""Declared against measured: ``--events`` lays an event log over a declared org.

The example is examples/service-desk: a declared org, and tickets.csv written by its
generate_log.py with drift planted on purpose (an undeclared hand-off, a declared one never
used, a slow one, a ping-pong pair, a team name the org does not know).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, write
from icmap.cli import app
from icmap.errors import UsageError
from icmap.eventlog.teammap import match_teams, read_team_map
from icmap.loader import load_text

DESK = EXAMPLES / "service-desk"
ORG = str(DESK / "org.yaml")
LOG = str(DESK / "tickets.csv")
MAP = str(DESK / "team-map.csv")
OVERLAY = ["--events", LOG, "--team-map", MAP]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _check(runner: CliRunner, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = runner.invoke(app, ["check", *args, "-f", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)["findings"]


def test_every_drift_rule_fires_on_the_example(runner: CliRunner) -> None:
    code, findings = _check(runner, str(DESK), *OVERLAY)
    assert code == 0  # warnings: the check passes unless --fail-on warning
    found = {(f["code"], f["file"], f["line"], f["col"]): f["message"] for f in findings}
    assert sorted(c for c, *_ in found) == ["IC701", "IC702", "IC703", "IC704", "IC705"]
    messages = {c: m for (c, *_), m in found.items()}
    assert messages["IC701"].startswith("the log shows network → apps 37 times in 37 cases")
    assert "a hand-off the org never declares; first seen at " in messages["IC701"]
    assert messages["IC701"].endswith("tickets.csv:36")
    assert messages["IC702"].startswith("apps → network ('Firewall change requests') is declared")
    assert "2026-01-05 to 2026-03-29) never shows it" in messages["IC702"]
    assert messages["IC703"].startswith(
        "access-mgmt → employees ('Granted access'): the log's 85th percentile is 1.94d, more "
        "than the declared 4h plus the margin of 50% (median 1.29d over 140 hand-offs"
    )
    assert messages["IC704"].startswith(
        "service-desk and apps bounce work back and forth: 24.4% of service-desk → apps "
        "hand-offs come straight back (68 of 279) and 70.6% of apps → service-desk"
    )
    assert messages["IC705"] == (
        "the log's team 'Field Service' matches no team of the org; did you mean 'field-services'?"
    )
    failed = runner.invoke(app, ["check", str(DESK), *OVERLAY, "--fail-on", "warning"])
    assert failed.exit_code == 1
    assert "tickets.csv:24:1: warning: the log's team 'Field Service'" in failed.stdout


def test_positions_point_at_the_org_and_the_log(runner: CliRunner) -> None:
    _, findings = _check(runner, ORG, *OVERLAY)
    at = {f["code"]: (Path(f["file"]).name, f["line"], f["col"]) for f in findings}
    assert at == {
        "IC701": ("org.yaml", 37, 3),  # network: the team that would declare it
        "IC702": ("org.yaml", 35, 9),  # the declared relation
        "IC703": ("org.yaml", 47, 9),  # its declared lead time
        "IC704": ("org.yaml", 22, 9),  # the busier direction's relation
        "IC705": ("tickets.csv", 24, 1),  # the log line that first names the team
    }
    subjects = {f["code"]: f.get("subjects") for f in findings}
    assert subjects["IC701"] in (None, ["network", "apps"])


def test_drift_rules_are_silent_without_a_log(runner: CliRunner) -> None:
    code, findings = _check(runner, ORG, "--fail-on", "info")
    assert (code, findings) == (0, [])


def test_without_the_map_the_other_names_are_unmatched(runner: CliRunner) -> None:
    _, findings = _check(runner, ORG, "--events", LOG)
    unmatched = sorted(f["message"] for f in findings if f["code"] == "IC705")
    assert unmatched == [
        "the log's team 'Field Service' matches no team of the org; did you mean 'field-services'?",
        "the log's team 'IAM' matches no team of the org",
        "the log's team 'Network Ops' matches no team of the org; did you mean 'network'?",
    ]
    # Hand-offs of unmatched teams are not judged: network → apps and access-mgmt's slow one
    # go unseen, and apps → network is not expected while network is not in the log.
    assert {f["code"] for f in findings} == {"IC704", "IC705"}


def test_a_yaml_map_and_teams_left_out(runner: CliRunner, tmp_path: Path) -> None:
    team_map = write(
        tmp_path,
        "map.yaml",
        """\
        Network Ops: network
        IAM: Access Management   # a display name works too
        Field Service: "-"       # left out on purpose: not reported
        """,
    )
    _, findings = _check(runner, ORG, "--events", LOG, "--team-map", str(team_map))
    assert sorted(f["code"] for f in findings) == ["IC701", "IC702", "IC703", "IC704"]


def test_a_map_entry_naming_no_team_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    team_map = write(tmp_path, "map.csv", "log,team\nNetwork Ops,netwrok\nIAM,access-mgmt\n")
    result = runner.invoke(app, ["check", ORG, "--events", LOG, "--team-map", str(team_map)])
    assert result.exit_code == 2
    assert f"{team_map}:2:1: 'Network Ops' is mapped to 'netwrok'" in result.stderr
    assert "did you mean 'network'?" in result.stderr


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_comment_line_says_nothing_of_the_delimiter(tmp_path: Path, delimiter: str) -> None:
    text = f"log{delimiter}team\n# renamed by the vendor, twice; see the ticket\n"
    text += f"Network Ops{delimiter}network\n"
    team_map = read_team_map(write(tmp_path, "map.csv", text))
    assert team_map.entries == {"Network Ops": "network"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Network Ops,network,extra\n", ":1:1: expected two columns"),
        ("a,network\na,apps\n", ":2:1: 'a' is mapped twice (first on line 1)"),
    ],
)
def test_bad_csv_maps(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "map.csv", text)
    # Said once the map is held against the org, with what is wrong with its entries.
    [problem] = read_team_map(path).problems
    assert problem.startswith(f"{path}{message}")
    org = load_text("teams: {network: {}, apps: {}}\ncustomers: {u: {}}\n")
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        match_teams(org, ["a"], read_team_map(path))


def test_every_problem_of_a_map_is_said_at_once(runner: CliRunner, tmp_path: Path) -> None:
    team_map = write(
        tmp_path,
        "map.csv",
        "log,team\nIAM,acess-mgmt\nDesk\nNetwork Ops,network\nNetwork Ops,apps\n",
    )
    result = runner.invoke(app, ["report", ORG, "--events", LOG, "--team-map", str(team_map)])
    assert result.exit_code == 2
    assert [line.split(": ", 2)[2] for line in result.stderr.splitlines()] == [
        f"{team_map}:2:1: 'IAM' is mapped to 'acess-mgmt', which is no team, customer or "
        "supplier of the org; did you mean 'access-mgmt'?",
        f"{team_map}:3:1: expected two columns, the log's team name and the team id",
        f"{team_map}:5:1: 'Network Ops' is mapped twice (first on line 4)",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["--team-map", MAP],
        ["--lead-times", "measured"],
    ],
)
@pytest.mark.parametrize("command", ["check", "report", "graph"])
def test_log_options_need_a_log(runner: CliRunner, command: str, args: list[str]) -> None:
    result = runner.invoke(app, [command, ORG, *args])
    assert result.exit_code == 2
    assert "--events" in result.stderr


def test_team_needs_a_log_too(runner: CliRunner) -> None:
    result = runner.invoke(app, ["team", "apps", "--org", ORG, "--lead-times", "measured"])
    assert result.exit_code == 2
    assert "give it with --events" in result.stderr


def test_a_missing_log_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", ORG, "--events", str(tmp_path / "no.csv")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def _report(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["report", ORG, *OVERLAY, "-f", "json", *args])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_report_measured_lead_times(runner: CliRunner) -> None:
    declared = _report(runner)
    measured = _report(runner, "--lead-times", "measured")
    assert declared["events"]["lead_times"] == "declared"
    assert declared["events"]["measured_lead_times"] == 0
    assert measured["events"]["lead_times"] == "measured"
    assert measured["events"]["measured_lead_times"] == 10  # field-services is not in the log
    path = ["service-desk", "apps", "development", "employees"]
    assert declared["critical_paths"][0]["path"] == path
    assert declared["critical_paths"][0]["lead_time_hours"] == 3 + 24 + 120
    medians = {
        (h["provider"], h["receiver"]): h["median_hours"] for h in measured["events"]["handoffs"]
    }
    along = [medians[u, v] for u, v in itertools.pairwise(path)]
    assert measured["critical_paths"][0]["path"] == path
    assert measured["critical_paths"][0]["lead_time_hours"] == pytest.approx(sum(along))
    # Slack follows: access-mgmt's measured 1.29d leaves less room than its declared 4h.
    assert measured["slack_hours"]["access-mgmt"] < declared["slack_hours"]["access-mgmt"]


def test_report_json_events_object(runner: CliRunner) -> None:
    events = _report(runner)["events"]
    assert events["files"] == [LOG]
    assert (events["first"], events["last"]) == ("2026-01-05", "2026-03-29")
    assert (events["events"], events["cases"]) == (3041, 900)
    assert events["unmatched_teams"] == [
        {"name": "Field Service", "file": LOG, "line": 24, "did_you_mean": ["field-services"]}
    ]
    undeclared = [h for h in events["handoffs"] if not h["declared"]]
    assert [(h["provider"], h["receiver"], h["handoffs"]) for h in undeclared] == [
        ("network", "apps", 37)
    ]
    slow = next(h for h in events["handoffs"] if h["provider"] == "access-mgmt")
    assert slow["declared"] == ["Granted access"]
    assert slow["declared_lead_time_hours"] == 4
    assert slow["p85_hours"] > 1.5 * 24
    assert (slow["file"], isinstance(slow["line"], int)) == (LOG, True)


def test_report_text_says_which_lead_times(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["report", ORG, *OVERLAY, "--lead-times", "measured"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0
    assert (
        f"Lead times measured: the median of {LOG} (2026-01-05 to 2026-03-29) on 10 hand-offs, "
        "the declared one on the rest"
    ) in result.stdout
    assert "'Field Service' (did you mean 'field-services'?)" in result.stderr
    plain = runner.invoke(app, ["report", ORG, *OVERLAY, "-f", "markdown"])
    assert "Lead times declared; event log" in plain.stdout


def test_team_page_shows_declared_and_measured(runner: CliRunner) -> None:
    args = ["team", "access-mgmt", "--org", ORG, *OVERLAY, "-f", "json"]
    declared = json.loads(runner.invoke(app, args).stdout)["provides"][0]
    measured = json.loads(runner.invoke(app, [*args, "--lead-times", "measured"]).stdout)
    granted = measured["provides"][0]
    assert declared["lead_time_hours"] == declared["declared_lead_time_hours"] == 4
    assert granted["declared_lead_time_hours"] == 4
    assert granted["lead_time_hours"] == granted["measured"]["median_hours"]
    assert granted["measured"]["handoffs"] == 140
    text = runner.invoke(
        app,
        ["team", "access-mgmt", "--org", ORG, *OVERLAY, "--lead-times", "measured"],
        env={"COLUMNS": "200"},
    )
    assert "1.29d (measured; declared 4h: median 1.29d, p85 1.94d, 140 hand-offs)" in text.stdout


def test_graph_takes_a_log(runner: CliRunner) -> None:
    result = runner.invoke(app, ["graph", ORG, *OVERLAY, "-f", "mermaid"])
    assert result.exit_code == 0, result.output
    assert "service-desk" in result.stdout


# --- matching and measuring, on small logs --------------------------------------------------

SMALL = """\
customers: {staff: {name: Staff}}
teams:
  service-desk: {name: Help, provides: [{what: Tickets, to: apps}, {what: Answers, to: staff}]}
  apps: {provides: [{what: Fixes, to: staff}]}
"""


def _log(tmp_path: Path, rows: list[tuple[str, str, str]]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["case", "time", "team"])
    writer.writerows(rows)
    return write(tmp_path, "log.csv", out.getvalue())


def test_matching_rules() -> None:
    org = load_text(SMALL)
    found = match_teams(org, ["Service Desk", "HELP", "Apps", "Staff", "Appz", "Ops"])
    assert found.ids == {
        "Service Desk": "service-desk",
        "HELP": "service-desk",
        "Apps": "apps",
        "Staff": "staff",
    }
    assert found.unmatched == {"Appz": ("apps",), "Ops": ()}


def test_two_log_names_for_one_team_make_one_stay(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", SMALL)
    rows = []
    for n in range(6):
        day = f"2026-03-0{n + 1}"
        rows += [
            (f"c{n}", f"{day} 09:00", "Desk L1"),
            (f"c{n}", f"{day} 10:00", "Desk L2"),
            (f"c{n}", f"{day} 12:00", "apps"),
            (f"c{n}", f"{day} 15:00", "apps"),
        ]
    log = _log(tmp_path, rows)
    team_map = write(tmp_path, "map.csv", "Desk L1,service-desk\nDesk L2,service-desk\n")
    result = runner.invoke(
        app, ["report", str(org), "--events", str(log), "--team-map", str(team_map), "-f", "json"]
    )
    handoffs = json.loads(result.stdout)["events"]["handoffs"]
    pairs = {(h["provider"], h["receiver"]): h for h in handoffs}
    assert set(pairs) == {("service-desk", "apps"), ("apps", "staff")}
    # The stay runs from Desk L1's first event: three hours, not two.
    assert pairs["service-desk", "apps"]["median_hours"] == 3


def test_cases_ending_with_a_team_that_declares_no_customer(
    runner: CliRunner, tmp_path: Path
) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        """\
        customers: {staff: {}}
        teams:
          desk: {provides: [{what: Tickets, to: apps}]}
          apps: {provides: [{what: Fixes, to: staff}]}
        """,
    )
    rows = [(f"c{n}", f"2026-03-0{n + 1} 09:00", "desk") for n in range(5)]
    rows += [(f"c{n}", f"2026-03-0{n + 1} 11:00", "desk") for n in range(5)]
    _, findings = _check(runner, str(org), "--events", str(_log(tmp_path, rows)))
    messages = [f["message"] for f in findings if f["code"] == "IC701"]
    assert messages == [
        "the log shows 5 cases ending with desk (handed to staff) (2026-03-01 to 2026-03-05; "
        f"median 2h), a hand-off the org never declares; first seen at {tmp_path}/log.csv:2"
    ]


def test_unreadable_log_rows_are_findings(runner: CliRunner, tmp_path: Path) -> None:
    org = write(tmp_path, "org.yaml", SMALL)
    log = _log(tmp_path, [("c1", "2026-03-01 09:00", "apps"), ("c1", "yesterday", "apps")])
    _, findings = _check(runner, str(org), "--events", str(log))
    assert [(f["code"], f["line"]) for f in findings if f["code"] == "IC620"] == [("IC620", 3)]


def test_the_committed_log_is_what_the_script_writes(tmp_path: Path) -> None:
    import runpy

    script = runpy.run_path(str(DESK / "generate_log.py"))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ticket", "timestamp", "assignment_group", "activity"])
    writer.writerows(script["events"](900))
    assert out.getvalue() == (DESK / "tickets.csv").read_text(encoding="utf-8")


def test_stream_target_missed_by_measured_lead_times_says_so(
    runner: CliRunner, tmp_path: Path
) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {shoppers: {}}\n"
        "streams: {order: {customer: shoppers, target: 1d}}\n"
        "teams:\n"
        "  intake:\n"
        "    provides: [{what: Orders, to: warehouse, streams: order, lead_time: 2h}]\n"
        "  warehouse:\n"
        "    provides: [{what: Parcels, to: shoppers, streams: order, lead_time: 4h}]\n"
        "  packing:\n"
        "    provides: [{what: Boxes, to: warehouse, streams: order, lead_time: 3h}]\n",
    )
    log = write(
        tmp_path,
        "log.csv",
        "case,time,team\n"
        "C1,2026-03-01 08:00,intake\nC1,2026-03-03 08:00,warehouse\n"
        "C2,2026-03-01 08:00,intake\nC2,2026-03-03 08:00,warehouse\n",
    )
    declared = runner.invoke(app, ["check", str(org), "--events", str(log), "-f", "json"])
    assert "IC311" not in {f["code"] for f in json.loads(declared.stdout)["findings"]}
    result = runner.invoke(
        app,
        ["check", str(org), "--events", str(log), "--lead-times", "measured", "-f", "json"],
    )
    assert result.exit_code == 1
    [missed] = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "IC311"]
    assert missed["message"].startswith("stream 'order' takes 2d to reach shoppers")
    # The log shows intake → warehouse (2 days); warehouse → shoppers ends each case.
    assert missed["message"].endswith(
        "; lead times measured: the log's median on every hand-off of the path"
    )
    # A second customer of warehouse's: its case endings are not compared, so warehouse →
    # shoppers keeps its declared 4h.
    two = org.read_text(encoding="utf-8").replace(
        "customers: {shoppers: {}}", "customers: {shoppers: {}, partners: {}}"
    )
    two = two.replace(
        "to: shoppers, streams: order, lead_time: 4h}]",
        "to: shoppers, streams: order, lead_time: 4h}, {what: Stock, to: partners}]",
    )
    both = write(tmp_path, "two.yaml", two)
    result = runner.invoke(
        app,
        ["check", str(both), "--events", str(log), "--lead-times", "measured", "-f", "json"],
    )
    [missed] = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "IC311"]
    assert missed["message"].startswith("stream 'order' takes 2.17d to reach shoppers")
    assert missed["message"].endswith(
        "; lead times measured: the log's median on 1 of the path's 2 hand-offs, the declared "
        "one on the rest"
    )


def test_a_process_time_longer_than_the_measured_lead_time_is_left_out(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Declared 3h of work in a hand-off the log shows taking 15m: under measured lead times it
    # would wait -2.75h and make flow efficiency pass 100%.
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {users: {}}\n"
        "streams: {s: {customer: users}}\n"
        "teams:\n"
        "  a: {provides: [{what: Work, to: b, lead_time: 4h, process_time: 3h, streams: s}]}\n"
        "  b: {provides: [{what: Done, to: users, lead_time: 2h, process_time: 1h, streams: s}]}\n",
    )
    log = write(
        tmp_path,
        "log.csv",
        "case,team,time\n"
        "F1,a,2026-03-02T00:00:00Z\nF1,b,2026-03-02T00:00:00Z\nF1,b,2026-03-02T02:00:00Z\n"
        "F2,a,2026-03-02T00:00:00Z\nF2,b,2026-03-02T00:30:00Z\nF2,b,2026-03-02T02:30:00Z\n",
    )
    measured = ["--events", str(log), "--lead-times", "measured"]
    report = runner.invoke(app, ["report", str(org), *measured, "-f", "json"])
    assert report.exit_code == 0, report.stderr
    assert (
        "icmap: laid the event log over the org with 1 warning (icmap check with the same "
        "--events, --team-map and --lead-times lists them)"
    ) in report.stderr
    [stream] = json.loads(report.stdout)["streams"]
    assert stream["flow_efficiency"] is not None and 0 < stream["flow_efficiency"] <= 1
    for step in stream["steps"]:
        assert step["waiting_hours"] is None or step["waiting_hours"] >= 0, step
    check = runner.invoke(app, ["check", str(org), *measured, "-f", "json"])
    [overlong] = [f for f in json.loads(check.stdout)["findings"] if f["code"] == "IC629"]
    assert overlong["line"] == 4
    assert overlong["message"] == (
        "process time 3h of a → b is longer than the log's median lead time 15m: left out of "
        "flow efficiency under --lead-times measured"
    )
    declared = runner.invoke(app, ["check", str(org), "--events", str(log), "-f", "json"])
    assert "IC629" not in {f["code"] for f in json.loads(declared.stdout)["findings"]}


def test_a_customer_in_the_middle_of_cases_is_said(runner: CliRunner, tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {users: {}}\nteams:\n"
        "  a: {provides: [{what: x, to: b}]}\n  b: {provides: [{what: y, to: c}]}\n"
        "  c: {provides: [{what: z, to: users}]}\n",
    )
    rows = "".join(
        f"U{n},a,2026-03-02T00:00:00Z\nU{n},Users,2026-03-02T01:00:00Z\n"
        f"U{n},c,2026-03-02T02:00:00Z\n"
        for n in range(5)
    )
    log = write(tmp_path, "log.csv", "case,team,time\n" + rows)
    done = runner.invoke(app, ["check", str(org), "--events", str(log), "-f", "json"])
    findings = json.loads(done.stdout)["findings"]
    [said] = [f for f in findings if f["code"] == "IC623"]
    assert (said["file"], said["line"]) == (str(log), 3)
    assert said["message"].startswith(
        "the log's 'Users' is read as the customer users, yet it hands cases on to teams (5 times)"
    )
    # Two spellings of the customer in one log: both named.
    both = write(tmp_path, "both.csv", "case,team,time\n" + rows.replace("U0,Users", "U0,users"))
    done = runner.invoke(app, ["check", str(org), "--events", str(both), "-f", "json"])
    [said] = [f for f in json.loads(done.stdout)["findings"] if f["code"] == "IC623"]
    assert said["message"].startswith(
        "the log's 'Users' and 'users' are read as the customer users, yet they hand cases"
    )
    [onward] = [f for f in findings if f["code"] == "IC701" and "users → c" in f["message"]]
    assert "--team-map" in onward["hint"] and "provides" not in onward["hint"]


def test_a_map_entry_naming_a_display_name_in_another_case_gets_a_did_you_mean(
    runner: CliRunner, tmp_path: Path
) -> None:
    org = write(
        tmp_path,
        "org.yaml",
        "customers: {users: {}}\nteams:\n  alpha: {name: Alpha Team, provides: [{what: x, to: users}]}\n",
    )
    team_map = write(tmp_path, "map.csv", "log,team\nE,Alpha team\n")
    log = write(tmp_path, "log.csv", "case,team,time\n1,E,2026-01-01T00:00:00Z\n")
    result = runner.invoke(
        app, ["report", str(org), "--events", str(log), "--team-map", str(team_map)]
    )
    assert result.exit_code == 2
    assert result.stderr.endswith("did you mean 'Alpha Team'?\n")


def test_a_name_of_one_letter_is_not_guessed_at() -> None:
    org = load_text(
        "customers: {u: {}}\nteams:\n  qa: {provides: [{what: x, to: u}]}\n"
        "  payments: {provides: [{what: y, to: u}]}\n"
    )
    assert match_teams(org, ["A", "paymets"]).unmatched == {"A": (), "paymets": ("payments",)}
