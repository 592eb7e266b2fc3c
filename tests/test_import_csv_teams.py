"""The spreadsheet's team columns (``type``, ``group``), its ``stream`` column, and rows that
list a team without a hand-off."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from conftest import write
from icmap.cli import app
from icmap.importers import read_source
from icmap.loader import load

TABLE = """\
provider,receiver,what,type,group,stream
Kitchen,Waiters,Dishes,stream-aligned,Floor,Dinner
Waiters,Diners,Service,Stream Aligned,Floor,Dinner
Laundry,,,platform,Back office,
Kitchen,Waiters,Cutlery,platform,,
"""


def run(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, list(args))
    return done.exit_code, done.stdout, done.stderr


def test_type_group_and_stream_columns_and_a_team_without_hand_offs(tmp_path: Path) -> None:
    table = write(tmp_path, "handoffs.csv", TABLE)
    out = tmp_path / "org"
    code, _, err = run("import", "csv", str(table), "-o", str(out))
    assert code == 0, err
    # The first row to give a team's type wins; a different one later is reported there.
    assert (
        f"{table}:5:4: warning: type 'platform' for 'Kitchen': row 2 says 'stream-aligned'; "
        "kept the first [IC618]"
    ) in err
    assert "  teams: 3\n" in err
    assert (
        "  teams without hand-offs: 1 (icmap check reports each: its work reaches no customer): "
        "laundry\n"
    ) in err
    org = load(out)
    assert {t.id: (t.type, t.group) for t in org.teams.values()} == {
        "kitchen": ("stream-aligned", "Floor"),
        "waiters": ("stream-aligned", "Floor"),
        "laundry": ("platform", "Back office"),
    }
    assert sorted(org.customers) == ["diners"]
    assert list(org.streams) == ["dinner"]
    assert org.streams["dinner"].customer == "diners"
    assert not any("laundry" in (r.provider, r.receiver) for r in org.relations)
    # Listed, the laundry is a team the checks can see: cut off from the customers.
    code, out_text, _ = run("check", str(out))
    assert code == 1
    assert "team 'laundry' provides nothing and receives nothing [IC302" in out_text


def test_a_listed_team_is_never_taken_for_an_external_customer(tmp_path: Path) -> None:
    # The pass receives and provides nothing in the table: without its own row it would be
    # taken for an external customer.
    table = write(
        tmp_path,
        "h2.csv",
        "provider,receiver,what\nKitchen,Pass,Dishes\nKitchen,Diners,Plates\nPass,,\n",
    )
    result = read_source("csv", [table])
    assert result.org is not None
    assert sorted(result.org.customers) == ["diners"]
    assert "pass" in result.org.teams


def test_team_rows_say_what_they_cannot_hold_and_bad_types_are_errors(tmp_path: Path) -> None:
    table = write(
        tmp_path,
        "h.csv",
        "provider,receiver,what,type,lead_time,external\n"
        "Kitchen,Diners,Dishes,stream-aligned,1h,yes\n"
        "Laundry,,,platfrom,2h,\n"
        "Diners,,,,,\n",
    )
    code, _, err = run("import", "csv", str(table), "-o", str(tmp_path / "o"))
    assert code == 2
    assert (
        f"{table}:3:4: error: type 'platfrom' is not one of stream-aligned, platform, enabling, "
        "complicated-subsystem [IC007]"
    ) in err
    assert f"{table}:3:5: warning: lead_time '2h' in a row without a receiver: ignored" in err
    assert f"{table}:4:1: error: 'Diners' is listed as a team but marked external in row 2" in err
    assert not (tmp_path / "o").exists()


def test_a_conflicting_type_is_counted_as_such(tmp_path: Path) -> None:
    table = write(tmp_path, "handoffs.csv", TABLE)
    result = read_source("csv", [table])
    assert result.by_kind() == {"conflicting-value": 1}


def test_a_receiver_listed_as_a_team_is_why_there_is_no_customer(tmp_path: Path) -> None:
    table = write(
        tmp_path,
        "handoffs.csv",
        "provider,receiver,what,type,group\n"
        "Kitchen,Waiters,Dishes,,\n"
        "Waiters,Diners,Service,,\n"
        "Diners,,,,\n",
    )
    code, _, err = run("import", "csv", str(table), "-o", str(tmp_path / "org"))
    assert code == 2
    assert (
        f"{table}:4:1: error: no external customers: no row names one; 'Diners', the one "
        "receiver that provides nothing, is listed as a team in a row of its own (a team is "
        "never an external customer) [IC614]"
    ) in err
    assert "every receiver also provides" not in err


def test_a_row_with_only_a_type_is_one_error(tmp_path: Path) -> None:
    table = write(
        tmp_path,
        "handoffs.csv",
        "provider,receiver,what,type,group\nKitchen,Diners,Dishes,,\n,,,platform,\n",
    )
    code, _, err = run("import", "csv", str(table), "-o", str(tmp_path / "org"))
    assert code == 2
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert errors == [
        f"{table}:3:1: error: this row names no team: its provider, receiver and what are empty "
        "(it gives type 'platform') [IC007]"
    ]
