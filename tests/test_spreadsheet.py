"""Tables typed by people: every export quirk is read as meant or refused with a position."""

from __future__ import annotations

from pathlib import Path

import pytest

from icmap.loader.reader import InvalidValueError
from icmap.loader.spreadsheet import parse_decimal, parse_duration, read_table

COLUMNS = {"provider": ("from",), "receiver": ("to",), "what": (), "score": ("rating",)}


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "table.csv"
    path.write_bytes(data)
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    table = read_table(path, "table.csv", COLUMNS, required=("provider", "receiver"))
    assert table.diagnostics == []
    return [{name: cell.text for name, cell in row.cells.items()} for row in table.rows]


@pytest.mark.parametrize(
    "data",
    [
        b"provider,receiver,what,score\na,b,Plates,4.5\n",
        b"\xef\xbb\xbfProvider,Receiver,What,Score\r\na,b,Plates,4.5\r\n",
        b"sep=;\r\nPROVIDER;receiver;what;score\r\n a ; b ;Plates;4,5\r\n",
        b"From\tTo\tWhat\tRating\na\tb\tPlates\t4.5\n",
        "provider,receiver,what,score\na,b,Plates,4.5\n".encode("utf-16"),
        b"\n\nprovider , receiver,what,score\n\na,b,Plates,4.5\n,,,\n",
    ],
    ids=["plain", "bom-crlf", "excel-semicolon", "tabs-aliases", "utf16", "blank-lines"],
)
def test_exports_read_the_same(tmp_path: Path, data: bytes) -> None:
    rows = _rows(_write(tmp_path, data))
    assert len(rows) == 1
    assert rows[0]["provider"] == "a" and rows[0]["receiver"] == "b"
    assert parse_decimal(rows[0]["score"]) == 4.5


def test_positions_are_line_and_spreadsheet_column(tmp_path: Path) -> None:
    path = _write(tmp_path, b'provider,receiver,what\na,b,"two\nlines"\nc,d,e\n')
    table = read_table(path, "t.csv", COLUMNS)
    assert [(row.line, row.cells["what"].col) for row in table.rows] == [(2, 3), (4, 3)]


def test_every_header_problem_at_once(tmp_path: Path) -> None:
    path = _write(tmp_path, b"provder,what,what,notes\na,b,c,d,e\n")
    table = read_table(path, "t.csv", COLUMNS, required=("provider", "receiver"))
    shown = [d.format() for d in table.diagnostics]
    assert any(
        "t.csv:1:1:" in s and "unknown column 'provder'" in s and "'provider'" in s for s in shown
    )
    assert any("t.csv:1:3:" in s and "repeats column B" in s for s in shown)
    assert any("no 'receiver' column" in s for s in shown)
    assert not any("no 'provider' column" in s for s in shown)  # said once, as a misspelling
    assert any("t.csv:2:5:" in s and "column E has no header" in s for s in shown)
    assert table.ignored == ("notes",)


def test_not_utf8_is_refused_with_its_position(tmp_path: Path) -> None:
    path = _write(tmp_path, "provider,receiver\nCaf\u00e9,b\n".encode("cp1252"))
    (problem,) = read_table(path, "t.csv", COLUMNS).diagnostics
    assert (problem.line, problem.col, problem.code) == (2, 4, "IC001")
    assert "UTF-8" in (problem.hint or "")


def test_binary_and_missing_files_are_refused(tmp_path: Path) -> None:
    binary = _write(tmp_path, b"provider,receiver\na\x00,b\n")
    assert [d.code for d in read_table(binary, "t.csv", COLUMNS).diagnostics] == ["IC001"]
    missing = read_table(tmp_path / "nope.csv", "nope.csv", COLUMNS)
    assert [d.code for d in missing.diagnostics] == ["IC001"]


def test_unterminated_quote_is_a_syntax_error(tmp_path: Path) -> None:
    path = _write(tmp_path, b'provider,receiver\n"a,b\n')
    assert [d.code for d in read_table(path, "t.csv", COLUMNS).diagnostics] == ["IC002"]


@pytest.mark.parametrize("text", ["1,000", "4.5.1", "four", "", "1e3", "nan"])
def test_numbers_never_misread(text: str) -> None:
    with pytest.raises(InvalidValueError):
        parse_decimal(text)


def test_durations_accept_decimal_commas() -> None:
    assert parse_duration(" 1,5 d").hours == 36.0
    assert parse_duration("4h").hours == 4.0
    with pytest.raises(InvalidValueError):
        parse_duration("1,5")


def test_extra_columns_people_add_are_kept_out_of_the_way(tmp_path: Path) -> None:
    # A Google Forms export starts with 'Timestamp'; people add 'Comment 2' or 'Notes'. Close
    # to a column the table has, such a header is the table's own; close to one it lacks, it
    # is probably that column misspelt, and its cells would go unread.
    path = _write(tmp_path, b"Timestamp,provider,receiver,what,Score,Scores\n1,a,b,c,4,5\n")
    table = read_table(path, "t.csv", COLUMNS, required=("provider", "receiver"))
    assert table.diagnostics == [] and table.ignored == ("Timestamp", "Scores")
    path = _write(tmp_path, b"provider,receiver,what,Scor\na,b,c,4\n")
    [problem] = read_table(path, "t.csv", COLUMNS).diagnostics
    assert problem.format().startswith("t.csv:1:4: error: unknown column 'Scor'")
    assert "did you mean 'score'?" in problem.format()
    path = _write(tmp_path, b"provider,receiver,score,rating\na,b,4,5\n")
    [problem] = read_table(path, "t.csv", COLUMNS).diagnostics
    assert (
        "t.csv:1:4: error: column 'rating' repeats column C ('score': both are read as score)"
        in (problem.format())
    )


def test_a_decimal_comma_that_split_a_cell_is_refused(tmp_path: Path) -> None:
    # '4,5' unquoted in a comma-separated file: 'score' reads 4 and every cell after it moves
    # one column right; only the row's length shows it when the last cell is blank.
    path = _write(tmp_path, b"provider,receiver,score,what\r\na,b,4,5,\r\nc,d,3,x\r\n")
    [problem] = read_table(path, "t.csv", COLUMNS).diagnostics
    assert problem.format().startswith(
        "t.csv:2:5: error: the row has 5 cells but the header 4: a cell is split [IC004]"
    )
    assert '"4,5"' in (problem.hint or "")


def test_a_workbook_saved_under_a_csv_name_is_named_as_such(tmp_path: Path) -> None:
    for magic in (b"PK\x03\x04\x14\x00\x06\x00", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        path = _write(tmp_path, magic + b"\x00" * 40)
        [problem] = read_table(path, "t.csv", COLUMNS).diagnostics
        assert problem.format().startswith("t.csv:1:1: error: not a CSV file: ")
        assert "workbook" in problem.message and "CSV UTF-8" in (problem.hint or "")
