"""Tables people export from spreadsheets: CSV as Excel, LibreOffice and Google Sheets write it.

Survey answers and the CSV importer both read tables typed by people, so cells arrive as
people type them: a byte-order mark, Windows line ends, a semicolon-separated export from a
German Excel, ``4,5`` for four and a half, stray spaces, a ``sep=;`` first line. Each is read
as meant or refused with ``file:line:col`` (the column is the spreadsheet column, 1 for A),
never misread. Every problem in a table is reported at once, like the org loader does.

>>> table = read_table_text("Provider;Receiver;Score\\r\\n kitchen ; wait-staff ;4,5\\r\\n",
...                         "s.csv", {"provider": (), "receiver": (), "score": ()})
>>> table.delimiter, [(c.text, c.line, c.col) for c in table.rows[0].cells.values()]
(';', [('kitchen', 2, 1), ('wait-staff', 2, 2), ('4,5', 2, 3)])
>>> parse_decimal("4,5")
4.5
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from icmap.diagnostics import Diagnostic
from icmap.loader.reader import InvalidValueError, did_you_mean, parse_lead_time, parse_share
from icmap.loader.source import byte_position, read_regular
from icmap.model import Duration
from icmap.safe_text import clipped

#: The separators spreadsheet programs write: comma, semicolon (where the comma is the
#: decimal mark) and tab ("tab-separated values", Excel's "Unicode text").
DELIMITERS = (",", ";", "\t")
_DECIMAL = re.compile(r"^[+-]?(?:[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)$")
#: ``1,000`` is a thousand to some and one to others: refused rather than guessed.
_THOUSANDS = re.compile(r"^[+-]?[0-9]{1,3},[0-9]{3}$")
#: csv's own limit is 128 KiB a field; a cell longer than this is not something a person typed.
MAX_CELL_CHARS = 10_000
#: Rows of data read from one table: a million hand-offs or answers, far more than any
#: organisation has; past it the rest of the file is not read (IC009 at the first row left).
MAX_ROWS = 1_000_000


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell's text (spaces around it removed) and where it is: line, spreadsheet column."""

    text: str
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Row:
    """One row of data: its first line and its cells by canonical column name.

    Columns the table lacks are absent; a blank cell is present with empty text.
    """

    line: int
    cells: dict[str, Cell]

    def get(self, column: str) -> Cell | None:
        """The cell, or ``None`` when the column is missing or the cell is blank."""
        cell = self.cells.get(column)
        return cell if cell is not None and cell.text else None


@dataclass(frozen=True)
class Table:
    """A read table: its rows, the columns found (canonical name → spreadsheet column)."""

    file: str
    delimiter: str
    columns: dict[str, int]
    rows: list[Row]
    header_line: int
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: Columns the header has that icmap does not read, by their header text.
    ignored: tuple[str, ...] = ()


def column_letter(col: int) -> str:
    """The spreadsheet name of a 1-based column.

    >>> column_letter(1), column_letter(26), column_letter(28)
    ('A', 'Z', 'AB')
    """
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


#: Header cells a "no such column" message names: a header of 100,000 columns is not quoted whole.
_HEADERS_SHOWN = 12

#: Unknown header cells looked at for a misspelt column: a did-you-mean compares a cell with
#: every known name, and 100,000 unknown columns took 7.6 s of CPU doing so. A real sheet has
#: a few dozen columns; the cells past this many are ignored as any unknown column is.
_HEADERS_SPELL_CHECKED = 1000


def normalise_header(text: str) -> str:
    """A header as compared: lower case, runs of spaces, dashes and dots as one ``_``.

    >>> [normalise_header(h) for h in (" Lead Time ", "lead-time", "Lead_time")]
    ['lead_time', 'lead_time', 'lead_time']
    """
    return re.sub(r"[\s\-.]+", "_", text.strip().lower()).strip("_")


def parse_decimal(text: str) -> float:
    """A number as people type it in a spreadsheet: ``4``, ``4.5``, ``4,5`` (a decimal comma).

    >>> parse_decimal(" 3,75 "), parse_decimal("-2"), parse_decimal(",5")
    (3.75, -2.0, 0.5)
    >>> parse_decimal("1,000")
    Traceback (most recent call last):
    ...
    icmap.loader.reader.InvalidValueError: '1,000' could be a thousand or one
    >>> parse_decimal("4.5.1")
    Traceback (most recent call last):
    ...
    icmap.loader.reader.InvalidValueError: '4.5.1' is not a number
    """
    stripped = text.strip()
    if _THOUSANDS.match(stripped):
        raise InvalidValueError(
            f"{stripped!r} could be a thousand or one",
            "write the number without a thousands separator, e.g. 1000 or 1.0",
        )
    if not _DECIMAL.match(stripped):
        raise InvalidValueError(f"{_preview(stripped)!r} is not a number", "write e.g. 4 or 4.5")
    value = float(stripped.replace(",", "."))
    if not math.isfinite(value):  # pragma: no cover - the pattern admits only finite numbers
        raise InvalidValueError(f"{stripped!r} is not a finite number")
    return value


def parse_duration(text: str, what: str = "lead_time") -> Duration:
    """A lead time typed in a cell: as in org files (``4h``, ``2 days``), or with a decimal comma.

    ``what`` names the column in messages (a process time is written as a lead time is).

    >>> [parse_duration(cell).hours for cell in ("1,5d", "2 days", "90 Mins")]
    [36.0, 48.0, 1.5]
    """
    stripped = text.strip()
    match = re.match(r"^([+-]?[0-9]*,[0-9]+)\s*([A-Za-z]*)$", stripped)
    if match:
        stripped = f"{parse_decimal(match.group(1)):g}{match.group(2)}"
    return parse_lead_time(stripped, what)


def parse_percentage(text: str, what: str = "complete_accurate") -> float:
    """A %C&A typed in a cell: as in org files (``85%``, ``0.85``), or with a decimal comma.

    A bare number above 1 is a percentage, as the questionnaire's "(%)" heading asks.

    >>> [parse_percentage(cell) for cell in ("85%", "0,9", "87,5 %", " 1 ", "85")]
    [0.85, 0.9, 0.875, 1.0, 0.85]
    """
    stripped = text.strip()
    match = re.match(r"^([0-9]*,[0-9]+)\s*(%?)$", stripped)
    if match:
        stripped = f"{parse_decimal(match.group(1)):g}{match.group(2)}"
    # A cell under a "(%)" heading: 85 means 85%. A fraction is at most 1, so no doubt.
    whole = re.match(r"^[0-9]+(\.[0-9]+)?$", stripped)
    if whole and 1 < float(stripped) <= 100:
        stripped += "%"
    return parse_share(stripped, what)


def read_table(
    path: Path,
    display: str,
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str] = (),
) -> Table:
    """Read the CSV at ``path``; see :func:`read_table_text`. Unreadable files are diagnosed."""
    data, problem = read_regular(path, display)
    if data is None:
        assert problem is not None
        return Table(display, ",", {}, [], 1, [problem])
    text, problem = _decode(data, display)
    if text is None:
        assert problem is not None
        return Table(display, ",", {}, [], 1, [problem])
    return read_table_text(text, display, columns, required)


def stream_table(
    path: Path,
    display: str,
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str] = (),
) -> tuple[Table, Iterator[Row]]:
    """:func:`read_table`, its rows given one at a time rather than kept: the table (its
    ``rows`` empty) and the rows. Problems in the rows join ``table.diagnostics`` as they
    are read, so read them once the rows are."""
    data, problem = read_regular(path, display)
    if data is None:
        assert problem is not None
        return Table(display, ",", {}, [], 1, [problem]), iter(())
    text, problem = _decode(data, display)
    del data
    if text is None:
        assert problem is not None
        return Table(display, ",", {}, [], 1, [problem]), iter(())
    return _TableReader(display, _spellings(columns)).stream(text, required)


def read_table_text(
    text: str,
    display: str,
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str] = (),
) -> Table:
    """Read a table whose first non-blank row is its header.

    ``columns`` maps each canonical column name to other spellings accepted for it (headers
    are compared after :func:`normalise_header`); ``required`` columns must be present. The
    separator is the one of :data:`DELIMITERS` that makes the most headers known (a
    ``sep=X`` first line, as Excel writes, decides it outright).
    """
    return _TableReader(display, _spellings(columns)).read(text, required)


class _TableReader:
    def __init__(self, display: str, known: dict[str, str]) -> None:
        self.display, self.known = display, known
        self.diagnostics: list[Diagnostic] = []
        self.found: dict[str, int] = {}
        self.ignored: list[str] = []

    def problem(
        self, line: int, col: int, code: str, message: str, hint: str | None = None
    ) -> None:
        self.diagnostics.append(Diagnostic(self.display, line, col, code, message, hint=hint))

    def table(self, delimiter: str, rows: list[Row], header_line: int) -> Table:
        found, ignored = self.found, tuple(self.ignored)
        return Table(self.display, delimiter, found, rows, header_line, self.diagnostics, ignored)

    def read(self, text: str, required: Sequence[str]) -> Table:
        table, rows = self.stream(text, required)
        kept = list(rows)  # the rows' problems join the table's as they are read
        return replace(table, rows=kept)

    def stream(self, text: str, required: Sequence[str]) -> tuple[Table, Iterator[Row]]:
        if text.startswith("\ufeff"):
            text = text[1:]
        if "\x00" in text:
            line = text.count("\n", 0, text.index("\x00")) + 1
            self.problem(line, 1, "IC001", "the file has NUL characters: is it a binary file?")
            return self.table(",", [], 1), iter(())
        lines = text.splitlines(keepends=True)
        skipped = 0
        forced: str | None = None
        if lines and re.match(r"^sep=(.)\s*$", lines[0], re.IGNORECASE):
            forced = lines[0][4]
            lines, skipped = lines[1:], 1
        while lines and not lines[0].strip():
            lines, skipped = lines[1:], skipped + 1
        if not lines:
            self.problem(1, 1, "IC005", "the table is empty: it needs a header row")
            return self.table(",", [], 1), iter(())
        delimiter = forced or _choose_delimiter(lines[0], self.known)
        reader = csv.reader(
            io.StringIO("".join(lines), newline=""), delimiter=delimiter, strict=True
        )
        try:
            header = next(reader)
        except csv.Error as exc:
            self.problem(skipped + 1, 1, "IC002", f"CSV syntax: {exc}")
            return self.table(delimiter, [], skipped + 1), iter(())
        self.header(header, skipped + 1, required, _delimiter_hint(lines[0], delimiter))
        rows = self.rows(reader, skipped, skipped + reader.line_num, header, delimiter)
        return self.table(delimiter, [], skipped + 1), rows

    def rows(
        self, reader: Any, skipped: int, previous_end: int, header: list[str], delimiter: str
    ) -> Iterator[Row]:
        """The data rows, one at a time: only what the caller keeps of them stays."""
        by_index = {index: canonical for canonical, index in self.found.items()}
        count = 0
        try:
            for record in reader:
                start, previous_end = previous_end + 1, skipped + reader.line_num
                if any(cell.strip() for cell in record):
                    if count == MAX_ROWS:
                        self.problem(
                            start,
                            1,
                            "IC009",
                            f"more than {MAX_ROWS:,} rows: this row and the rest are not read",
                            "split the table, or leave out what the map does not need",
                        )
                        return
                    count += 1
                    yield self.row(record, start, by_index, len(header))
                    if delimiter == "," and len(record) > len(header):
                        self.split_row(record, start, len(header))
        except csv.Error as exc:
            self.problem(previous_end + 1, 1, "IC002", f"CSV syntax: {exc}")

    def header(
        self, header: list[str], line: int, required: Sequence[str], hint: str | None
    ) -> None:
        unknown: list[tuple[int, str]] = []
        misspelt: set[str] = set()
        for index, raw in enumerate(header, start=1):
            name = raw.strip()
            canonical = self.known.get(normalise_header(name))
            if not name:
                continue
            if canonical is None:
                unknown.append((index, name))
            elif canonical in self.found:
                first = self.found[canonical]
                same = normalise_header(header[first - 1]) == normalise_header(name)
                message = f"column {clipped(name)} repeats column {column_letter(first)}"
                if not same:
                    message += (
                        f" ({clipped(header[first - 1].strip())}: both are read as {canonical})"
                    )
                self.problem(line, index, "IC006", message, "keep one of them, or rename one")
            else:
                self.found[canonical] = index
        known = sorted(self.known)
        for checked, (index, name) in enumerate(unknown):
            # A header close to a column the table lacks is likely that column misspelt, its
            # cells silently unread otherwise; close to one it has ('Timestamp' beside 'team',
            # 'Comment 2' beside 'comment'), it is a column of the table's own: ignored.
            close = (
                difflib.get_close_matches(normalise_header(name), known, 1, 0.6)
                if checked < _HEADERS_SPELL_CHECKED
                else []
            )
            if close and self.known[close[0]] not in self.found:
                suggestion = did_you_mean(normalise_header(name), known)
                self.problem(line, index, "IC004", f"unknown column {clipped(name)}", suggestion)
                misspelt.add(self.known[close[0]])
            else:
                self.ignored.append(name)
        named = [h.strip() for h in header if h.strip()]
        spelled = ", ".join(clipped(h) for h in named[:_HEADERS_SHOWN]) or "nothing"
        if len(named) > _HEADERS_SHOWN:
            spelled += f" and {len(named) - _HEADERS_SHOWN:,} more"
        # A required column misspelt is said once, by its did-you-mean above; the others
        # missing are said in one line: a header is one problem, not one per column.
        missing = [repr(n) for n in required if n not in self.found and n not in misspelt]
        if missing:
            names = (
                missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} or {missing[-1]}"
            )
            message = f"no {names} column (the header has {spelled})"
            self.problem(line, 1, "IC005", message, hint)

    def split_row(self, record: list[str], line: int, width: int) -> None:
        """A row longer than the header whose extra cells are blank: an unquoted ``4,5`` has
        shifted every cell after it one column right, which no single cell shows."""
        if any(cell.strip() for cell in record[width:]):
            return  # the cell without a header is reported already
        self.problem(
            line,
            width + 1,
            "IC004",
            f"the row has {len(record)} cells but the header {width}: a cell is split",
            "a decimal comma (4,5) in a comma-separated file splits the cell: write 4.5 or "
            'put the cell in double quotes ("4,5")',
        )

    def row(self, record: list[str], line: int, by_index: dict[int, str], width: int) -> Row:
        cells: dict[str, Cell] = {}
        for index, raw in enumerate(record, start=1):
            value = raw.strip()
            if len(value) > MAX_CELL_CHARS:
                self.problem(line, index, "IC009", f"cell is over {MAX_CELL_CHARS:,} characters")
                value = ""
            canonical = by_index.get(index)
            if canonical is not None:
                cells[canonical] = Cell(value, line, index)
            elif value and index > width:
                self.problem(
                    line,
                    index,
                    "IC004",
                    f"cell in column {column_letter(index)} has no header: {_preview(value)!r}",
                    "a separator inside a cell needs the cell in double quotes",
                )
        return Row(line, cells)


def cell_problem(
    display: str, cell: Cell, code: str, message: str, hint: str | None = None
) -> Diagnostic:
    """A diagnostic at ``cell``."""
    return Diagnostic(display, cell.line, cell.col, code, message, hint=hint)


def _spellings(columns: Mapping[str, Sequence[str]]) -> dict[str, str]:
    known: dict[str, str] = {}
    for canonical, aliases in columns.items():
        for spelling in (canonical, *aliases):
            known[normalise_header(spelling)] = canonical
    return known


def _choose_delimiter(header: str, known: Mapping[str, str]) -> str:
    def score(delimiter: str) -> tuple[int, int]:
        try:
            cells = next(csv.reader([header], delimiter=delimiter), [])
        except csv.Error:  # a header cell past csv's field limit: read, and said, as a row
            return -1, 0
        recognised = sum(1 for cell in cells if normalise_header(cell) in known)
        return recognised, len(cells)

    return max(DELIMITERS, key=score)


def _delimiter_hint(header: str, delimiter: str) -> str | None:
    others = [d for d in DELIMITERS if d != delimiter and d in header]
    if not others:
        return None
    shown = {",": "comma", ";": "semicolon", "\t": "tab"}
    return f"the header has {shown[others[0]]}s too: is a cell quoted wrongly?"


#: How workbooks saved under a .csv name start: .xlsx/.ods (zip) and .xls (OLE2).
_WORKBOOKS = {
    b"PK\x03\x04": "a zip file (an .xlsx or .ods workbook?)",
    b"\xd0\xcf\x11\xe0": "an .xls workbook",
}


def _decode(data: bytes, display: str) -> tuple[str | None, Diagnostic | None]:
    for magic, kind in _WORKBOOKS.items():
        if data.startswith(magic):
            return None, Diagnostic(
                display,
                1,
                1,
                "IC001",
                f"not a CSV file: {kind}",
                hint="save it from the spreadsheet as 'CSV UTF-8' (Excel: File > Save As)",
            )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as exc:
            return None, Diagnostic(display, 1, 1, "IC001", f"not UTF-16 text: {exc.reason}")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line, col = byte_position(data, exc.start)
        return None, Diagnostic(
            display,
            line,
            col,
            "IC001",
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
            hint="save the spreadsheet as 'CSV UTF-8' (Excel) or with UTF-8 encoding",
        )


def _preview(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
