"""What a new user's review of measured flow (event logs) found: each test reads a small log
written here and asserts on what the user sees: the exit code, the message and its
``file:line:col``, the measured numbers."""

from __future__ import annotations

from pathlib import Path

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
