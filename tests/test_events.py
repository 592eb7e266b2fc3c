"""Event logs: finding the columns, reading rows (and the ones that cannot be read), the
measured internal-customer graph, and ``icmap import events`` / ``--from events``.

The two real logs are public process-mining data (see ../shared/data/README.md): the receipt
phase of an environmental permit in a Dutch municipality (4TU.ResearchData,
doi:10.4121/uuid:a07386a5-7be3-4367-9535-70bc9e77dbe6) and an Italian help desk (Mendeley
Data, doi:10.17632/39bp3vv62t.1). Their numbers are checked against a computation written
here in plain Python, separately from icmap's SQL.
"""

from __future__ import annotations

import csv
import gzip
import json
import statistics
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from icmap.cli import app
from icmap.errors import UsageError
from icmap.eventlog import EventLogOptions
from icmap.eventlog.columns import choose
from icmap.importers.events import read_event_logs
from icmap.loader import load

LOGS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "eventlogs"
RECEIPT = LOGS / "receipt.csv"
HELPDESK = LOGS / "helpdesk.xes.gz"
needs_logs = pytest.mark.skipif(
    not RECEIPT.exists(), reason="../shared/data is not beside the repository"
)


# --- an independent computation -----------------------------------------------------------


def _quantile(values: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (as numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _by_hand(events: list[tuple[str, datetime, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Stays and hand-offs of ``(case, time, team)`` events in file order, per pair."""
    cases: dict[str, list[tuple[datetime, int, str]]] = defaultdict(list)
    for order, (case, when, team) in enumerate(events):
        cases[case].append((when, order, team))
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for case, rows in cases.items():
        rows.sort()
        stays: list[tuple[str, datetime]] = []
        for when, _, team in rows:
            if not stays or stays[-1][0] != team:
                stays.append((team, when))
        for k in range(len(stays) - 1):
            (provider, started), (receiver, taken) = stays[k], stays[k + 1]
            found = pairs.setdefault((provider, receiver), {"waits": [], "cases": set(), "back": 0})
            found["waits"].append((taken - started).total_seconds() / 3600)
            found["cases"].add(case)
            if k + 2 < len(stays) and stays[k + 2][0] == provider:
                found["back"] += 1
    return pairs


def _check_against(result_org: Any, truth: dict[tuple[str, str], dict[str, Any]]) -> None:
    measured = {
        (r.provider, r.receiver): r.measured
        for r in result_org.relations
        if r.receiver in result_org.teams
    }
    assert set(measured) == set(truth)
    for pair, found in truth.items():
        got = measured[pair]
        assert got is not None
        assert got.handoffs == len(found["waits"]), pair
        assert got.cases == len(found["cases"]), pair
        assert got.median is not None and got.p85 is not None
        assert got.median.hours == pytest.approx(statistics.median(found["waits"]), abs=1e-5)
        assert got.p85.hours == pytest.approx(_quantile(found["waits"], 0.85), abs=1e-5)
        assert got.return_rate == pytest.approx(found["back"] / len(found["waits"]), abs=1e-6)


@needs_logs
def test_the_permit_log_matches_a_computation_by_hand() -> None:
    with RECEIPT.open(encoding="utf-8", newline="") as file:
        events = [
            (
                row["case:concept:name"],
                datetime.fromisoformat(row["time:timestamp"]),
                row["org:group"],
            )
            for row in csv.DictReader(file)
        ]
    result = read_event_logs([RECEIPT])
    assert result.org is not None and result.diagnostics == []
    assert result.counts["events read"] == 8577 and result.counts["cases"] == 1434
    _check_against(result.org, _by_hand(events))


@needs_logs
def test_the_help_desk_log_matches_a_computation_by_hand() -> None:
    ns = "{http://www.xes-standard.org/}"
    events = []
    with gzip.open(HELPDESK) as file:
        for trace in ET.parse(file).getroot().iter(f"{ns}trace"):
            case = next(a.get("value") for a in trace if a.get("key") == "concept:name")
            for event in trace.iter(f"{ns}event"):
                values = {a.get("key"): a.get("value") for a in event}
                when = datetime.fromisoformat(str(values["time:timestamp"]))
                events.append((str(case), when, str(values["workgroup"])))
    result = read_event_logs([HELPDESK])
    assert result.org is not None
    assert result.counts["events read"] == 21348 and result.counts["cases"] == 4580
    _check_against(result.org, _by_hand(events))


@needs_logs
def test_cases_end_with_the_customer_the_log_is_named_after() -> None:
    result = read_event_logs([RECEIPT], EventLogOptions(customer="Applicants"))
    assert result.org is not None
    assert list(result.org.customers) == ["Applicants"]
    ends = {r.provider: r.measured for r in result.org.relations if r.receiver == "Applicants"}
    assert sum(m.cases for m in ends.values() if m) == 1434


# --- columns ------------------------------------------------------------------------------


def test_columns_are_found_by_their_standard_and_common_names() -> None:
    columns = choose(["Case ID", "Time:Timestamp", "org:resource", "Assignment Group"], {}, "x")
    assert (columns.case, columns.time, columns.team) == (
        "Case ID",
        "Time:Timestamp",
        "Assignment Group",
    )
    people = choose(["case", "timestamp", "org:resource"], {}, "x")
    assert people.team == "org:resource" and people.people


def test_a_misspelt_column_gets_a_did_you_mean() -> None:
    with pytest.raises(
        UsageError, match=r"no column 'workgrup' for --team; did you mean 'workgroup'\?"
    ):
        choose(["case", "time", "workgroup"], {"team": "workgrup"}, "log.csv")
    with pytest.raises(UsageError, match=r"no team column found among 'ticket', 'when'"):
        choose(["ticket", "when"], {"time": "when"}, "log.csv")
    # Every column option that names no column, at once.
    with pytest.raises(UsageError) as raised:
        choose(["cse", "teem", "tmestamp"], {"case": "cas", "team": "tem"}, "log.csv")
    assert raised.value.messages == (
        "log.csv:1:1: no column 'cas' for --case; did you mean 'cse'?",
        "log.csv:1:1: no column 'tem' for --team; did you mean 'teem'?",
        "log.csv:1:1: no time column found among 'cse', 'teem', 'tmestamp'; name it with "
        "--time COLUMN ('tmestamp' may be the time column: --time tmestamp)",
    )
    # An option naming no column and a role found by no name: both at once.
    with pytest.raises(UsageError) as raised:
        choose(["id", "when", "who"], {"case": "id", "team": "whoo"}, "log.csv")
    assert [m.split(";")[0] for m in raised.value.messages] == [
        "log.csv:1:1: no column 'whoo' for --team",
        "log.csv:1:1: no time column found among 'id', 'when', 'who'",
    ]
    # A column found by no name icmap knows, but close to one: said.
    with pytest.raises(UsageError) as raised:
        choose(["case_id", "teem", "timestamp"], {}, "log.csv")
    assert str(raised.value).endswith(
        "name it with --team COLUMN ('teem' may be the team column: --team teem)"
    )


# --- rows that cannot be read ---------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_unreadable_rows_are_findings_with_their_lines_and_the_rest_is_read(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "tickets.csv",
        "\ufeffticket;assignment_group;created\n"
        "T1;Intake;2026-03-01 09:00\n"
        "T1;Review;2026-03-01T11:00:00+00:00\n"
        ";Review;2026-03-01 12:00\n"
        "T2;Intake;yesterday\n"
        "T2;;2026-03-02 10:00\n"
        "T2;Intake;02.03.2026 09:00\n"
        "T2;Review;2026/03/02 13:30\n",
    )
    result = read_event_logs([log])
    assert result.org is not None
    messages = [d.format() for d in result.diagnostics]
    assert any(
        m.startswith(f"{log}:4:1: warning: event left out: no case [IC620]") for m in messages
    )
    assert any(
        m.startswith(f"{log}:5:1: warning: event left out: time 'yesterday' is not a timestamp")
        for m in messages
    )
    assert any(
        m.startswith(f"{log}:6:1: warning: event left out: no team [IC620]") for m in messages
    )
    [relation] = [r for r in result.org.relations if r.receiver == "Review"]
    assert relation.measured is not None
    assert (relation.measured.handoffs, relation.measured.cases) == (2, 2)
    assert relation.measured.median is not None and relation.measured.median.hours == 3.25


def test_events_left_out_past_the_listed_ones_are_counted_in_the_summary(tmp_path: Path) -> None:
    """250 events with no team: 100 listed, the rest one line after them, and every one of
    them counted where the summary counts problems (it said 101)."""
    rows = ["case,time,team", "C0,2026-03-01 08:00,Intake", "C0,2026-03-01 09:00,Review"]
    rows += [f"C{i},2026-03-01 10:00," for i in range(1, 251)]
    log = _write(tmp_path / "log.csv", "\n".join(rows) + "\n")
    result = CliRunner().invoke(
        app, ["import", "events", str(log), "-o", str(tmp_path / "out"), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    more = [i for i, line in enumerate(lines) if "…and 150 more events left out" in line]
    listed = [i for i, line in enumerate(lines) if "warning: event left out: no team" in line]
    assert len(more) == 1 and len(listed) == 100 and more[0] > max(listed)
    assert "250 problems in the source" in result.output
    assert "problems: 250 unreadable-event" in result.output


def test_events_at_the_same_time_keep_their_file_order(tmp_path: Path) -> None:
    log = _write(
        tmp_path / "log.csv",
        "case,time,team\nC,2026-01-01T10:00,B\nC,2026-01-01T10:00,A\nC,2026-01-01T12:00,B\n",
    )
    result = read_event_logs([log])
    assert result.org is not None
    pairs = {(r.provider, r.receiver): r.measured for r in result.org.relations}
    assert set(pairs) == {("B", "A"), ("A", "B"), ("B", "log")}
    back = pairs["B", "A"]
    assert back is not None and back.return_rate == 1.0


def test_json_lines_and_parquet_read_as_csv_does(tmp_path: Path) -> None:
    import duckdb

    rows = [
        {"case": "C1", "time": "2026-01-01T08:00:00Z", "team": "Intake"},
        {"case": "C1", "time": "2026-01-01T10:00:00Z", "team": "Review"},
        {"case": "C2", "time": "2026-01-02T08:00:00Z", "team": "Intake"},
        {"case": "C2", "time": "2026-01-02T12:00:00Z", "team": "Review"},
    ]
    jsonl = _write(tmp_path / "log.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    parquet = tmp_path / "log.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT * FROM read_json('{jsonl}', format = 'newline_delimited')) TO '{parquet}'"
    )
    for path in (jsonl, parquet):
        result = read_event_logs([path])
        assert result.org is not None
        [relation] = [r for r in result.org.relations if r.receiver == "Review"]
        assert relation.measured is not None and relation.measured.median is not None
        assert relation.measured.median.hours == 3.0, path


# --- the command line -----------------------------------------------------------------------


@needs_logs
def test_import_events_writes_an_org_that_loads_with_its_measurements(tmp_path: Path) -> None:
    target = tmp_path / "org"
    result = CliRunner().invoke(
        app, ["import", "events", str(HELPDESK), "-o", str(target), "--customer", "Help desk users"]
    )
    assert result.exit_code == 0, result.output
    org = load(target)
    assert list(org.customers) == ["Help desk users"]
    assert set(org.teams) == {"Value 1", "Value 2", "Value 3", "Value 4"}
    measured = [r.measured for r in org.relations]
    assert all(m is not None and m.handoffs >= 1 for m in measured)
    again = read_event_logs([HELPDESK], EventLogOptions(customer="Help desk users"))
    assert again.org is not None
    assert {(r.provider, r.receiver) for r in again.org.relations} == {
        (r.provider, r.receiver) for r in org.relations
    }


@needs_logs
def test_report_from_events_needs_nothing_written(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--from", "events", str(RECEIPT), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["counts"]["customers"] == 1
    assert {"team": "Group 1", "customers": ["receipt"]} in data["front_line"]


def test_event_options_belong_to_event_logs(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["import", "csv", str(tmp_path / "x.csv"), "-o", str(tmp_path / "o"), "--team", "g"]
    )
    assert result.exit_code == 2
    assert "--team is for event logs: use it with 'import events'" in result.stderr


def test_a_misspelt_team_column_is_a_usage_error(tmp_path: Path) -> None:
    log = _write(tmp_path / "log.csv", "case,time,workgroup\nC,2026-01-01T10:00,A\n")
    result = CliRunner().invoke(
        app, ["import", "events", str(log), "-o", str(tmp_path / "o"), "--team", "workgrop"]
    )
    assert result.exit_code == 2
    assert "no column 'workgrop' for --team; did you mean 'workgroup'?" in result.stderr


def test_an_import_of_lead_times_of_centuries_loads_back(tmp_path: Path) -> None:
    # 9999-12-31 is a common "no end" placeholder: the lead time it makes is absurd, but the
    # org icmap writes must load (it was written 1.47923e+06d, which no duration reads as).
    log = tmp_path / "huge.csv"
    log.write_text(
        "case_id,team,timestamp\nX1,A,1900-01-01T00:00:00Z\nX1,B,9999-12-31T23:59:59Z\n"
        "X2,A,2026-01-01T00:00:00Z\nX2,B,2026-01-01T00:00:01Z\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    done = runner.invoke(
        app, ["import", "events", str(log), "-o", str(tmp_path / "org"), "--customer", "U"]
    )
    assert done.exit_code == 0, done.stderr
    written = (tmp_path / "org" / "teams" / "A.yaml").read_text(encoding="utf-8")
    assert "e+" not in written
    report = runner.invoke(app, ["report", str(tmp_path / "org"), "-f", "json"])
    assert report.exit_code == 0, report.stderr
    [path] = json.loads(report.stdout)["critical_paths"]
    assert path["lead_time_hours"] > 1_000_000 * 24
