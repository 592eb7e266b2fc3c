"""What the importers keep while reading big sources (issue 28, item 6): hand-offs built as
rows are read, tags looked for only in files that have one, and JSON links written one at a
time, each giving what it gave when everything was held at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import write
from icmap.analysis.picture import whole_org
from icmap.cli import app
from icmap.graph import build_graph
from icmap.importers import read_source
from icmap.render.json_text import Pieces
from icmap.render.picture import node_link

TABLE = """\
provider,receiver,what,lead_time,stream
Kitchen,Waiters,Dishes,2h,
Kitchen,Waiters,dishes,3h,
Waiters,Diners,Service,1h,Dinner
Kitchen,Waiters,Dishes ,4h,
Kitchen,Waiters,Cutlery,,Dinner
Bar,Waiters,Drinks,,
Bar,Waiters,Drinks,,
"""


def test_repeats_before_and_after_a_stream_row_are_reported_at_their_lines(
    tmp_path: Path,
) -> None:
    table = write(tmp_path, "h.csv", TABLE)
    result = read_source("csv", [table])
    repeats = [(d.line, d.message) for d in result.diagnostics if d.code == "IC610"]
    assert repeats == [
        (
            3,
            "this hand-off repeats the row at line 2 but gives lead_time 3h (not 2h): not read, line 2 kept",
        ),
        (
            5,
            "this hand-off repeats the row at line 2 but gives lead_time 4h (not 2h): not read, line 2 kept",
        ),
        (8, "this hand-off repeats the row at line 7"),
    ]
    assert result.org is not None
    kept = {(r.provider, r.receiver, r.what): r for r in result.org.relations}
    assert sorted(kept) == [
        ("bar", "waiters", "Drinks"),
        ("kitchen", "waiters", "Cutlery"),
        ("kitchen", "waiters", "Dishes"),
        ("waiters", "diners", "Service"),
    ]
    # The first row's values win; the stream is kept on the rows that lead on to its customer.
    assert str(kept["kitchen", "waiters", "Dishes"].lead_time) == "2h"
    assert kept["kitchen", "waiters", "Cutlery"].streams == ("dinner",)
    assert kept["waiters", "diners", "Service"].streams == ("dinner",)
    # Why each hand-off exists, as the summary and the written files give it.
    why = result.provenance[("kitchen", "waiters", "Cutlery")]
    assert [(p.text, p.pos.line, p.pos.col) for p in why] == [(f"row 6 of {table}", 6, 3)]
    assert len(result.provenance) == 4
    assert result.provenance.get(("kitchen", "waiters", "nothing")) is None


def test_the_same_ids_are_one_string_however_many_rows_name_them(tmp_path: Path) -> None:
    rows = "".join(f"Team {n % 3},Customer,thing {n}\n" for n in range(30))
    result = read_source("csv", [write(tmp_path, "h.csv", "provider,receiver,what\n" + rows)])
    assert result.org is not None
    providers = [r.provider for r in result.org.relations if r.provider == "team-1"]
    assert len(providers) == 10
    assert len({id(p) for p in providers}) == 1


ENTITY = (
    "---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {{name: g{n}}}\n"
    "spec: {{type: team}}\n"
)


def test_a_tag_in_a_late_document_is_still_reported_where_it_is(tmp_path: Path) -> None:
    documents = "".join(ENTITY.format(n=n) for n in range(5))
    documents += "---\napiVersion: backstage.io/v1alpha1\nkind: Group\n"
    documents += "metadata: {name: g9, description: !vault secret}\nspec: {type: team}\n"
    tagged = read_source("backstage", [write(tmp_path, "tagged.yaml", documents)])
    found = [(d.line, d.col) for d in tagged.diagnostics if d.code == "IC003"]
    assert found == [(29, 35)]
    plain = read_source(
        "backstage", [write(tmp_path, "plain.yaml", documents.replace("!vault ", ""))]
    )
    assert not [d for d in plain.diagnostics if d.code == "IC003"]


def test_json_nodes_and_links_written_one_at_a_time_read_as_the_whole_data(tmp_path: Path) -> None:
    table = write(tmp_path, "h.csv", TABLE)
    result = read_source("csv", [table])
    assert result.org is not None
    picture = whole_org(build_graph(result.org))
    whole = json.dumps(node_link.node_link_data(picture), indent=2, ensure_ascii=False) + "\n"
    assert node_link.render(picture) == whole
    done = CliRunner().invoke(app, ["graph", "--from", "csv", str(table), "-f", "json"])
    assert done.exit_code == 0, done.stderr
    assert done.stdout == whole
    assert json.loads(done.stdout)["links"][0]["relations"][0]["provenance"][0]["line"] == 7


def test_json_written_in_pieces_is_the_same_bytes_to_stdout_and_to_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pieces of a few characters: the safe step (bidi characters as \u escapes) and the
    # UTF-8 encoding meet piece boundaries everywhere.
    monkeypatch.setattr(Pieces, "SIZE", 7)
    table = write(tmp_path, "h.csv", TABLE.replace("Drinks", "Dr\u202eïnks"))
    result = read_source("csv", [table])
    assert result.org is not None
    whole = node_link.render(whole_org(build_graph(result.org))).replace("\u202e", "\\u202e")
    done = CliRunner().invoke(app, ["graph", "--from", "csv", str(table), "-f", "json"])
    assert done.exit_code == 0, done.stderr
    assert done.stdout_bytes == whole.encode("utf-8")
    assert "Dr\\u202eïnks" in done.stdout
    target = tmp_path / "g.json"
    done = CliRunner().invoke(app, ["graph", "--from", "csv", str(table), "-o", str(target)])
    assert done.exit_code == 0, done.stderr
    assert target.read_bytes() == whole.encode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.json", "h.csv"]  # no temporary


def test_json_written_in_pieces_onto_a_full_disk_fails(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    table = write(tmp_path, "h.csv", TABLE)
    done = CliRunner().invoke(
        app, ["graph", "--from", "csv", str(table), "-f", "json", "-o", "/dev/full"]
    )
    assert done.exit_code == 2
    assert "cannot write /dev/full: No space left on device" in done.stderr


def test_a_hand_off_merged_from_a_cell_with_control_characters_keeps_both_rows(
    tmp_path: Path,
) -> None:
    # The builder keys "Dish\x01es" as "Dishes"; the table's repeat check does not: the rows
    # merge into one hand-off with both reasons, and each later repeat names its own row.
    table = write(
        tmp_path,
        "h.csv",
        "provider,receiver,what,lead_time\n"
        'Kitchen,Waiters,"Dish\x01es",2h\nKitchen,Waiters,Dishes,3h\n'
        'Kitchen,Waiters,dishes,\nKitchen,Waiters,"Dish\x01es",5h\n'
        'Bar,Diners,Drinks,1h\nBar,Waiters," Beer ",1h\nBar,Waiters,beer,2h\n',
    )
    result = read_source("csv", [table])
    repeats = [(d.line, d.message) for d in result.diagnostics if d.code == "IC610"]
    assert repeats == [
        (4, "this hand-off repeats the row at line 3"),
        (5, "this hand-off repeats the row at line 2"),
        (
            8,
            "this hand-off repeats the row at line 7 but gives lead_time 2h (not 1h): not read, line 7 kept",
        ),
    ]
    org = tmp_path / "org"
    done = CliRunner().invoke(app, ["import", "csv", str(table), "-o", str(org)])
    assert done.exit_code == 0, done.stderr
    assert (org / "teams" / "kitchen.yaml").read_text(encoding="utf-8") == (
        "teams:\n  kitchen:\n    name: Kitchen\n    provides:\n"
        f"      # row 2 of {table} ({table}:2:3)\n      # row 3 of {table} ({table}:3:3)\n"
        "      - what: Dishes\n        to: waiters\n        lead_time: 2h\n"
    )


def _record_table(tmp_path: Path, rows: int) -> Path:
    receivers = ["diners" if n % 5 == 4 else f"t{(n + 1) % 7}" for n in range(rows)]
    lines = [f"t{n % 7},{receiver},thing {n}" for n, receiver in enumerate(receivers)]
    return write(tmp_path, "h.csv", "provider,receiver,what\n" + "\n".join(lines) + "\n")


def _import(table: Path, org: Path) -> tuple[int, str]:
    done = CliRunner().invoke(app, ["import", "csv", str(table), "-o", str(org)])
    return done.exit_code, done.stderr


def test_org_yaml_written_in_pieces_is_the_same_bytes_as_written_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from icmap.importers import writer

    table = _record_table(tmp_path, 40)
    monkeypatch.setattr(writer, "RECORD_CHUNK", 6)  # the record as lists of lists, too
    assert _import(table, tmp_path / "whole")[0] == 0
    monkeypatch.setattr(writer, "_PIECE_LINES", 3)
    assert _import(table, tmp_path / "pieces")[0] == 0
    whole = (tmp_path / "whole" / "org.yaml").read_bytes()
    assert (tmp_path / "pieces" / "org.yaml").read_bytes() == whole
    assert whole.count(b"\n    - - [") == 7 and b'  - ["t0", "t1", "thing 0"]' in whole


def test_org_yaml_found_too_large_in_a_later_piece_is_not_written_and_its_size_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import icmap.loader.source
    from icmap.importers import writer

    table = _record_table(tmp_path, 40)
    assert _import(table, tmp_path / "sized")[0] == 0
    size = (tmp_path / "sized" / "org.yaml").stat().st_size
    monkeypatch.setattr(writer, "_PIECE_LINES", 3)
    monkeypatch.setattr(icmap.loader.source, "MAX_FILE_BYTES", size - 50)
    org = tmp_path / "org"
    code, err = _import(table, org)
    assert code == 2
    assert f"not written: org.yaml would be {size:,} bytes, more than the {size - 50:,}" in err
    assert not org.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".org.")] == []


def test_a_row_origin_reads_and_compares_as_the_text_it_stands_for() -> None:
    import pickle

    from icmap.model import Origin, RowOrigin, SourcePos

    pos = SourcePos("h.csv", 12, 3)
    row = RowOrigin(pos)
    said = Origin("row 12 of h.csv", pos)
    assert row.why == "row 12 of h.csv" and row.pos is pos
    assert row == said and said == row and hash(row) == hash(said)
    assert row != Origin("row 13 of h.csv", pos)
    assert pickle.loads(pickle.dumps(row)) == row


def test_a_repeated_row_giving_a_yes_says_yes_and_no(tmp_path: Path) -> None:
    table = write(
        tmp_path,
        "h.csv",
        "provider,receiver,what,feedback\nKitchen,Waiters,Plates,\nKitchen,Waiters,Plates,yes\n",
    )
    result = read_source("csv", [table])
    assert [d.message for d in result.diagnostics if d.code == "IC610"] == [
        "this hand-off repeats the row at line 2 but gives feedback yes (not no): not read, "
        "line 2 kept"
    ]
