"""What a new user's review of measured flow (event logs) found: each test reads a small log
written here and asserts on what the user sees: the exit code, the message and its
``file:line:col``, the measured numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from icmap.cli import app
from icmap.eventlog import EventLogOptions
from icmap.importers.events import read_event_logs
from icmap.model import Measured

runner = CliRunner()


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _measured(paths: list[Path], **options: object) -> dict[tuple[str, str], Measured]:
    result = read_event_logs(paths, EventLogOptions(customer="Users", **options))  # type: ignore[arg-type]
    assert result.org is not None, result.diagnostics
    return {
        (r.provider, r.receiver): r.measured for r in result.org.relations if r.measured is not None
    }


# --- 1. a case split across the files of a folder ----------------------------------------

SPLIT_JAN1 = """case,time,team
C1,2026-01-01 09:00,A
C1,2026-01-01 10:00,B
C2,2026-01-01 11:00,A
C3,2026-01-01 23:00,B
"""
SPLIT_JAN2 = """case,time,team
C1,2026-01-02 09:00,A
C2,2026-01-02 12:00,B
C3,2026-01-02 08:00,A
C3,2026-01-02 09:00,B
"""


def test_a_case_split_across_files_is_one_case(tmp_path: Path) -> None:
    _write(tmp_path / "log" / "jan1.csv", SPLIT_JAN1)
    _write(tmp_path / "log" / "jan2.csv", SPLIT_JAN2)
    whole = _write(
        tmp_path / "whole.csv", SPLIT_JAN1 + "".join(SPLIT_JAN2.splitlines(keepends=True)[1:])
    )
    split = _measured([tmp_path / "log"])
    joined = _measured([whole])
    assert {k: (m.handoffs, m.cases) for k, m in split.items()} == {
        k: (m.handoffs, m.cases) for k, m in joined.items()
    }
    # B hands C1 back to A on the second day; C3 goes B → A → B across the files.
    assert (split[("B", "A")].handoffs, split[("A", "B")].handoffs) == (2, 3)
    assert split[("A", "B")].median is not None
    assert split[("A", "B")].median.hours == joined[("A", "B")].median.hours  # type: ignore[union-attr]
    # No case ends alone: each passed between teams.
    assert split[("B", "Users")].alone == 0
    # B → A is named where A first takes a case (C3 at 08:00), in the second file.
    assert split[("B", "A")].seen is not None
    assert Path(split[("B", "A")].seen.file).name == "jan2.csv"
    assert split[("B", "A")].seen.line == 4


# --- 2. dates with slashes: day or month first, from the data -----------------------------


def test_us_dates_are_read_month_first(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "us.csv",
        "case,time,team\nU1,01/05/2026 09:00,Desk\nU1,01/06/2026 09:00,Apps\n"
        "U2,01/13/2026 09:00,Desk\nU2,01/14/2026 10:00,Apps\n",
    )
    result = read_event_logs([log], EventLogOptions(customer="Users"))
    assert result.org is not None
    assert not [d for d in result.diagnostics if d.code == "IC620"]
    handoff = _measured([log])[("Desk", "Apps")]
    assert (handoff.handoffs, handoff.first.isoformat(), handoff.last.isoformat()) == (
        2,
        "2026-01-06",
        "2026-01-14",
    )
    assert handoff.median is not None and handoff.median.hours == 24.5


def test_european_dates_are_read_day_first(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "eu.csv",
        "case,time,team\nE1,05/01/2026,Desk\nE1,06/01/2026,Apps\nE2,13/01/2026,Desk\n",
    )
    handoff = _measured([log])[("Desk", "Apps")]
    assert handoff.first.isoformat() == "2026-01-06"


@pytest.mark.parametrize(
    ("command", "named"),
    [
        (["report", "--from", "events"], ""),
        (["impact", "Desk", "--from", "events", "--org"], "to 'icmap import events'"),
    ],
    ids=["report", "impact"],
)
def test_the_hint_for_ambiguous_dates_names_a_command_with_the_option(
    tmp_path: Path, command: list[str], named: str
) -> None:
    log = _write(
        tmp_path / "amb.csv", "case,time,team\nA1,01/05/2026 09:00,Desk\nA1,02/05/2026 09:00,Apps\n"
    )
    result = runner.invoke(app, [*command, str(log)])
    assert result.exit_code == 2
    [hint] = [line for line in result.stderr.splitlines() if "hint:" in line]
    assert hint.endswith("(day first)" + (f" {named}, and read the org it writes" if named else ""))


def test_dates_that_read_both_ways_are_refused(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "amb.csv",
        "case,opened,team\nA1,01/05/2026 09:00,Desk\nA1,02/05/2026 09:00,Apps\n",
    )
    out = str(tmp_path / "out")
    result = runner.invoke(app, ["import", "events", str(log), "-o", out, "--time", "opened"])
    assert result.exit_code == 2
    assert f"{log}:2:1: error:" in result.output
    assert "'opened'" in result.output
    assert "'01/05/2026 09:00' and '02/05/2026 09:00'" in result.output
    assert "--time-format '%m/%d/%Y %H:%M'" in result.output
    assert "--time-format '%d/%m/%Y %H:%M'" in result.output
    assert not (tmp_path / "out").exists()
    # Told the order, it reads them.
    told = runner.invoke(
        app,
        [
            "import",
            "events",
            str(log),
            "-o",
            str(tmp_path / "out"),
            "--time-format",
            "%m/%d/%Y %H:%M",
            "--time",
            "opened",
        ],
    )
    assert told.exit_code == 0, told.output


# --- 3. report, check, graph and team name the log's columns ------------------------------

SEMI = "ticket,opened,queue\nS1,2026-01-01 09:00,Desk\nS1,2026-01-01 10:00,Apps\n"
SEMI_ORG = """teams:
  Desk: {provides: [{what: Fixes, to: Apps}, {what: Answers, to: Users}]}
  Apps: {provides: [{what: Fixes, to: Users}]}
customers:
  Users: {}
"""


def test_commands_name_the_columns_of_a_from_events_source(tmp_path: Path) -> None:
    log = _write(tmp_path / "semi.csv", SEMI)
    unnamed = runner.invoke(app, ["report", "--from", "events", str(log)])
    assert unnamed.exit_code == 2
    assert f"{log}:1:1: no time column found among 'ticket', 'opened', 'queue'" in unnamed.output
    assert "name it with --time COLUMN" in unnamed.output
    for command in (["report"], ["check"], ["graph", "-f", "json"], ["team", "Desk"]):
        result = runner.invoke(
            app,
            [
                *command,
                "--from",
                "events",
                str(log) if command[0] != "team" else "--org",
                *([str(log)] if command[0] == "team" else []),
                "--time",
                "opened",
                "--customer",
                "Users",
                "--min-share",
                "5%",
            ],
        )
        assert result.exit_code == 0, (command, result.output)
    report = runner.invoke(
        app, ["report", "--from", "events", str(log), "--time", "opened", "-f", "json"]
    )
    assert report.exit_code == 0, report.output


def test_commands_name_the_columns_of_an_events_overlay(tmp_path: Path) -> None:
    log = _write(tmp_path / "semi.csv", SEMI)
    org = _write(tmp_path / "org.yaml", SEMI_ORG)
    unnamed = runner.invoke(app, ["check", str(org), "--events", str(log)])
    assert unnamed.exit_code == 2
    assert "--time COLUMN" in unnamed.output
    named = runner.invoke(app, ["check", str(org), "--events", str(log), "--time", "opened"])
    assert named.exit_code in (0, 1), named.output
    assert "no time column" not in named.output


def test_event_log_options_without_a_log_are_a_usage_error(tmp_path: Path) -> None:
    org = _write(tmp_path / "org.yaml", SEMI_ORG)
    log = _write(tmp_path / "semi.csv", SEMI)
    alone = runner.invoke(app, ["report", str(org), "--time", "opened"])
    assert alone.exit_code == 2
    assert "--time says how to read an event log: give the log with --events LOG" in alone.output
    shaping = runner.invoke(
        app, ["graph", str(org), "--events", str(log), "--time", "opened", "--customer", "X"]
    )
    assert shaping.exit_code == 2
    assert "--customer shapes an org made of an event log: use it with --from events" in (
        shaping.output
    )


def test_a_command_without_the_options_names_import_events(tmp_path: Path) -> None:
    log = _write(tmp_path / "semi.csv", SEMI)
    result = runner.invoke(app, ["impact", "Desk", "--org", str(log), "--from", "events"])
    assert result.exit_code == 2
    assert "name it with --time COLUMN of 'icmap import events'" in result.output


# --- 11. --min-share takes 5% or 0.05, not 5 ----------------------------------------------


def test_min_share_is_written_as_a_percentage_or_a_fraction(tmp_path: Path) -> None:
    log = _write(tmp_path / "semi.csv", SEMI)
    for share, code in (("5%", 0), ("0.05", 0), ("5", 2)):
        result = runner.invoke(
            app,
            [
                "import",
                "events",
                str(log),
                "-o",
                str(tmp_path / share),
                "--time",
                "opened",
                "--min-share",
                share,
            ],
        )
        assert result.exit_code == code, (share, result.output)
    assert "write 5% or 0.05" in result.output


# --- 4. lines after a quoted field with a newline -----------------------------------------


def test_positions_are_physical_lines_after_a_multi_line_field(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "ml.csv",
        'case,time,team,activity\nQ1,2026-01-01 09:00,Desk,"multi\nline note"\n'
        "Q1,2026-01-01 10:00,Apps,x\n\nQ1,2026-01-01 11:00,Desk,y\nQ2,xx,Desk,z\n",
    )
    result = runner.invoke(app, ["import", "events", str(log), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert f"{log}:7:1: warning: event left out: time 'xx'" in result.output
    pairs = _measured([log])
    assert pairs[("Desk", "Apps")].seen.line == 4  # type: ignore[union-attr]
    assert pairs[("Apps", "Desk")].seen.line == 6  # type: ignore[union-attr]


# --- 5. a team named like the customer ----------------------------------------------------


def test_a_team_named_like_the_customer_is_an_error(tmp_path: Path) -> None:
    log = _write(tmp_path / "log.csv", "case,time,team\nA,2026-01-01,Desk\nA,2026-01-02,C\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["import", "events", str(log), "-o", str(out), "--customer", "C"])
    assert result.exit_code == 2
    assert f"{log}:3:1: error: the log's team 'C' has the name of the customer" in result.output
    assert "[IC627]" in result.output
    assert not out.exists()


# --- 6. an empty file, a header with no rows ----------------------------------------------


def test_an_empty_file_says_so_at_its_first_line(tmp_path: Path) -> None:
    log = _write(tmp_path / "empty.csv", "")
    result = runner.invoke(app, ["import", "events", str(log), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"{log}:1:1: error: the file is empty" in result.output
    assert "column0" not in result.output


def test_an_empty_file_beside_others_is_a_warning(tmp_path: Path) -> None:
    _write(tmp_path / "log" / "a.csv", "case,time,team\nA,2026-01-01,Desk\nA,2026-01-02,Apps\n")
    empty = _write(tmp_path / "log" / "b.csv", "")
    result = runner.invoke(
        app, ["import", "events", str(tmp_path / "log"), "-o", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert f"{empty}:1:1: warning: the file is empty: nothing read" in result.output


def test_a_header_only_file_has_no_events(tmp_path: Path) -> None:
    log = _write(tmp_path / "hdr.csv", "case,time,team\n")
    result = runner.invoke(app, ["import", "events", str(log), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"{log}:1:1: error: no events: the log has a header and no rows" in result.output
    assert "passes between teams" not in result.output


def test_a_header_only_log_laid_over_an_org_is_said(tmp_path: Path) -> None:
    """``report --events`` of a log with no rows said nothing and called it laid over."""
    log = _write(tmp_path / "hdr.csv", "case,time,team\n")
    org = _write(tmp_path / "org.yaml", SEMI_ORG)
    result = runner.invoke(app, ["report", str(org), "--events", str(log)])
    assert result.exit_code == 0
    assert "has no event to compare" in result.stderr
    assert "nothing of it is laid over the org" in result.stderr


# --- 7. epoch times, and no time read at all ----------------------------------------------


def test_epoch_seconds_and_milliseconds_are_read(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "epoch.csv",
        "case_id,timestamp,team\nX1,1767258000,Desk\nX1,1767261600,Apps\n"
        "X2,1767258000000,Desk\nX2,1767265200000,Apps\n",
    )
    handoff = _measured([log])[("Desk", "Apps")]
    assert (handoff.handoffs, handoff.first.isoformat()) == (2, "2026-01-01")
    assert handoff.median is not None and handoff.median.hours == 1.5
    told = _measured([log], time_format="%s")[("Desk", "Apps")]
    assert told.handoffs == 1  # the milliseconds, read as seconds, are past the year 9999


def test_a_time_format_strptime_cannot_use_is_a_usage_error(tmp_path: Path) -> None:
    log = _write(tmp_path / "log.csv", "case,time,team\nA,2026-01-01,Desk\n")
    result = runner.invoke(
        app, ["import", "events", str(log), "-o", str(tmp_path / "o"), "--time-format", "%Q"]
    )
    assert result.exit_code == 2
    assert "--time-format '%Q' is not a strptime format icmap reads" in result.output
    assert "Error" not in result.output.replace("error:", "")


def test_no_time_read_is_said_first(tmp_path: Path) -> None:
    log = _write(tmp_path / "log.csv", "case,time,team\nA,noon,Desk\nA,one,Apps\n")
    result = runner.invoke(app, ["import", "events", str(log), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    first = result.output.splitlines()[0]
    assert first.startswith(f"{log}:1:1: error: no events: no row's time (column 'time')")
    assert "no case passes between teams" not in result.output


# --- 8. errors at file:line:col -------------------------------------------------------------


def test_a_malformed_team_map_is_named_at_its_line_and_column(tmp_path: Path) -> None:
    org = _write(tmp_path / "org.yaml", SEMI_ORG)
    log = _write(tmp_path / "log.csv", "case,time,team\nA,2026-01-01,Desk\nA,2026-01-02,Apps\n")
    team_map = _write(tmp_path / "map.yaml", "Network Ops: network\nIAM access-mgmt\n")
    result = runner.invoke(
        app, ["check", str(org), "--events", str(log), "--team-map", str(team_map)]
    )
    assert result.exit_code == 2
    assert f"{team_map}:3:1: --team-map is not valid YAML: could not find expected ':'" in (
        result.output
    )
    assert "<unicode string>" not in result.output


def test_a_malformed_xes_is_named_at_its_line_and_column(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "mm.xes",
        '<?xml version="1.0"?>\n<log>\n<trace>\n<string key="concept:name" value="1"/>\n'
        '<event>\n<string key="org:group" value="A"/>\n</trace>\n</log>\n',
    )
    result = runner.invoke(app, ["import", "events", str(log), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"{log}:7:3: not well-formed XES: mismatched tag" in result.output


# --- 10. a log none of whose teams is the org's ---------------------------------------------


def test_check_fails_when_no_log_team_matches_the_org(tmp_path: Path) -> None:
    org = _write(tmp_path / "org.yaml", SEMI_ORG)
    log = _write(tmp_path / "log.csv", "case,time,team\nA,2026-01-01,Kitchen\nA,2026-01-02,Bar\n")
    result = runner.invoke(app, ["check", str(org), "--events", str(log)])
    assert result.exit_code == 1
    assert "IC706" in result.output
    assert "none of the log's 2 teams ('Bar', 'Kitchen') matches a team of the org" in (
        result.output
    )
    matching = _write(tmp_path / "ok.csv", "case,time,team\nA,2026-01-01,Desk\nA,2026-01-02,Apps\n")
    assert "IC706" not in runner.invoke(app, ["check", str(org), "--events", str(matching)]).output


# --- 9. what the report's measured section leaves out of the log --------------------------

DESK_ORG = """teams:
  desk: {provides: [{what: Fixes, to: apps}, {what: Answers, to: staff}]}
  apps: {provides: [{what: Fixes, to: staff}]}
  ops: {provides: [{what: Servers, to: staff}]}
customers:
  staff: {}
"""
# c1, c2 end with apps (declared); c3 ends with Kitchen (not in the org); c4 passes
# apps → ops (not declared) and ends with ops, whose hand-off to staff is declared.
DESK_LOG = """case,time,team
c1,2026-01-01 09:00,desk
c1,2026-01-01 10:00,apps
c2,2026-01-02 09:00,desk
c2,2026-01-02 10:00,apps
c3,2026-01-03 09:00,desk
c3,2026-01-03 10:00,Kitchen
c4,2026-01-04 09:00,apps
c4,2026-01-04 10:00,ops
"""


def test_the_report_says_what_it_leaves_out_of_the_log(tmp_path: Path) -> None:
    import json

    org = _write(tmp_path / "org.yaml", DESK_ORG)
    log = _write(tmp_path / "log.csv", DESK_LOG)
    result = runner.invoke(app, ["report", str(org), "--events", str(log), "-f", "json"])
    assert result.exit_code == 0, result.output
    left = json.loads(result.stdout)["measured"]["left_out"]
    assert left == {
        "log_cases": 4,
        "cases": 1,
        "undeclared_handoffs": 1,
        "undeclared_pairs": 1,
        "unmatched_log_teams": 1,
    }
    text = runner.invoke(app, ["report", str(org), "--events", str(log)])
    said = " ".join(text.stdout.split())
    assert "Left out of these lists: 1 of the log's 4 cases" in said
    assert "1 hand-off in 1 pair of teams the org does not declare" in said
    assert "icmap check --events lists the drift" in said
    markdown = runner.invoke(app, ["report", str(org), "--events", str(log), "-f", "markdown"])
    assert "- Left out of these lists: 1 of the log's 4 cases" in markdown.stdout


# --- 11. the summary names the columns it guessed -----------------------------------------


def test_the_import_summary_names_the_columns_found_by_name(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "log.csv",
        "Ticket,Created,Assignment group,opened\nT1,2026-01-01,Desk,x\nT1,2026-01-02,Apps,y\n",
    )
    result = runner.invoke(
        app, ["import", "events", str(log), "-o", str(tmp_path / "out"), "--team", "opened"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "note: columns found by name: case 'Ticket', time 'Created' (name others with --case, "
        "--time, --team, --activity)"
    ) in result.output


def test_graph_says_on_stderr_what_it_does_not_show_of_the_log(tmp_path: Path) -> None:
    org = _write(tmp_path / "org.yaml", DESK_ORG)
    log = _write(tmp_path / "log.csv", DESK_LOG)
    result = runner.invoke(app, ["graph", str(org), "--events", str(log), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert (
        "icmap: not shown: 1 of the log's 4 cases, which end outside the hand-offs the org "
        "declares and 1 hand-off between teams in 1 pair the org does not declare; "
        "icmap check --events lists the drift"
    ) in result.stderr


# --- left-overs: one team written two ways ----------------------------------------------------


def test_a_team_written_two_ways_is_warned(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "log.csv",
        "case,time,team\nA,2026-01-01,Service Desk\nA,2026-01-02,Apps\n"
        "B,2026-01-03,service  desk\nB,2026-01-04,Apps\n",
    )
    result = runner.invoke(app, ["import", "events", str(log), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (
        f"{log}:4:1: warning: the log's team 'service  desk' is 'Service Desk' written otherwise"
    ) in result.output
    assert "[IC628]" in result.output


def test_a_column_named_twice_is_warned(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "log.csv", "case,time,team,team\nA,2026-01-01,Desk,X\nA,2026-01-02,Apps,Y\n"
    )
    result = runner.invoke(app, ["import", "events", str(log), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (
        f"{log}:1:1: warning: the header names the column 'team' twice: the first is read as "
        "'team', the second as 'team_1'"
    ) in result.output


def test_a_quote_left_open_is_warned(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "log.csv",
        'case,time,team\nA,2026-01-01,Desk\nA,2026-01-02,"Apps\nB,2026-01-03,Desk\n'
        "B,2026-01-04,Apps\n",
    )
    result = runner.invoke(app, ["import", "events", str(log), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert f"{log}:3:1: warning: the log's team '\"Apps' starts with a quote that never closes" in (
        result.output
    )


def test_check_fails_when_the_log_has_no_event_to_compare(tmp_path: Path) -> None:
    org = _write(tmp_path / "org.yaml", SEMI_ORG)
    log = _write(tmp_path / "log.csv", "case,time,team\nA,noon,Desk\nA,one,Apps\n")
    result = runner.invoke(app, ["check", str(org), "--events", str(log)])
    assert result.exit_code == 1
    assert f"{log}:1:1: error: the log has no event to compare" in result.output


def test_the_summary_counts_the_pairs_min_handoffs_left_out(tmp_path: Path) -> None:
    tickets = Path(__file__).parent.parent / "import-examples" / "tickets.csv"
    out = str(tmp_path / "org")
    result = runner.invoke(
        app, ["import", "events", str(tickets), "--min-handoffs", "5", "-o", out, "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    as_json = runner.invoke(
        app,
        [
            "import",
            "events",
            str(tickets),
            "--min-handoffs",
            "5",
            "-o",
            out,
            "--dry-run",
            "-f",
            "json",
        ],
    )
    dropped = json.loads(as_json.stdout)["counts"]["pairs left out by --min-handoffs/--min-share"]
    assert dropped > 0
    assert (
        f"  pairs of teams left out: {dropped:,} (fewer hand-offs than --min-handoffs"
        in result.stderr
    )
